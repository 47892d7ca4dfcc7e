-- YouTube videos (uploads): one row per video. `video_format` classifies Shorts by duration
-- (at most 180 s, the source's is_short), everything else is long-form.
with renamed as (
    select
        {{ dbt.cast('video_id', dbt.type_string()) }} as video_id,
        {{ dbt.cast('channel_id', dbt.type_string()) }} as channel_id,
        {{ utc_timestamp('published_at') }} as published_at,
        {{ dbt.cast('title', dbt.type_string()) }} as title,
        {{ dbt.cast('description', dbt.type_string()) }} as description,
        {{ dbt.cast('tags', dbt.type_string()) }} as tags_json,
        {{ dbt.cast('category_id', dbt.type_string()) }} as category_id,
        {{ dbt.cast('default_language', dbt.type_string()) }} as default_language,
        {{ dbt.cast('default_audio_language', dbt.type_string()) }} as default_audio_language,
        {{ dbt.cast('duration', dbt.type_string()) }} as duration_iso,
        {{ dbt.cast('duration_seconds', dbt.type_bigint()) }} as duration_seconds,
        {{ dbt.cast('is_short', dbt.type_boolean()) }} as is_short,
        case
            when is_short then 'short'
            when is_short is not null then 'long_form'
        end as video_format,
        lower({{ dbt.cast('definition', dbt.type_string()) }}) as definition,
        {{ dbt.cast('caption', dbt.type_string()) }} = 'true' as has_captions,
        {{ dbt.cast('live_broadcast_content', dbt.type_string()) }} as live_broadcast_content,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('youtube', 'videos')) }} as dlt_load_id
    from {{ source('youtube', 'videos') }}
)
{{ deduplicate('renamed', 'video_id', 'fetched_at desc') }}
