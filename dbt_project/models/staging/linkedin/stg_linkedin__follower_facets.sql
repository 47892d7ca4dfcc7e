-- LinkedIn lifetime follower counts by facet (seniority, function, industry, country, company
-- size, association type): one row per organization, snapshot date, facet and facet value.
with renamed as (
    select
        {{ dbt.cast('organization_id', dbt.type_string()) }} as organization_id,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ dbt.cast('facet', dbt.type_string()) }} as facet,
        {{ dbt.cast('facet_value', dbt.type_string()) }} as facet_value,
        {{ dbt.cast('organic_follower_count', dbt.type_bigint()) }} as organic_follower_count,
        {{ dbt.cast('paid_follower_count', dbt.type_bigint()) }} as paid_follower_count,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('linkedin', 'linkedin_follower_facets')) }} as dlt_load_id
    from {{ source('linkedin', 'linkedin_follower_facets') }}
)
{{ deduplicate('renamed', 'organization_id, snapshot_date, facet, facet_value', 'fetched_at desc') }}
