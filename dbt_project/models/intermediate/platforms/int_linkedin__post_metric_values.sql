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
{%- set series_days = var('daily_series_max_age_days') %}
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

series_posts as (
    select posts.post_urn, {{ dbt.cast('posts.published_at', 'date') }} as published_date,
           served.served_through
    from {{ ref('stg_linkedin__posts') }} as posts
    inner join served on posts.organization_id = served.organization_id
    where posts.post_urn in (select post_urn from daily)
),

spine as (
    {{ date_spine_days("(select min(published_date) from series_posts)",
                       "(select max(served_through) from series_posts)") }}
),

series_days as (
    select p.post_urn, spine.date_day as snapshot_date
    from series_posts as p
    inner join spine
        on spine.date_day >= p.published_date
       and spine.date_day <= p.served_through
       and spine.date_day <= {{ dbt.dateadd('day', series_days, 'p.published_date') }}
    left join {{ ref('stg_linkedin__post_statistics') }} as stats
        on p.post_urn = stats.post_urn and spine.date_day = stats.snapshot_date
    where stats.post_urn is null
),

series_to_date as (
    -- LinkedIn answers every day of the range, zero days included: a count absent from every
    -- day up to the snapshot date stays NULL (and gives no row), it is not taken for 0.
    select
        d.post_urn,
        d.snapshot_date,
        sum(daily.impressions) as impressions_to_date,
        sum(daily.clicks) as clicks_to_date,
        sum(daily.likes) as likes_to_date,
        sum(daily.comments) as comments_to_date,
        sum(daily.shares) as shares_to_date
    from series_days as d
    left join daily on d.post_urn = daily.post_urn and daily.activity_date <= d.snapshot_date
    group by d.post_urn, d.snapshot_date
)

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
