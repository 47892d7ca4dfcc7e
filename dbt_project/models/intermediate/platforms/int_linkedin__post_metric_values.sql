-- LinkedIn share statistics per post, long format (post x snapshot x platform metric):
--   * the lifetime statistics on the days the pipeline read them, named as the API's
--     totalShareStatistics fields;
--   * up to age var('daily_series_max_age_days') of a post, on the days no lifetime snapshot was
--     read, the post's own daily statistics (time-bound, DAY) summed to date, named
--     <field>_to_date (value_source 'daily_series'), up to the last day the organization's
--     daily statistics are served. This is what gives a post published before the first run
--     its D+1, D+7 and D+28. Only posts with a daily series get these rows: a post whose series
--     was never read is not taken for one with no activity.
--   Reach is not rebuilt: a day's uniqueImpressionsCount counts the members of that day, so a
--   member who saw the post on two days counts twice and the days do not add up to the post's
--   unique impressions. Those days have impressions but no reach.
with daily as (
    select post_urn, organization_id, activity_date, impressions, clicks, likes, comments, shares
    from {{ ref('stg_linkedin__post_statistics_daily') }}
),

served as (
    -- The organization's own daily series has a row for every served day, whatever its posts
    -- did, and is read through today every run; a post's rows stop at its D+28.
    select organization_id, max(activity_date) as served_through
    from {{ ref('stg_linkedin__share_statistics_daily') }}
    group by organization_id
),

{{ daily_series_ctes('daily', ref('stg_linkedin__posts'), ref('stg_linkedin__post_statistics'),
                     'served', 'post_urn', 'organization_id',
                     ['impressions', 'clicks', 'likes', 'comments', 'shares'],
                     absent_day_is_zero=false) }}

{{ unpivot_metrics(ref('stg_linkedin__post_statistics'), 'post_urn', 'linkedin', {
    'impressionCount': 'impressions',
    'uniqueImpressionsCount': 'unique_impressions',
    'clickCount': 'clicks',
    'likeCount': 'likes',
    'commentCount': 'comments',
    'shareCount': 'shares',
}) }}
union all
{{ unpivot_metrics('series_to_date', 'post_urn', 'linkedin', {
    'impressionCount_to_date': 'impressions_to_date',
    'clickCount_to_date': 'clicks_to_date',
    'likeCount_to_date': 'likes_to_date',
    'commentCount_to_date': 'comments_to_date',
    'shareCount_to_date': 'shares_to_date',
}, value_source='daily_series') }}
