-- Items of each channel's uploads playlist: one row per playlist item.
with renamed as (
    select
        {{ dbt.cast('playlist_item_id', dbt.type_string()) }} as playlist_item_id,
        {{ dbt.cast('playlist_id', dbt.type_string()) }} as playlist_id,
        {{ dbt.cast('channel_id', dbt.type_string()) }} as channel_id,
        {{ dbt.cast('video_id', dbt.type_string()) }} as video_id,
        {{ utc_timestamp('published_at') }} as added_at,
        {{ utc_timestamp('video_published_at') }} as video_published_at,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('youtube', 'playlist_items')) }} as dlt_load_id
    from {{ source('youtube', 'playlist_items') }}
)
{{ deduplicate('renamed', 'playlist_item_id', 'fetched_at desc') }}
