-- Daily deltas between consecutive snapshots of a post. The first snapshot's delta is its
-- whole lifetime value (baseline 0 at publication), so deltas sum to the latest lifetime value.
-- Negative deltas (deleted comments, removed reactions, Meta corrections) are kept and flagged.
{%- set metrics = ['reach', 'impressions', 'likes', 'comments', 'shares', 'saves',
                   'video_views', 'clicks', 'interactions'] %}
with snapshots as (
    select
        *,
        lag(snapshot_date) over (partition by post_id order by snapshot_date) as previous_snapshot_date
        {%- for m in metrics %},
        lag({{ m }}) over (partition by post_id order by snapshot_date) as previous_{{ m }}
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
        case when previous_snapshot_date is null then {{ m }}
             else {{ m }} - previous_{{ m }} end as {{ m }}_delta
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
