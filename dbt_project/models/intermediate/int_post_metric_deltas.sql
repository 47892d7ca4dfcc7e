-- Daily deltas between consecutive snapshots of a post. The first snapshot's delta is its
-- whole lifetime value (baseline 0 at publication), so deltas sum to the latest lifetime value.
-- A metric's delta is taken against its last non-NULL earlier value (a metric that appears
-- late, or skips a snapshot, starts from 0 once), so the deltas of every metric sum to its
-- latest non-NULL lifetime value. Negative deltas (deleted comments, removed reactions,
-- platform corrections) are kept and flagged.
-- Incremental (docs/performance.md): a build recomputes the snapshot days of the last
-- var('post_metrics_restatement_days') days and replaces them; older days are kept. The
-- deltas of those days are taken over the whole history of the posts they belong to, so a
-- delta's previous value may lie before the window.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='snapshot_date') }}
{%- set metrics = ['reach', 'impressions', 'likes', 'comments', 'shares', 'saves',
                   'video_views', 'video_completions', 'clicks', 'interactions'] %}
{%- set days = var('post_metrics_restatement_days') %}
with restated_posts as (
    select distinct post_id, platform
    from {{ ref('int_post_metric_snapshots') }}
    where {{ restated('snapshot_date', days) }}
),

history as (
    select all_snapshots.*
    from {{ ref('int_post_metric_snapshots') }} as all_snapshots
    inner join restated_posts
        on all_snapshots.post_id = restated_posts.post_id
       and all_snapshots.platform = restated_posts.platform
),

snapshots as (
    select
        *,
        lag(snapshot_date) over (partition by platform, post_id order by snapshot_date) as previous_snapshot_date
        {%- for m in metrics %},
        {{ last_value_ignore_nulls(m) }} over (
            partition by platform, post_id order by snapshot_date
            rows between unbounded preceding and 1 preceding) as previous_{{ m }}
        {%- endfor %}
    from history
),

deltas as (
    select
        post_id,
        platform,
        snapshot_date,
        previous_snapshot_date,
        previous_snapshot_date is null as is_first_snapshot,
        {{ dbt.datediff('previous_snapshot_date', 'snapshot_date', 'day') }} as days_since_previous_snapshot
        {%- for m in metrics %},
        {{ m }} - coalesce(previous_{{ m }}, 0) as {{ m }}_delta
        {%- endfor %}
    from snapshots
    where {{ restated('snapshot_date', days) }}
)

select
    *,
    (
        {%- for m in metrics %}
        {{ 'or ' if not loop.first }}coalesce({{ m }}_delta < 0, false)
        {%- endfor %}
    ) as has_negative_delta
from deltas
