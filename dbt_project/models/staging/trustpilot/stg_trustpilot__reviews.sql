-- Trustpilot reviews with the company reply: one row per review (latest fetch wins).
-- Consumers and reply authors are pseudonymised hashes. The title, text and reply text stay in
-- the raw table and restricted.rst_inbound_texts: free text is not staged (has_text says if any).
with renamed as (
    select
        {{ dbt.cast('review_id', dbt.type_string()) }} as review_id,
        {{ dbt.cast('business_unit_id', dbt.type_string()) }} as business_unit_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('stars', dbt.type_int()) }} as stars,
        text is not null or title is not null as has_text,
        lower({{ dbt.cast('language', dbt.type_string()) }}) as language_code,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at,
        {{ utc_timestamp('experienced_at') }} as experienced_at,
        updated_at is not null as is_edited,
        {{ dbt.cast('consumer_id_hash', dbt.type_string()) }} as consumer_key,
        {{ dbt.cast('consumer_name_hash', dbt.type_string()) }} as consumer_name_hash,
        {{ dbt.cast('consumer_number_of_reviews', dbt.type_bigint()) }} as consumer_review_count,
        {{ dbt.cast('is_verified', dbt.type_boolean()) }} as is_verified,
        {{ dbt.cast('number_of_likes', dbt.type_bigint()) }} as like_count,
        {{ dbt.cast('status', dbt.type_string()) }} as review_status,
        {{ dbt.cast('has_reply', dbt.type_boolean()) }} as has_reply,
        {{ dbt.cast('reply_author_hash', dbt.type_string()) }} as reply_author_hash,
        {{ utc_timestamp('reply_created_at') }} as replied_at,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('trustpilot', 'reviews')) }} as dlt_load_id
    from {{ source('trustpilot', 'reviews') }}
)
{{ deduplicate('renamed', 'review_id', 'fetched_at desc') }}
