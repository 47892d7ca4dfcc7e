{#- True when the metric-registry row `alias` applies on `date_expr`: inside its
    [valid_from, valid_to] (1970-01-01 and 9999-12-31 stand for open bounds). -#}
{% macro registry_valid_on(alias, date_expr) -%}
    {{ date_expr }} between {{ alias }}.valid_from and {{ alias }}.valid_to
{%- endmacro %}
