{#- The decoded, trimmed value of a query parameter of a URL (NULL when absent or empty). The
    parameter name matches case-insensitively: a link tagged UTM_SOURCE= is still tagged, and
    the UTM governance checks flag its case. -#}
{% macro url_parameter(url, name) -%}
    nullif(trim(url_decode(regexp_extract({{ url }}, '(?i)[?&]{{ name }}=([^&#]*)', 1))), '')
{%- endmacro %}
