{#- ISO 8601 weeks, portable: arithmetic on dates only (no isodow/isoyear, no session
    week-start setting; BigQuery's and Snowflake's date_trunc('week') need not start on Monday).
    The anchor 1970-01-05 is a Monday; the ISO year of a week is the year of its Thursday and
    its number counts Thursdays from 1 January of that year. -#}

{#- Days since the Monday that starts the ISO week of date_expr: 0 (Monday) .. 6 (Sunday).
    The double mod keeps dates before the anchor positive. -#}
{% macro iso_weekday_offset(date_expr) -%}
    mod(mod({{ dbt.datediff(dbt.cast("'1970-01-05'", 'date'), date_expr, 'day') }}, 7) + 7, 7)
{%- endmacro %}

{#- The Monday (a date) that starts the ISO week of date_expr. -#}
{% macro iso_week_start(date_expr) -%}
    {{ dbt.cast(dbt.dateadd('day', '-1 * ' ~ iso_weekday_offset(date_expr), date_expr), 'date') }}
{%- endmacro %}

{#- The Thursday of the ISO week of date_expr: it decides the ISO year. -#}
{% macro iso_week_thursday(date_expr) -%}
    {{ dbt.cast(dbt.dateadd('day', '3', iso_week_start(date_expr)), 'date') }}
{%- endmacro %}

{#- ISO year of date_expr (2024-12-30 is in ISO year 2025; 2027-01-01 in 2026). Pass a
    week_start column rather than a raw date when you have one: the expression is shorter. -#}
{% macro iso_year(date_expr) -%}
    {{ dbt.cast('extract(year from ' ~ iso_week_thursday(date_expr) ~ ')', dbt.type_int()) }}
{%- endmacro %}

{#- ISO week number 1..53 of date_expr. -#}
{% macro iso_week_number(date_expr) -%}
    {%- set thursday = iso_week_thursday(date_expr) -%}
    {%- set jan_first = dbt.cast(dbt.date_trunc('year', thursday), 'date') -%}
    {{ dbt.cast('floor(' ~ dbt.datediff(jan_first, thursday, 'day') ~ ' / 7.0)', dbt.type_int()) }} + 1
{%- endmacro %}
