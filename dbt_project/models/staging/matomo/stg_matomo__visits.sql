-- Matomo visits: one row per (site_id, visit_id). Visitor/user keys are pseudonymised hashes;
-- has_consent is false for visits tracked without a visitor id (aggregates only).
with renamed as (
    select
        {{ dbt.cast('site_id', dbt.type_string()) }} as site_id,
        {{ dbt.cast('visit_id', dbt.type_bigint()) }} as visit_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('visit_date', 'date') }} as visit_date,
        {{ utc_timestamp('first_action_at') }} as first_action_at,
        {{ utc_timestamp('last_action_at') }} as last_action_at,
        {{ dbt.cast('visit_duration_s', dbt.type_bigint()) }} as visit_duration_s,
        {{ dbt.cast('actions', dbt.type_bigint()) }} as pageviews,
        {{ dbt.cast('visit_count', dbt.type_bigint()) }} as visitor_visit_number,
        {{ dbt.cast('visitor_type', dbt.type_string()) }} as visitor_type,
        {{ dbt.cast('visitor_id_hash', dbt.type_string()) }} as visitor_key,
        {{ dbt.cast('user_id_hash', dbt.type_string()) }} as user_key,
        {{ dbt.cast('has_consent', dbt.type_boolean()) }} as has_consent,
        {{ dbt.cast('referrer_type', dbt.type_string()) }} as referrer_type,
        {{ dbt.cast('referrer_name', dbt.type_string()) }} as referrer_name,
        {{ dbt.cast('referrer_keyword', dbt.type_string()) }} as referrer_keyword,
        {{ dbt.cast('referrer_url', dbt.type_string()) }} as referrer_url,
        {{ dbt.cast('campaign_name', dbt.type_string()) }} as campaign_name,
        {{ dbt.cast('campaign_source', dbt.type_string()) }} as campaign_source,
        {{ dbt.cast('campaign_medium', dbt.type_string()) }} as campaign_medium,
        {{ dbt.cast('campaign_content', dbt.type_string()) }} as campaign_content,
        {{ dbt.cast('campaign_keyword', dbt.type_string()) }} as campaign_keyword,
        {{ dbt.cast('entry_url', dbt.type_string()) }} as entry_url,
        {{ dbt.cast('device_type', dbt.type_string()) }} as device_type,
        {{ dbt.cast('goal_conversions', dbt.type_bigint()) }} as goal_conversions,
        {{ dbt.cast('visit_converted', dbt.type_boolean()) }} as is_converted,
        {{ dbt.cast('revenue', type_double()) }} as order_revenue,
        {{ dbt.cast('currency', dbt.type_string()) }} as currency_code,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('matomo', 'visits')) }} as dlt_load_id
    from {{ source('matomo', 'visits') }}
)
{{ deduplicate('renamed', 'site_id, visit_id', 'fetched_at desc') }}
