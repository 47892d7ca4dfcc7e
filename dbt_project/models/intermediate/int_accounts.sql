-- Every social account seen anywhere (daily snapshots, posts, follower series), with its
-- attributes from its latest daily snapshot. Accounts seen only in posts or series are kept
-- (brand_id NULL) so that posts always have their account.
with snapshot_bounds as (
    select account_id, platform,
           min(snapshot_date) as first_snapshot_date,
           max(snapshot_date) as last_snapshot_date
    from {{ ref('int_account_snapshots') }}
    group by account_id, platform
),

latest as (
    select s.account_id, s.platform, s.brand_id, s.account_name, s.username,
           s.followers_count, b.first_snapshot_date, b.last_snapshot_date
    from {{ ref('int_account_snapshots') }} as s
    inner join snapshot_bounds as b
        on s.account_id = b.account_id and s.platform = b.platform
       and s.snapshot_date = b.last_snapshot_date
),

seen as (
    select account_id, platform from {{ ref('int_account_snapshots') }}
    union
    select account_id, platform from {{ ref('int_posts_unioned') }}
    union
    select account_id, platform from {{ ref('int_account_follower_series') }}
)

select
    seen.account_id,
    seen.platform,
    latest.brand_id,
    latest.account_name,
    latest.username,
    latest.followers_count as latest_followers_count,
    latest.first_snapshot_date,
    latest.last_snapshot_date
from seen
left join latest
    on seen.account_id = latest.account_id and seen.platform = latest.platform
