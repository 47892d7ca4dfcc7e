-- Instagram media: one row per media.
with renamed as (
    select
        {{ dbt.cast('media_id', dbt.type_string()) }} as media_id,
        {{ dbt.cast('ig_user_id', dbt.type_string()) }} as ig_user_id,
        {{ dbt.cast('caption', dbt.type_string()) }} as caption,
        upper({{ dbt.cast('media_type', dbt.type_string()) }}) as media_type,
        upper({{ dbt.cast('media_product_type', dbt.type_string()) }}) as media_product_type,
        {{ dbt.cast('permalink', dbt.type_string()) }} as permalink_url,
        {{ dbt.cast('shortcode', dbt.type_string()) }} as shortcode,
        {{ utc_timestamp(adapter.quote('timestamp')) }} as created_at,
        {{ dbt.cast('username', dbt.type_string()) }} as username,
        {{ dbt.cast('is_comment_enabled', dbt.type_boolean()) }} as is_comment_enabled,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('meta', 'instagram_media')) }} as dlt_load_id
    from {{ source('meta', 'instagram_media') }}
)
{{ deduplicate('renamed', 'media_id', 'fetched_at desc') }}
