{#- One row per day, column `date_day`, from start_date to end_date inclusive.
    start_date / end_date are SQL expressions of type date (literals or scalar subqueries).
    Portable: offsets 0..9999 (about 27 years) from a 10^4 cross join, then dbt.dateadd;
    no generate_series, no recursion. Use it as a subquery:
      select date_day from ({{ date_spine_days("(select min(d) from x)", "current_date") }}) s
    Per-entity ranges: build one global spine and join it on `date_day between start and end`. -#}
{% macro date_spine_days(start_date, end_date) -%}
    {%- set start_d = dbt.cast(start_date, 'date') -%}
    {%- set end_d = dbt.cast(end_date, 'date') -%}
    with spine_digits as (
        select 0 as d union all select 1 union all select 2 union all select 3
        union all select 4 union all select 5 union all select 6 union all select 7
        union all select 8 union all select 9
    ),
    spine_offsets as (
        select a.d + 10 * b.d + 100 * c.d + 1000 * e.d as day_offset
        from spine_digits a
        cross join spine_digits b
        cross join spine_digits c
        cross join spine_digits e
    )
    select {{ dbt.cast(dbt.dateadd('day', 'day_offset', start_d), 'date') }} as date_day
    from spine_offsets
    where day_offset <= {{ dbt.datediff(start_d, end_d, 'day') }}
{%- endmacro %}
