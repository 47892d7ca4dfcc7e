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
--   * on both kinds of day, the watch means of the Analytics days served up to that day,
--     weighted by their views (a mean over playbacks): avg_view_share_to_date (averageViewPercentage
--     / 100: the average share of the video watched) and avg_view_duration_s_to_date. Days loaded
--     before the source asked averageViewPercentage (NULL) are left out of both means.
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
                     absent_day_is_zero=true) }},

watch_days as (
    select video_id, snapshot_date, 'snapshot' as value_source
    from {{ ref('stg_youtube__video_stats') }}
    union all
    select video_id, snapshot_date, 'daily_series' as value_source
    from series_days
),

watch_to_date as (
    select
        days.video_id,
        days.snapshot_date,
        days.value_source,
        sum(w.views * w.average_view_percentage) / 100.0 / nullif(sum(w.views), 0)
            as avg_view_share_to_date,
        {{ dbt.cast('sum(w.views * w.average_view_duration_s)', type_double()) }}
            / nullif(sum(w.views), 0) as avg_view_duration_s_to_date
    from watch_days as days
    inner join {{ ref('stg_youtube__video_daily') }} as w
        on days.video_id = w.video_id and w.activity_date <= days.snapshot_date
    where w.average_view_percentage is not null
    group by days.video_id, days.snapshot_date, days.value_source
)

{{ unpivot_metrics(ref('stg_youtube__video_stats'), 'video_id', 'youtube', [
    'view_count', 'like_count', 'comment_count',
]) }}
union all
{{ unpivot_metrics('shares_to_date', 'video_id', 'youtube', ['shares_to_date']) }}
union all
{{ unpivot_metrics('series_to_date', 'video_id', 'youtube', [
    'views_to_date', 'likes_to_date', 'comments_to_date', 'shares_to_date',
], value_source='daily_series') }}
{%- for metric in ['avg_view_share_to_date', 'avg_view_duration_s_to_date'] %}
union all
select video_id as post_id, 'youtube' as platform, snapshot_date, '{{ metric }}' as platform_metric,
       {{ metric }} as metric_value, value_source
from watch_to_date
where {{ metric }} is not null
{%- endfor %}
