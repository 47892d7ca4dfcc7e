-- Instagram media insights, long format (post x snapshot x platform metric), with one derived
-- metric: ig_reels_avg_watch_time_s, the reel's average watch time (ms) in seconds. No share of
-- the reel watched can be derived: the IG Media node has no duration field.
with insights as (
    select media_id as post_id, snapshot_date, metric, metric_value
    from {{ ref('stg_meta__instagram_media_insights') }}
)

select post_id, 'instagram' as platform, snapshot_date, metric as platform_metric,
       {{ dbt.cast('metric_value', type_double()) }} as metric_value, 'snapshot' as value_source
from insights
union all
select post_id, 'instagram' as platform, snapshot_date,
       'ig_reels_avg_watch_time_s' as platform_metric,
       {{ dbt.cast('metric_value', type_double()) }} / 1000 as metric_value,
       'snapshot' as value_source
from insights
where metric = 'ig_reels_avg_watch_time'
