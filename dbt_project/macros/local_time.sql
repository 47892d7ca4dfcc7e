{#- A UTC timestamp (without time zone) as the wall-clock time of an IANA time zone held in a
    column, e.g. 'Europe/Paris'. Dispatched: each engine spells it differently. -#}
{% macro utc_to_local(timestamp_utc, timezone) -%}
    {{ return(adapter.dispatch('utc_to_local', 'community_pulse')(timestamp_utc, timezone)) }}
{%- endmacro %}

{% macro default__utc_to_local(timestamp_utc, timezone) -%}
    convert_timezone('UTC', {{ timezone }}, {{ timestamp_utc }})
{%- endmacro %}

{% macro duckdb__utc_to_local(timestamp_utc, timezone) -%}
    timezone({{ timezone }}, ({{ timestamp_utc }}) at time zone 'UTC')
{%- endmacro %}
