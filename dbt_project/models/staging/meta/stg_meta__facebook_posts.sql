-- Facebook Page posts: one row per post.
with renamed as (
    select
        {{ dbt.cast('post_id', dbt.type_string()) }} as post_id,
        {{ dbt.cast('page_id', dbt.type_string()) }} as page_id,
        {{ dbt.cast('message', dbt.type_string()) }} as message,
        {{ utc_timestamp('created_time') }} as created_at,
        {{ dbt.cast('permalink_url', dbt.type_string()) }} as permalink_url,
        lower({{ dbt.cast('status_type', dbt.type_string()) }}) as status_type,
        {{ dbt.cast('full_picture', dbt.type_string()) }} as full_picture_url,
        lower({{ dbt.cast('attachment_type', dbt.type_string()) }}) as attachment_type,
        lower({{ dbt.cast('attachment_media_type', dbt.type_string()) }}) as attachment_media_type,
        {{ dbt.cast('link_url', dbt.type_string()) }} as link_url,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('meta', 'facebook_posts')) }} as dlt_load_id
    from {{ source('meta', 'facebook_posts') }}
)
{{ deduplicate('renamed', 'post_id', 'fetched_at desc') }}
