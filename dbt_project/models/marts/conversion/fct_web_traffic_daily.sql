-- GA4 daily traffic: date x property x source x medium x campaign x channel group (landing page
-- and ad content summed away), with the quality flags of the GA4 report run that served the date.
--
-- GA4 restates its last ~3 days, and every ingestion run re-pulls them: staging keeps the latest
-- fetch of each dimension combination. A combination GA4 no longer reports for a re-pulled date
-- (restated away, folded into `(other)`, withheld by thresholding) would survive there with its
-- old numbers, so a date keeps only the rows fetched by the latest run whose date range covers it.
-- Incremental (docs/performance.md): a build recomputes the session days of the last
-- var('ga4_restatement_days') days (GA4 restates a day that long) and replaces them; older
-- days are kept.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='session_date') }}
with runs as (
    select
        property_id,
        snapshot_date,
        window_start_date,
        window_end_date,
        fetched_at,
        data_loss_from_other_row,
        subject_to_thresholding,
        is_sampled,
        time_zone,
        restatement_days,
        -- The pages of one run are fetched before its report_runs row (stamped with the last
        -- page's time): a row belongs to the first run fetched at or after it.
        lag(fetched_at) over (partition by property_id order by fetched_at) as previous_fetched_at
    from {{ ref('stg_ga4__report_runs') }}
),

traffic as (
    select
        traffic.*,
        runs.snapshot_date as fetched_by_snapshot_date
    from {{ ref('stg_ga4__traffic_daily') }} as traffic
    left join runs
        on traffic.property_id = runs.property_id
        and traffic.fetched_at <= runs.fetched_at
        and (runs.previous_fetched_at is null or traffic.fetched_at > runs.previous_fetched_at)
    where {{ restated('traffic.session_date', var('ga4_restatement_days'), 'session_date') }}
),

-- The run that serves a date: the latest one whose date range covers it.
serving as (
    select
        dates.property_id,
        dates.session_date,
        max(runs.snapshot_date) as served_by_snapshot_date
    from (select distinct property_id, session_date from traffic) as dates
    inner join runs
        on dates.property_id = runs.property_id
        and dates.session_date between runs.window_start_date and runs.window_end_date
    group by dates.property_id, dates.session_date
),

current_rows as (
    select
        traffic.*,
        -- No report_runs row for the date (a run that never finished): the row stands alone.
        coalesce(serving.served_by_snapshot_date, traffic.fetched_by_snapshot_date)
            as served_by_snapshot_date
    from traffic
    left join serving
        on traffic.property_id = serving.property_id
        and traffic.session_date = serving.session_date
    where serving.served_by_snapshot_date is null
        or traffic.fetched_by_snapshot_date is null
        or traffic.fetched_by_snapshot_date = serving.served_by_snapshot_date
),

aggregated as (
    select
        current_rows.session_date,
        current_rows.property_id,
        current_rows.brand_id,
        current_rows.session_source as source,
        current_rows.session_medium as medium,
        current_rows.session_campaign as campaign,
        current_rows.channel_group,
        sum(current_rows.sessions) as sessions,
        sum(current_rows.engaged_sessions) as engaged_sessions,
        sum(current_rows.key_events) as key_events,
        sum(current_rows.total_revenue) as revenue,
        max(current_rows.currency_code) as currency,
        max(current_rows.served_by_snapshot_date) as served_by_snapshot_date,
        max(current_rows.fetched_at) as fetched_at
    from current_rows
    group by
        current_rows.session_date,
        current_rows.property_id,
        current_rows.brand_id,
        current_rows.session_source,
        current_rows.session_medium,
        current_rows.session_campaign,
        current_rows.channel_group
)

select
    aggregated.session_date,
    aggregated.property_id,
    aggregated.brand_id,
    aggregated.source,
    aggregated.medium,
    aggregated.campaign,
    aggregated.channel_group,
    aggregated.sessions,
    aggregated.engaged_sessions,
    aggregated.key_events,
    aggregated.revenue,
    aggregated.currency,
    coalesce(runs.is_sampled, false) as is_sampled,
    coalesce(runs.subject_to_thresholding, false) as is_subject_to_thresholding,
    coalesce(runs.data_loss_from_other_row, false) as has_other_row_data_loss,
    runs.property_id is not null as has_report_run,
    runs.time_zone as property_time_zone,
    aggregated.served_by_snapshot_date,
    aggregated.fetched_at,
    -- GA4 still adds late hits to the date: the next run re-pulls it (the restatement window
    -- the GA4 source recorded on its run: the setting has one owner, the source).
    coalesce(
        {{ dbt.datediff('aggregated.session_date', 'aggregated.served_by_snapshot_date', 'day') }}
        < runs.restatement_days,
        false
    ) as is_provisional
from aggregated
left join runs
    on aggregated.property_id = runs.property_id
    and aggregated.served_by_snapshot_date = runs.snapshot_date
