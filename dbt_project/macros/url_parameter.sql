{#- The decoded, trimmed value of a query parameter of a URL (NULL when absent or empty). The
    parameter name matches case-insensitively: a link tagged UTM_SOURCE= is still tagged, and
    the UTM governance checks flag its case. -#}
{% macro url_parameter(url, name) -%}
    nullif(trim({{ url_decode("regexp_extract(" ~ url ~ ", '(?i)[?&]" ~ name ~ "=([^&#]*)', 1)") }}), '')
{%- endmacro %}

{#- The first UTM-tagged URL written in a text (a post's message or description), NULL when
    none: a link in the text of a photo or video post is still the post's link. Parameter names
    match case-insensitively, so an upper-cased tag is found (and flagged by mart_utm_quality). -#}
{% macro tagged_link_in_text(text) -%}
    nullif(regexp_extract({{ text }}, '(?i)(https?://[^\s]+utm_[^\s]*)', 1), '')
{%- endmacro %}
