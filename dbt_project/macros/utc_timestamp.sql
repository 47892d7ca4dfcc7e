{#- An API timestamp (ISO text with offset, TIMESTAMPTZ, or naive UTC TIMESTAMP) as a naive
    TIMESTAMP in UTC, independent of the session time zone. -#}
{% macro utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'community_pulse')(expr)) }}
{%- endmacro %}

{% macro default__utc_timestamp(expr) -%}
    {{ dbt.cast(expr, dbt.type_timestamp()) }}
{%- endmacro %}

{% macro duckdb__utc_timestamp(expr) -%}
    timezone('UTC', cast({{ expr }} as timestamptz))
{%- endmacro %}
