-- Daily rating snapshot of each Google Business Profile location: one row per location and
-- snapshot date (the date of the API response, UTC).
with renamed as (
    select
        {{ dbt.cast('location_name', dbt.type_string()) }} as location_name,
        {{ dbt.split_part('location_name', "'/locations/'", 1) }} as account_name,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ dbt.cast('average_rating', type_double()) }} as average_rating,
        {{ dbt.cast('total_review_count', dbt.type_bigint()) }} as total_review_count,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('google_business', 'location_review_stats')) }} as dlt_load_id
    from {{ source('google_business', 'location_review_stats') }}
)
{{ deduplicate('renamed', 'location_name, snapshot_date', 'fetched_at desc') }}
