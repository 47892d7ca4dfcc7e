-- Facebook comments and replies: one row per comment. Authors are pseudonymised hashes.
-- Free text is not staged: it stays in the raw table and restricted.rst_inbound_texts.
with renamed as (
    select
        {{ dbt.cast('comment_id', dbt.type_string()) }} as comment_id,
        {{ dbt.cast('post_id', dbt.type_string()) }} as post_id,
        {{ dbt.cast('page_id', dbt.type_string()) }} as page_id,
        {{ dbt.cast('parent_id', dbt.type_string()) }} as parent_comment_id,
        {{ utc_timestamp('created_time') }} as created_at,
        {{ dbt.cast('like_count', dbt.type_bigint()) }} as like_count,
        {{ dbt.cast('comment_count', dbt.type_bigint()) }} as reply_count,
        {{ dbt.cast('author_id_hash', dbt.type_string()) }} as author_id_hash,
        {{ dbt.cast('author_name_hash', dbt.type_string()) }} as author_name_hash,
        {{ dbt.cast('is_from_page', dbt.type_boolean()) }} as is_from_page,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('meta', 'facebook_comments')) }} as dlt_load_id
    from {{ source('meta', 'facebook_comments') }}
)
{{ deduplicate('renamed', 'comment_id', 'fetched_at desc') }}
