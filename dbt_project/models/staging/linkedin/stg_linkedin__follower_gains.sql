-- LinkedIn follower gains of an organization per UTC day (organic and paid; net, so a day can
-- be negative). One row per organization and day.
with renamed as (
    select
        {{ dbt.cast('organization_id', dbt.type_string()) }} as organization_id,
        {{ dbt.cast(adapter.quote('date'), 'date') }} as gain_date,
        {{ dbt.cast('organic_follower_gain', dbt.type_bigint()) }} as organic_follower_gain,
        {{ dbt.cast('paid_follower_gain', dbt.type_bigint()) }} as paid_follower_gain,
        {{ dbt.cast('organic_follower_gain', dbt.type_bigint()) }}
            + coalesce({{ dbt.cast('paid_follower_gain', dbt.type_bigint()) }}, 0) as follower_gain,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('linkedin', 'linkedin_follower_gains')) }} as dlt_load_id
    from {{ source('linkedin', 'linkedin_follower_gains') }}
)
{{ deduplicate('renamed', 'organization_id, gain_date', 'fetched_at desc') }}
