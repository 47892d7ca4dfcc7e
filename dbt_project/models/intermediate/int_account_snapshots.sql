-- Daily account snapshots of the six social platforms in one shape, with followers taken
-- through the metric registry (level = account): a follower field the registry does not map
-- on that date gives NULL, never 0.
with snapshots as (
    select page_id as account_id, 'facebook' as platform, brand_id, page_name as account_name,
           username, 'followers_count' as platform_metric, followers_count as metric_value,
           snapshot_date
    from {{ ref('stg_meta__facebook_pages') }}
    union all
    select ig_user_id, 'instagram', brand_id, account_name, username,
           'followers_count', followers_count, snapshot_date
    from {{ ref('stg_meta__instagram_accounts') }}
    union all
    select organization_id, 'linkedin', brand_id, organization_name, vanity_name,
           'followers_count', followers_count, snapshot_date
    from {{ ref('stg_linkedin__organizations') }}
    union all
    select user_id, 'x', brand_id, account_name, username,
           'followers_count', followers_count, snapshot_date
    from {{ ref('stg_x__accounts') }}
    union all
    select channel_id, 'youtube', brand_id, channel_title, custom_url,
           'subscriber_count',
           case when not coalesce(hidden_subscriber_count, false) then subscriber_count end,
           snapshot_date
    from {{ ref('stg_youtube__channels') }}
    union all
    select open_id, 'tiktok', brand_id, display_name, {{ dbt.cast('null', dbt.type_string()) }},
           'follower_count', followers_count, snapshot_date
    from {{ ref('stg_tiktok__accounts') }}
)

select
    snapshots.account_id,
    snapshots.platform,
    snapshots.brand_id,
    snapshots.account_name,
    snapshots.username,
    snapshots.snapshot_date,
    {{ dbt.cast('registry.canonical_metric is not null and snapshots.metric_value is not null', 'boolean') }}
        as has_followers,
    case when registry.canonical_metric is not null then snapshots.metric_value end as followers_count
from snapshots
left join {{ ref('metric_registry') }} as registry
    on registry.level = 'account'
   and registry.canonical_metric = 'followers'
   and snapshots.platform = registry.platform
   and snapshots.platform_metric = registry.platform_metric
   and {{ registry_valid_on('registry', 'snapshots.snapshot_date') }}
