-- TikTok videos: one row per video.
with renamed as (
    select
        {{ dbt.cast('video_id', dbt.type_string()) }} as video_id,
        {{ dbt.cast('open_id', dbt.type_string()) }} as open_id,
        {{ dbt.cast('title', dbt.type_string()) }} as title,
        {{ dbt.cast('video_description', dbt.type_string()) }} as video_description,
        {{ utc_timestamp('create_time') }} as created_at,
        {{ dbt.cast('cover_image_url', dbt.type_string()) }} as cover_image_url,
        {{ dbt.cast('share_url', dbt.type_string()) }} as share_url,
        {{ dbt.cast('duration', dbt.type_bigint()) }} as duration_s,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('tiktok', 'tiktok_videos')) }} as dlt_load_id
    from {{ source('tiktok', 'tiktok_videos') }}
)
{{ deduplicate('renamed', 'video_id', 'fetched_at desc') }}
