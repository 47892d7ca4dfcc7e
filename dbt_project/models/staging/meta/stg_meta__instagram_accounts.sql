-- Instagram business account daily snapshots: one row per account and snapshot date.
with renamed as (
    select
        {{ dbt.cast('ig_user_id', dbt.type_string()) }} as ig_user_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('username', dbt.type_string()) }} as username,
        {{ dbt.cast('name', dbt.type_string()) }} as account_name,
        {{ dbt.cast('followers_count', dbt.type_bigint()) }} as followers_count,
        {{ dbt.cast('follows_count', dbt.type_bigint()) }} as follows_count,
        {{ dbt.cast('media_count', dbt.type_bigint()) }} as media_count,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('meta', 'instagram_accounts')) }} as dlt_load_id
    from {{ source('meta', 'instagram_accounts') }}
)
{{ deduplicate('renamed', 'ig_user_id, snapshot_date', 'fetched_at desc') }}
