-- GA4 daily traffic: one row per property, date and dimension combination (the merge key).
-- Metric values are typed by GA4's metricHeaders at ingestion (integers exact, the rest double).
-- session_date is GA4's `date`: a day of the property's reporting time zone (time_zone), not a
-- UTC day. GA4's `(other)` row (low-volume combinations folded under cardinality limits) is
-- kept, flagged by is_other_row. is_sampled: the metrics are GA4's estimates from a sample; a
-- metric the account's role may not see (revenue, cost) is NULL, never GA4's placeholder zero.
with renamed as (
    select
        {{ dbt.cast('property_id', dbt.type_string()) }} as property_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('date', 'date') }} as session_date,
        {{ dbt.cast('session_source', dbt.type_string()) }} as session_source,
        {{ dbt.cast('session_medium', dbt.type_string()) }} as session_medium,
        {{ dbt.cast('session_campaign_name', dbt.type_string()) }} as session_campaign,
        {{ dbt.cast('session_default_channel_group', dbt.type_string()) }} as channel_group,
        {{ dbt.cast('landing_page', dbt.type_string()) }} as landing_page,
        {{ dbt.cast('session_manual_ad_content', dbt.type_string()) }} as session_content,
        {{ dbt.cast('sessions', dbt.type_bigint()) }} as sessions,
        {{ dbt.cast('engaged_sessions', dbt.type_bigint()) }} as engaged_sessions,
        {{ dbt.cast('key_events', type_double()) }} as key_events,
        {{ dbt.cast('total_revenue', type_double()) }} as total_revenue,
        {{ dbt.cast('currency_code', dbt.type_string()) }} as currency_code,
        {{ dbt.cast('time_zone', dbt.type_string()) }} as time_zone,
        coalesce({{ dbt.cast('sampled', dbt.type_boolean()) }}, false) as is_sampled,
        coalesce(
            session_source = '(other)' or session_medium = '(other)'
            or session_campaign_name = '(other)' or session_default_channel_group = '(other)'
            or landing_page = '(other)' or session_manual_ad_content = '(other)',
            false
        ) as is_other_row,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('ga4', 'traffic_daily')) }} as dlt_load_id
    from {{ source('ga4', 'traffic_daily') }}
)
{{ deduplicate(
    'renamed',
    'property_id, session_date, session_source, session_medium, session_campaign, channel_group, landing_page, session_content',
    'fetched_at desc'
) }}
