-- LinkedIn organizations: one row per organization and snapshot date (followers = networkSizes).
with renamed as (
    select
        {{ dbt.cast('organization_id', dbt.type_string()) }} as organization_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('organization_urn', dbt.type_string()) }} as organization_urn,
        {{ dbt.cast('name', dbt.type_string()) }} as organization_name,
        {{ dbt.cast('vanity_name', dbt.type_string()) }} as vanity_name,
        {{ dbt.cast('website', dbt.type_string()) }} as website_url,
        {{ dbt.cast('followers_count', dbt.type_bigint()) }} as followers_count,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('linkedin', 'linkedin_organizations')) }} as dlt_load_id
    from {{ source('linkedin', 'linkedin_organizations') }}
)
{{ deduplicate('renamed', 'organization_id, snapshot_date', 'fetched_at desc') }}
