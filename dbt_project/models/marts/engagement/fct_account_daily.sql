-- One row per account and day, from the account's first post or snapshot to its last snapshot
-- date (or last post if it has no snapshot). Followers come from int_account_followers_daily;
-- post metrics are the latest lifetime values of the posts PUBLISHED that day (UTC date),
-- so a day's ER describes that day's content, not that day's activity. A post's latest values
-- are its latest read on the snapshot schedule (fct_post_performance; docs/performance.md,
-- "Snapshot schedule"): the days between two reads add nothing to carry.
with posts as (
    select * from {{ ref('fct_post_performance') }}
),

bounds as (
    select
        accounts.account_id,
        accounts.platform,
        coalesce(
            case when min(posts.published_date) < accounts.first_snapshot_date
                 then min(posts.published_date) else accounts.first_snapshot_date end,
            min(posts.published_date)
        ) as start_date,
        coalesce(accounts.last_snapshot_date, max(posts.published_date)) as end_date
    from {{ ref('int_accounts') }} as accounts
    left join posts
        on accounts.account_id = posts.account_id and accounts.platform = posts.platform
    group by accounts.account_id, accounts.platform,
             accounts.first_snapshot_date, accounts.last_snapshot_date
),

spine as (
    {{ date_spine_days("(select min(start_date) from bounds)", "(select max(end_date) from bounds)") }}
),

account_days as (
    select bounds.account_id, bounds.platform, spine.date_day
    from bounds
    inner join spine on spine.date_day between bounds.start_date and bounds.end_date
),

daily_posts as (
    select
        account_id,
        platform,
        published_date as date_day,
        count(*) as posts_published,
        {{ dbt.cast('sum(reach)', dbt.type_bigint()) }} as reach,
        {{ dbt.cast('sum(impressions)', dbt.type_bigint()) }} as impressions,
        {{ dbt.cast('sum(interactions)', dbt.type_bigint()) }} as interactions,
        -- Numerators restricted to posts that have the denominator, so a post without reach
        -- does not inflate ER by reach.
        sum(case when reach is not null then interactions end) as interactions_with_reach,
        sum(case when impressions is not null then interactions end) as interactions_with_impressions
    from posts
    group by account_id, platform, published_date
),

joined as (
    select
        account_days.account_id,
        account_days.platform,
        accounts.brand_id,
        account_days.date_day,
        followers.followers,
        followers.followers_source,
        followers.followers_basis,
        followers.followers_gap_days,
        followers.followers - lag(followers.followers) over (
            partition by account_days.account_id, account_days.platform
            order by account_days.date_day
        ) as follower_gain,
        coalesce(daily_posts.posts_published, 0) as posts_published,
        daily_posts.reach,
        daily_posts.impressions,
        daily_posts.interactions,
        daily_posts.interactions_with_reach,
        daily_posts.interactions_with_impressions
    from account_days
    left join {{ ref('int_accounts') }} as accounts
        on account_days.account_id = accounts.account_id and account_days.platform = accounts.platform
    left join {{ ref('int_account_followers_daily') }} as followers
        on account_days.account_id = followers.account_id
       and account_days.platform = followers.platform
       and account_days.date_day = followers.date_day
    left join daily_posts
        on account_days.account_id = daily_posts.account_id
       and account_days.platform = daily_posts.platform
       and account_days.date_day = daily_posts.date_day
),

rates as (
    select
        account_id,
        platform,
        brand_id,
        date_day,
        followers,
        followers_source,
        followers_basis,
        followers_gap_days,
        follower_gain,
        posts_published,
        reach,
        impressions,
        interactions,
        {{ engagement_rates('interactions', 'reach', 'followers', 'impressions',
                            'interactions_with_reach', 'interactions_with_impressions') }}
    from joined
)

select
    *,
    {{ headline_er('er_by_reach', 'er_by_followers', 'er_by_impressions') }}
from rates
