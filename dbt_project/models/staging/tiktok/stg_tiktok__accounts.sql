-- TikTok account daily snapshots: one row per open_id and snapshot date.
with renamed as (
    select
        {{ dbt.cast('open_id', dbt.type_string()) }} as open_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('union_id', dbt.type_string()) }} as union_id,
        {{ dbt.cast('display_name', dbt.type_string()) }} as display_name,
        {{ dbt.cast('follower_count', dbt.type_bigint()) }} as followers_count,
        {{ dbt.cast('following_count', dbt.type_bigint()) }} as following_count,
        {{ dbt.cast('likes_count', dbt.type_bigint()) }} as likes_count,
        {{ dbt.cast('video_count', dbt.type_bigint()) }} as video_count,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('tiktok', 'tiktok_accounts')) }} as dlt_load_id
    from {{ source('tiktok', 'tiktok_accounts') }}
)
{{ deduplicate('renamed', 'open_id, snapshot_date', 'fetched_at desc') }}
