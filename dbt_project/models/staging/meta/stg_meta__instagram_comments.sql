-- Instagram comments and replies: one row per comment. Authors are pseudonymised hashes.
-- Free text is not staged: it stays in the raw table and restricted.rst_inbound_texts.
with renamed as (
    select
        {{ dbt.cast('comment_id', dbt.type_string()) }} as comment_id,
        {{ dbt.cast('media_id', dbt.type_string()) }} as media_id,
        {{ dbt.cast('ig_user_id', dbt.type_string()) }} as ig_user_id,
        {{ dbt.cast('parent_id', dbt.type_string()) }} as parent_comment_id,
        {{ utc_timestamp(adapter.quote('timestamp')) }} as created_at,
        {{ dbt.cast('like_count', dbt.type_bigint()) }} as like_count,
        {{ dbt.cast('author_id_hash', dbt.type_string()) }} as author_id_hash,
        {{ dbt.cast('author_username_hash', dbt.type_string()) }} as author_username_hash,
        {{ dbt.cast('is_from_owner', dbt.type_boolean()) }} as is_from_owner,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('meta', 'instagram_comments')) }} as dlt_load_id
    from {{ source('meta', 'instagram_comments') }}
)
{{ deduplicate('renamed', 'comment_id', 'fetched_at desc') }}
