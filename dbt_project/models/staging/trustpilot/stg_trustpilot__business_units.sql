-- Trustpilot business unit daily snapshots: one row per business unit and snapshot date.
with renamed as (
    select
        {{ dbt.cast('business_unit_id', dbt.type_string()) }} as business_unit_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('display_name', dbt.type_string()) }} as display_name,
        {{ dbt.cast('website_url', dbt.type_string()) }} as website_url,
        {{ dbt.cast('country', dbt.type_string()) }} as country_code,
        {{ dbt.cast('status', dbt.type_string()) }} as business_unit_status,
        {{ dbt.cast('trust_score', dbt.type_float()) }} as trust_score,
        {{ dbt.cast('stars', dbt.type_float()) }} as star_rating,
        {{ dbt.cast('number_of_reviews', dbt.type_bigint()) }} as review_count,
        {{ dbt.cast('used_for_trust_score', dbt.type_bigint()) }} as trust_score_review_count,
        {{ dbt.cast('one_star', dbt.type_bigint()) }} as one_star_count,
        {{ dbt.cast('two_stars', dbt.type_bigint()) }} as two_star_count,
        {{ dbt.cast('three_stars', dbt.type_bigint()) }} as three_star_count,
        {{ dbt.cast('four_stars', dbt.type_bigint()) }} as four_star_count,
        {{ dbt.cast('five_stars', dbt.type_bigint()) }} as five_star_count,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('trustpilot', 'business_units')) }} as dlt_load_id
    from {{ source('trustpilot', 'business_units') }}
)
{{ deduplicate('renamed', 'business_unit_id, snapshot_date', 'fetched_at desc') }}
