-- Daily YouTube channel snapshots: one row per channel and snapshot date.
with renamed as (
    select
        {{ dbt.cast('channel_id', dbt.type_string()) }} as channel_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('title', dbt.type_string()) }} as channel_title,
        {{ dbt.cast('custom_url', dbt.type_string()) }} as custom_url,
        {{ dbt.cast('country', dbt.type_string()) }} as country,
        {{ utc_timestamp('published_at') }} as channel_created_at,
        {{ dbt.cast('uploads_playlist_id', dbt.type_string()) }} as uploads_playlist_id,
        {{ dbt.cast('subscriber_count', dbt.type_bigint()) }} as subscriber_count,
        {{ dbt.cast('hidden_subscriber_count', dbt.type_boolean()) }} as hidden_subscriber_count,
        {{ dbt.cast('view_count', dbt.type_bigint()) }} as view_count,
        {{ dbt.cast('video_count', dbt.type_bigint()) }} as video_count,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('youtube', 'channels')) }} as dlt_load_id
    from {{ source('youtube', 'channels') }}
)
{{ deduplicate('renamed', 'channel_id, snapshot_date', 'fetched_at desc') }}
