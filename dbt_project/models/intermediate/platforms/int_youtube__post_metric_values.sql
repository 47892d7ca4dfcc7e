-- YouTube video statistics, long format (post x snapshot x platform metric). The Data API
-- gives lifetime views, likes and comments; shares only exist in the Analytics API's daily
-- report, so `shares_to_date` is the running sum of daily shares up to the snapshot date
-- (Analytics lags 2-3 days: the latest days may still grow).
with shares_to_date as (
    select
        stats.video_id,
        stats.snapshot_date,
        sum(daily.shares) as shares_to_date
    from {{ ref('stg_youtube__video_stats') }} as stats
    inner join {{ ref('stg_youtube__video_daily') }} as daily
        on stats.video_id = daily.video_id and daily.activity_date <= stats.snapshot_date
    group by stats.video_id, stats.snapshot_date
)

{{ unpivot_metrics(ref('stg_youtube__video_stats'), 'video_id', 'youtube', [
    'view_count', 'like_count', 'comment_count',
]) }}
union all
{{ unpivot_metrics('shares_to_date', 'video_id', 'youtube', ['shares_to_date']) }}
