-- Trustpilot review metrics as listed on a day: one row per review and snapshot date.
with renamed as (
    select
        {{ dbt.cast('review_id', dbt.type_string()) }} as review_id,
        {{ dbt.cast('business_unit_id', dbt.type_string()) }} as business_unit_id,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ dbt.cast('stars', dbt.type_int()) }} as stars,
        {{ dbt.cast('number_of_likes', dbt.type_bigint()) }} as like_count,
        {{ dbt.cast('has_reply', dbt.type_boolean()) }} as has_reply,
        {{ dbt.cast('is_edited', dbt.type_boolean()) }} as is_edited,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('trustpilot', 'review_snapshots')) }} as dlt_load_id
    from {{ source('trustpilot', 'review_snapshots') }}
)
{{ deduplicate('renamed', 'review_id, snapshot_date', 'fetched_at desc') }}
