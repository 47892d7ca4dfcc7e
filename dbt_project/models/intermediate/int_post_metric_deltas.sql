-- Daily deltas between consecutive snapshots of a post. The first snapshot's delta is its
-- whole lifetime value (baseline 0 at publication), so deltas sum to the latest lifetime value.
-- A metric's delta is taken against its last non-NULL earlier value (a metric that appears
-- late, or skips a snapshot, starts from 0 once), so the deltas of every metric sum to its
-- latest non-NULL lifetime value. Negative deltas (deleted comments, removed reactions,
-- platform corrections) are kept and flagged.
{%- set metrics = ['reach', 'impressions', 'likes', 'comments', 'shares', 'saves',
                   'video_views', 'video_completions', 'clicks', 'interactions'] %}
with snapshots as (
    select
        *,
        lag(snapshot_date) over (partition by platform, post_id order by snapshot_date) as previous_snapshot_date
        {%- for m in metrics %},
        last_value({{ m }} ignore nulls) over (
            partition by platform, post_id order by snapshot_date
            rows between unbounded preceding and 1 preceding) as previous_{{ m }}
        {%- endfor %}
    from {{ ref('int_post_metric_snapshots') }}
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
)

select
    *,
    (
        {%- for m in metrics %}
        {{ 'or ' if not loop.first }}coalesce({{ m }}_delta < 0, false)
        {%- endfor %}
    ) as has_negative_delta
from deltas
