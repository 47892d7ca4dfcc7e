-- Facebook post insights, long format (post x snapshot x platform metric). Two derived
-- metrics make the API's quirks explicit before the registry maps them:
--   reactions_by_type_sum: the sum of post_reactions_by_type_total.* (the registry's
--     fallback for likes when `reactions` is absent);
--   shares_or_zero: the API omits `shares` when it is 0; with reactions or comments present
--     on the same snapshot, absent means 0.
--   avg_time_watched_over_length: post_video_avg_time_watched / post_video_length (both ms),
--     the average share of the video watched, and post_video_avg_time_watched_s (seconds);
--     only where the post has a video (length > 0).
with insights as (
    select post_id, snapshot_date, metric, metric_value
    from {{ ref('stg_meta__facebook_post_insights') }}
),

reactions_by_type as (
    select post_id, snapshot_date, 'reactions_by_type_sum' as metric, sum(metric_value) as metric_value
    from insights
    where metric like 'post_reactions_by_type_total.%'
    group by post_id, snapshot_date
),

shares_or_zero as (
    select
        post_id,
        snapshot_date,
        'shares_or_zero' as metric,
        coalesce(max(case when metric = 'shares' then metric_value end), 0) as metric_value
    from insights
    group by post_id, snapshot_date
    having max(case when metric in ('shares', 'reactions', 'comments') then 1 end) = 1
),

video_watch as (
    select
        post_id,
        snapshot_date,
        max(case when metric = 'post_video_avg_time_watched' then metric_value end) as avg_ms,
        max(case when metric = 'post_video_length' then metric_value end) as length_ms
    from insights
    where metric in ('post_video_avg_time_watched', 'post_video_length')
    group by post_id, snapshot_date
),

video_watch_metrics as (
    select post_id, snapshot_date, 'avg_time_watched_over_length' as metric,
           {{ dbt.cast('avg_ms', type_double()) }} / length_ms as metric_value
    from video_watch
    where length_ms > 0 and avg_ms is not null
    union all
    select post_id, snapshot_date, 'post_video_avg_time_watched_s' as metric,
           {{ dbt.cast('avg_ms', type_double()) }} / 1000 as metric_value
    from video_watch
    where length_ms > 0 and avg_ms is not null
)

select post_id, 'facebook' as platform, snapshot_date, metric as platform_metric, metric_value,
       'snapshot' as value_source
from (
    select * from insights
    union all select * from reactions_by_type
    union all select * from shares_or_zero
    union all select * from video_watch_metrics
) as metrics
