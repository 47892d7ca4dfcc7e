{#- dlt's `_dlt_load_id` of a raw table, or NULL when the table has none (dlt does not add it
    to tables loaded from Arrow, e.g. the insights tables). Kept for lineage only. -#}
{% macro dlt_load_id(relation) -%}
    {%- set has_col = false -%}
    {%- if execute -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- set has_col = '_dlt_load_id' in names -%}
    {%- endif -%}
    {%- if has_col -%}
        {{ dbt.cast('_dlt_load_id', dbt.type_string()) }}
    {%- else -%}
        {{ dbt.cast('null', dbt.type_string()) }}
    {%- endif -%}
{%- endmacro %}
