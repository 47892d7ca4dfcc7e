-- Google Business Profile reviews: one row per review (the latest fetch wins, so a reply that
-- arrived later is present). Reviewer names are pseudonymised hashes.
-- Free text is not staged: it stays in the raw table and restricted.rst_inbound_texts.
with renamed as (
    select
        {{ dbt.cast('review_name', dbt.type_string()) }} as review_name,
        {{ dbt.cast('review_id', dbt.type_string()) }} as review_id,
        {{ dbt.cast('location_name', dbt.type_string()) }} as location_name,
        {{ dbt.split_part('location_name', "'/locations/'", 1) }} as account_name,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('reviewer_name_hash', dbt.type_string()) }} as reviewer_name_hash,
        {{ dbt.cast('reviewer_is_anonymous', dbt.type_boolean()) }} as is_reviewer_anonymous,
        {{ dbt.cast('reviewer_has_photo', dbt.type_boolean()) }} as has_reviewer_photo,
        {{ dbt.cast('star_rating', dbt.type_string()) }} as star_rating_enum,
        {{ dbt.cast('rating', dbt.type_int()) }} as star_rating,
        comment is not null as has_text,
        {{ utc_timestamp('create_time') }} as created_at,
        {{ utc_timestamp('update_time') }} as updated_at,
        {{ utc_timestamp('reply_update_time') }} as replied_at,
        reply_update_time is not null as has_reply,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('google_business', 'reviews')) }} as dlt_load_id
    from {{ source('google_business', 'reviews') }}
)
{{ deduplicate('renamed', 'review_name', 'fetched_at desc') }}
