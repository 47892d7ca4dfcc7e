-- The contacts of each HubSpot deal (v4 associations), one row per portal, deal and contact.
with renamed as (
    select
        {{ dbt.cast('portal_id', dbt.type_string()) }} as portal_id,
        {{ dbt.cast('deal_id', dbt.type_string()) }} as deal_id,
        {{ dbt.cast('contact_id', dbt.type_string()) }} as contact_id,
        {{ dbt.cast('association_type_id', dbt.type_int()) }} as association_type_id,
        {{ utc_timestamp('fetched_at') }} as fetched_at
    from {{ source('hubspot', 'deal_contacts') }}
)
{{ deduplicate('renamed', 'portal_id, deal_id, contact_id', 'fetched_at desc') }}
