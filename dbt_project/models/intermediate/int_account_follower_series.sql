-- The follower history each API keeps, one row per account and day: Facebook's page_follows
-- (absolute), and daily net gains from Instagram's follower_count (last 30 days), LinkedIn's
-- follower gains (12 months) and YouTube Analytics' subscribersGained - subscribersLost.
-- X and TikTok keep no history (int_account_followers_daily falls back to snapshots).
select page_id as account_id, 'facebook' as platform, follows_date as date_day,
       followers, {{ dbt.cast('null', dbt.type_bigint()) }} as follower_gain
from {{ ref('stg_meta__facebook_page_follows') }}
union all
select ig_user_id, 'instagram', gain_date, {{ dbt.cast('null', dbt.type_bigint()) }}, follower_gain
from {{ ref('stg_meta__instagram_follower_gains') }}
union all
select organization_id, 'linkedin', gain_date, {{ dbt.cast('null', dbt.type_bigint()) }}, follower_gain
from {{ ref('stg_linkedin__follower_gains') }}
union all
select channel_id, 'youtube', activity_date, {{ dbt.cast('null', dbt.type_bigint()) }}, net_subscribers
from {{ ref('stg_youtube__channel_daily') }}
