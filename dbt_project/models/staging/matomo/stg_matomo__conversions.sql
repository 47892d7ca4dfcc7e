-- Matomo goal conversions and ecommerce orders (from actionDetails), one row per
-- (site_id, conversion_id); conversion_id = '{idVisit}-{goalId}-{unix ts}', goalId 0 for orders.
with renamed as (
    select
        {{ dbt.cast('site_id', dbt.type_string()) }} as site_id,
        {{ dbt.cast('conversion_id', dbt.type_string()) }} as conversion_id,
        {{ dbt.cast('visit_id', dbt.type_bigint()) }} as visit_id,
        {{ dbt.cast('conversion_type', dbt.type_string()) }} as conversion_type,
        {{ dbt.cast('goal_id', dbt.type_bigint()) }} as goal_id,
        {{ dbt.cast('goal_name', dbt.type_string()) }} as goal_name,
        {{ dbt.cast('order_id', dbt.type_string()) }} as order_id,
        {{ dbt.cast('revenue', type_double()) }} as revenue,
        {{ dbt.cast('items', dbt.type_bigint()) }} as items,
        {{ utc_timestamp('converted_at') }} as converted_at,
        {{ dbt.cast('visitor_id_hash', dbt.type_string()) }} as visitor_key,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('matomo', 'conversions')) }} as dlt_load_id
    from {{ source('matomo', 'conversions') }}
)
{{ deduplicate('renamed', 'site_id, conversion_id', 'fetched_at desc') }}
