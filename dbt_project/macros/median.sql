{#- The median of a numeric expression as an aggregate (NULLs ignored; NULL when every value
    is NULL). Ordered-set percentile_cont is standard SQL (DuckDB, Postgres, Snowflake,
    Redshift); adapters without it override <adapter>__median. -#}
{% macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'community_pulse')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}
