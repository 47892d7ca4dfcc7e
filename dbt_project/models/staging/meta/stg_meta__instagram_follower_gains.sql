-- Instagram daily follower gains: one row per account and date.
with renamed as (
    select
        {{ dbt.cast('ig_user_id', dbt.type_string()) }} as ig_user_id,
        {{ dbt.cast(adapter.quote('date'), 'date') }} as gain_date,
        {{ dbt.cast('follower_gain', dbt.type_bigint()) }} as follower_gain,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('meta', 'instagram_follower_gains')) }} as dlt_load_id
    from {{ source('meta', 'instagram_follower_gains') }}
)
{{ deduplicate('renamed', 'ig_user_id, gain_date', 'fetched_at desc') }}
