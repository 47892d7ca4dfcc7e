-- Daily follower series that complete the daily snapshots before the first one: Facebook's
-- lifetime follows (absolute), Instagram's and LinkedIn's daily gains (relative).
select page_id as account_id, 'facebook' as platform, follows_date as date_day,
       followers, {{ dbt.cast('null', dbt.type_bigint()) }} as follower_gain
from {{ ref('stg_meta__facebook_page_follows') }}
union all
select ig_user_id, 'instagram', gain_date, {{ dbt.cast('null', dbt.type_bigint()) }}, follower_gain
from {{ ref('stg_meta__instagram_follower_gains') }}
union all
select organization_id, 'linkedin', gain_date, {{ dbt.cast('null', dbt.type_bigint()) }}, follower_gain
from {{ ref('stg_linkedin__follower_gains') }}
