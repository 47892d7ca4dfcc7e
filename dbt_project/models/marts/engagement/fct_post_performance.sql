-- One row per post: metrics at its latest snapshot and the three engagement rates (percent),
-- plus the headline ER chosen by var('headline_er_formula') with its name and version.
-- Followers = the account's followers on the publication date (UTC date).
with latest_snapshot as (
    select *
    from {{ ref('int_post_metric_snapshots') }} as s
    where s.snapshot_date = (
        select max(s2.snapshot_date)
        from {{ ref('int_post_metric_snapshots') }} as s2
        where s2.post_id = s.post_id
    )
),

joined as (
    select
        posts.post_id,
        posts.platform,
        posts.account_id,
        posts.brand_id,
        posts.format,
        posts.published_at,
        posts.published_date,
        latest_snapshot.snapshot_date as latest_snapshot_date,
        {{ dbt.datediff('posts.published_date', 'latest_snapshot.snapshot_date', 'day') }} as post_age_days,
        latest_snapshot.reach,
        latest_snapshot.impressions,
        latest_snapshot.likes,
        latest_snapshot.comments,
        latest_snapshot.shares,
        latest_snapshot.saves,
        latest_snapshot.video_views,
        latest_snapshot.clicks,
        latest_snapshot.interactions,
        followers.followers
    from {{ ref('int_posts') }} as posts
    left join latest_snapshot on posts.post_id = latest_snapshot.post_id
    left join {{ ref('int_account_followers_daily') }} as followers
        on posts.account_id = followers.account_id
       and posts.platform = followers.platform
       and posts.published_date = followers.date_day
),

rates as (
    select
        *,
        {{ engagement_rate('interactions', 'reach') }} as er_by_reach,
        {{ engagement_rate('interactions', 'followers') }} as er_by_followers,
        {{ engagement_rate('interactions', 'impressions') }} as er_by_impressions
    from joined
)

select
    *,
    {{ headline_er('er_by_reach', 'er_by_followers', 'er_by_impressions') }}
from rates
