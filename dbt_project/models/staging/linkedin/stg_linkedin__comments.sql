-- LinkedIn comments and replies on organization posts: one row per comment URN. Authors are
-- pseudonymised hashes; `is_from_organization` marks the brand's own replies.
-- Free text is not staged: it stays in the raw table and restricted.rst_inbound_texts.
with renamed as (
    select
        {{ dbt.cast('comment_urn', dbt.type_string()) }} as comment_urn,
        {{ dbt.cast('comment_id', dbt.type_string()) }} as comment_id,
        {{ dbt.cast('post_urn', dbt.type_string()) }} as post_urn,
        {{ dbt.cast('organization_id', dbt.type_string()) }} as organization_id,
        {{ dbt.cast('parent_comment_urn', dbt.type_string()) }} as parent_comment_urn,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('last_modified_at') }} as last_modified_at,
        {{ dbt.cast('like_count', dbt.type_bigint()) }} as like_count,
        {{ dbt.cast('reply_count', dbt.type_bigint()) }} as reply_count,
        lower({{ dbt.cast('author_type', dbt.type_string()) }}) as author_type,
        {{ dbt.cast('author_urn_hash', dbt.type_string()) }} as author_urn_hash,
        {{ dbt.cast('agent_urn_hash', dbt.type_string()) }} as agent_urn_hash,
        {{ dbt.cast('is_from_organization', dbt.type_boolean()) }} as is_from_organization,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('linkedin', 'linkedin_comments')) }} as dlt_load_id
    from {{ source('linkedin', 'linkedin_comments') }}
)
{{ deduplicate('renamed', 'comment_urn', 'fetched_at desc') }}
