-- Facebook Page daily snapshots: one row per page and snapshot date.
with renamed as (
    select
        {{ dbt.cast('page_id', dbt.type_string()) }} as page_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('name', dbt.type_string()) }} as page_name,
        {{ dbt.cast('username', dbt.type_string()) }} as username,
        {{ dbt.cast('category', dbt.type_string()) }} as category,
        {{ dbt.cast('link', dbt.type_string()) }} as page_url,
        {{ dbt.cast('followers_count', dbt.type_bigint()) }} as followers_count,
        {{ dbt.cast('fan_count', dbt.type_bigint()) }} as fan_count,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('meta', 'facebook_pages')) }} as dlt_load_id
    from {{ source('meta', 'facebook_pages') }}
)
{{ deduplicate('renamed', 'page_id, snapshot_date', 'fetched_at desc') }}
