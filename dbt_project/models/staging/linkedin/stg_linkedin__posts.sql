-- LinkedIn organization posts: one row per post URN (latest fetch wins, so edits show).
with renamed as (
    select
        {{ dbt.cast('post_urn', dbt.type_string()) }} as post_urn,
        {{ dbt.cast('organization_id', dbt.type_string()) }} as organization_id,
        {{ dbt.cast('post_type', dbt.type_string()) }} as post_type,
        {{ dbt.cast('author_urn', dbt.type_string()) }} as author_urn,
        {{ dbt.cast('commentary', dbt.type_string()) }} as commentary_little_text,
        {{ dbt.cast('commentary_text', dbt.type_string()) }} as commentary,
        lower({{ dbt.cast('content_type', dbt.type_string()) }}) as content_type,
        {{ dbt.cast('media_urn', dbt.type_string()) }} as media_urn,
        {{ dbt.cast('media_count', dbt.type_bigint()) }} as media_count,
        {{ dbt.cast('article_url', dbt.type_string()) }} as article_url,
        {{ dbt.cast('article_title', dbt.type_string()) }} as article_title,
        {{ dbt.cast('link_url', dbt.type_string()) }} as link_url,
        upper({{ dbt.cast('visibility', dbt.type_string()) }}) as visibility,
        upper({{ dbt.cast('lifecycle_state', dbt.type_string()) }}) as lifecycle_state,
        upper({{ dbt.cast('feed_distribution', dbt.type_string()) }}) as feed_distribution,
        coalesce({{ dbt.cast('is_edited', dbt.type_boolean()) }}, false) as is_edited,
        {{ dbt.cast('is_reshare_disabled', dbt.type_boolean()) }} as is_reshare_disabled,
        {{ dbt.cast('reshare_parent_urn', dbt.type_string()) }} as reshare_parent_urn,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('published_at') }} as published_at,
        {{ utc_timestamp('last_modified_at') }} as last_modified_at,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('linkedin', 'linkedin_posts')) }} as dlt_load_id
    from {{ source('linkedin', 'linkedin_posts') }}
)
{{ deduplicate('renamed', 'post_urn', 'fetched_at desc') }}
