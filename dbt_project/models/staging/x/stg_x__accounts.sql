-- Daily snapshots of the brands' X accounts: one row per account and snapshot date.
with renamed as (
    select
        {{ dbt.cast('user_id', dbt.type_string()) }} as user_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('username', dbt.type_string()) }} as username,
        {{ dbt.cast('name', dbt.type_string()) }} as account_name,
        {{ utc_timestamp('created_at') }} as account_created_at,
        {{ dbt.cast('followers_count', dbt.type_bigint()) }} as followers_count,
        {{ dbt.cast('following_count', dbt.type_bigint()) }} as following_count,
        {{ dbt.cast('tweet_count', dbt.type_bigint()) }} as tweet_count,
        {{ dbt.cast('listed_count', dbt.type_bigint()) }} as listed_count,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('x', 'accounts')) }} as dlt_load_id
    from {{ source('x', 'accounts') }}
)
{{ deduplicate('renamed', 'user_id, snapshot_date', 'fetched_at desc') }}
