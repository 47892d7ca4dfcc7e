-- Every Facebook Page and Instagram account seen anywhere in raw_meta (snapshots, posts,
-- follower series), with attributes from its latest daily snapshot. Accounts seen only in
-- posts or series are kept (brand_id NULL) so that posts always have their account.
with snapshots as (
    select page_id as account_id, 'facebook' as platform, brand_id, page_name as account_name,
           username, followers_count, snapshot_date
    from {{ ref('stg_meta__facebook_pages') }}
    union all
    select ig_user_id, 'instagram', brand_id, account_name, username, followers_count, snapshot_date
    from {{ ref('stg_meta__instagram_accounts') }}
),

snapshot_bounds as (
    select account_id, platform,
           min(snapshot_date) as first_snapshot_date,
           max(snapshot_date) as last_snapshot_date
    from snapshots
    group by account_id, platform
),

latest as (
    select s.account_id, s.platform, s.brand_id, s.account_name, s.username,
           s.followers_count, b.first_snapshot_date, b.last_snapshot_date
    from snapshots s
    inner join snapshot_bounds b
        on s.account_id = b.account_id and s.platform = b.platform
       and s.snapshot_date = b.last_snapshot_date
),

seen as (
    select account_id, platform from snapshots
    union select page_id, 'facebook' from {{ ref('stg_meta__facebook_posts') }}
    union select ig_user_id, 'instagram' from {{ ref('stg_meta__instagram_media') }}
    union select page_id, 'facebook' from {{ ref('stg_meta__facebook_page_follows') }}
    union select ig_user_id, 'instagram' from {{ ref('stg_meta__instagram_follower_gains') }}
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
