{#- Business minutes between two UTC timestamps, in the brand's business hours
    (seeds/business_hours.csv: brand_id, ISO weekday 1=Monday..7=Sunday, opens, closes as
    local 'HH:MM') and time zone (config/brands.yaml, model brands). Each local day's opening window is turned
    back into UTC before it is intersected with the interval, so a DST change (Europe/Paris:
    last Sunday of March and of October) is honoured: the window keeps its local hours and the
    elapsed time is exact. -#}

{#- A local wall-clock TIMESTAMP of an IANA time zone (column or literal) as naive UTC: the
    inverse of utc_to_local. A local time inside a DST gap is engine-defined. -#}
{% macro local_to_utc(timestamp_local, timezone) -%}
    {{ return(adapter.dispatch('local_to_utc', 'community_pulse')(timestamp_local, timezone)) }}
{%- endmacro %}

{% macro default__local_to_utc(timestamp_local, timezone) -%}
    convert_timezone({{ timezone }}, 'UTC', {{ timestamp_local }})
{%- endmacro %}

{% macro duckdb__local_to_utc(timestamp_local, timezone) -%}
    timezone('UTC', timezone({{ timezone }}, {{ timestamp_local }}))
{%- endmacro %}

{% macro spark__local_to_utc(timestamp_local, timezone) -%}
    to_utc_timestamp({{ timestamp_local }}, {{ timezone }})
{%- endmacro %}

{#- A query: interval_key, business_minutes (double) for each row of `intervals` (a CTE or
    relation with interval_key, brand_id, timezone, start_at, end_at; naive UTC). Only the
    first `max_days` + 1 local days of an interval are counted (enough to decide any SLA
    target shorter than that). business_minutes is NULL when the brand has no business hours
    (the caller counts elapsed time), 0 when the interval falls outside them. -#}
{% macro business_minutes(intervals, max_days) -%}
    {%- set start_day = dbt.cast(utc_to_local('i.start_at', 'i.timezone'), 'date') -%}
    {%- set end_day = dbt.cast(utc_to_local('i.end_at', 'i.timezone'), 'date') -%}
    {%- set local_day = dbt.cast(dbt.dateadd('day', 'o.day_offset', start_day), 'date') -%}
    with bm_digits as (
        select 0 as d union all select 1 union all select 2 union all select 3
        union all select 4 union all select 5 union all select 6 union all select 7
        union all select 8 union all select 9
    ),

    bm_offsets as (
        select a.d + 10 * b.d + 100 * c.d as day_offset
        from bm_digits as a
        cross join bm_digits as b
        cross join bm_digits as c
        where a.d + 10 * b.d + 100 * c.d <= {{ max_days }}
    ),

    bm_days as (
        select
            i.interval_key,
            i.brand_id,
            i.timezone,
            i.start_at,
            i.end_at,
            {{ dbt.cast(local_day, dbt.type_string()) }} as local_day_text,
            {{ iso_weekday_offset(local_day) }} + 1 as iso_weekday
        from {{ intervals }} as i
        cross join bm_offsets as o
        where i.end_at > i.start_at
          and o.day_offset <= {{ dbt.datediff(start_day, end_day, 'day') }}
    ),

    bm_windows as (
        select
            days.interval_key,
            days.start_at,
            days.end_at,
            {{ local_to_utc(dbt.cast(dbt.concat(['days.local_day_text', "' '", 'hours.opens', "':00'"]), dbt.type_timestamp()), 'days.timezone') }} as opens_at,
            {{ local_to_utc(dbt.cast(dbt.concat(['days.local_day_text', "' '", 'hours.closes', "':00'"]), dbt.type_timestamp()), 'days.timezone') }} as closes_at
        from bm_days as days
        inner join {{ ref('business_hours') }} as hours
            on days.brand_id = hours.brand_id
           and days.iso_weekday = hours.weekday
    ),

    bm_overlaps as (
        select
            interval_key,
            case when start_at > opens_at then start_at else opens_at end as from_at,
            case when end_at < closes_at then end_at else closes_at end as to_at
        from bm_windows
    ),

    bm_minutes as (
        select
            interval_key,
            sum(
                case when to_at > from_at
                    then {{ dbt.datediff('from_at', 'to_at', 'second') }} else 0 end
            ) / 60.0 as business_minutes
        from bm_overlaps
        group by interval_key
    ),

    bm_brands as (
        select distinct brand_id from {{ ref('business_hours') }}
    )

    select
        i.interval_key,
        case
            when bm_brands.brand_id is null then null
            else coalesce(bm_minutes.business_minutes, 0)
        end as business_minutes
    from {{ intervals }} as i
    left join bm_brands
        on i.brand_id = bm_brands.brand_id
    left join bm_minutes
        on i.interval_key = bm_minutes.interval_key
{%- endmacro %}
