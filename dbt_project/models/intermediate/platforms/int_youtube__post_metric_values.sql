-- YouTube video metrics, long format (post x snapshot x platform metric):
--   * the Data API's lifetime statistics on the days the pipeline read them (view_count,
--     like_count, comment_count), with shares_to_date, the running sum of the Analytics API's
--     daily shares up to that day (the Data API gives no shares);
--   * up to age var('daily_series_max_age_days') of a video, on the days no snapshot was read, the
--     Analytics API's per-video daily series summed to date (views_to_date, likes_to_date,
--     comments_to_date, shares_to_date; value_source 'daily_series'), up to the last day the
--     channel's report serves (Analytics lags 2-3 days). This is what gives a video published
--     before the first run its D+1, D+7 and D+28. Only videos with a daily series get these
--     rows: a video whose series was never read is not taken for one with no activity.
with daily as (
    select video_id, channel_id, activity_date, views, likes, comments, shares
    from {{ ref('stg_youtube__video_daily') }}
),

shares_to_date as (
    select
        stats.video_id,
        stats.snapshot_date,
        sum(daily.shares) as shares_to_date
    from {{ ref('stg_youtube__video_stats') }} as stats
    inner join daily
        on stats.video_id = daily.video_id and daily.activity_date <= stats.snapshot_date
    group by stats.video_id, stats.snapshot_date
),

served as (
    -- The channel report has a row for every served day, whatever the videos did.
    select channel_id, max(activity_date) as served_through
    from {{ ref('stg_youtube__channel_daily') }}
    group by channel_id
),

{{ daily_series_ctes('daily', ref('stg_youtube__videos'), ref('stg_youtube__video_stats'),
                     'served', 'video_id', 'channel_id', ['views', 'likes', 'comments', 'shares'],
                     absent_day_is_zero=true) }}

{{ unpivot_metrics(ref('stg_youtube__video_stats'), 'video_id', 'youtube', [
    'view_count', 'like_count', 'comment_count',
]) }}
union all
{{ unpivot_metrics('shares_to_date', 'video_id', 'youtube', ['shares_to_date']) }}
union all
{{ unpivot_metrics('series_to_date', 'video_id', 'youtube', [
    'views_to_date', 'likes_to_date', 'comments_to_date', 'shares_to_date',
], value_source='daily_series') }}
