-- YouTube comments (thread tops and replies): one row per comment. Authors are
-- pseudonymised hashes; is_from_channel marks the channel's own replies.
-- Free text is not staged: it stays in the raw table and restricted.rst_inbound_texts.
with renamed as (
    select
        {{ dbt.cast('comment_id', dbt.type_string()) }} as comment_id,
        {{ dbt.cast('thread_id', dbt.type_string()) }} as thread_id,
        {{ dbt.cast('video_id', dbt.type_string()) }} as video_id,
        {{ dbt.cast('channel_id', dbt.type_string()) }} as channel_id,
        {{ dbt.cast('parent_id', dbt.type_string()) }} as parent_comment_id,
        {{ dbt.cast('like_count', dbt.type_bigint()) }} as like_count,
        {{ dbt.cast('total_reply_count', dbt.type_bigint()) }} as total_reply_count,
        {{ utc_timestamp('published_at') }} as published_at,
        {{ utc_timestamp('updated_at') }} as updated_at,
        {{ dbt.cast('author_channel_id_hash', dbt.type_string()) }} as author_channel_id_hash,
        {{ dbt.cast('author_display_name_hash', dbt.type_string()) }} as author_display_name_hash,
        {{ dbt.cast('is_from_channel', dbt.type_boolean()) }} as is_from_channel,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('youtube', 'comments')) }} as dlt_load_id
    from {{ source('youtube', 'comments') }}
)
{{ deduplicate('renamed', 'comment_id', 'fetched_at desc') }}
