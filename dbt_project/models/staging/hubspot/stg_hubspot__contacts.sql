-- HubSpot contacts: one row per portal and contact (latest fetch wins), with the lifecycle
-- stage, HubSpot's original source (hs_analytics_source and its two drill-downs) and the UTMs
-- the site's forms store. People are keyed hashes; web_user_key joins the web analytics' user
-- ids once they are hashed under the same purpose (docs/sources/hubspot.md, "Identity").
with renamed as (
    select
        {{ dbt.cast('portal_id', dbt.type_string()) }} as portal_id,
        {{ dbt.cast('contact_id', dbt.type_string()) }} as contact_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at,
        {{ dbt.cast('email_hash', dbt.type_string()) }} as email_hash,
        {{ dbt.cast('firstname_hash', dbt.type_string()) }} as firstname_hash,
        {{ dbt.cast('lastname_hash', dbt.type_string()) }} as lastname_hash,
        {{ dbt.cast('phone_hash', dbt.type_string()) }} as phone_hash,
        {{ dbt.cast('web_user_key', dbt.type_string()) }} as web_user_key,
        lower({{ dbt.cast('lifecycle_stage', dbt.type_string()) }}) as lifecycle_stage,
        {{ dbt.cast('analytics_source', dbt.type_string()) }} as original_source,
        {{ dbt.cast('analytics_source_data_1', dbt.type_string()) }} as original_source_detail_1,
        {{ dbt.cast('analytics_source_data_2', dbt.type_string()) }} as original_source_detail_2,
        lower({{ dbt.cast('utm_source', dbt.type_string()) }}) as utm_source,
        lower({{ dbt.cast('utm_medium', dbt.type_string()) }}) as utm_medium,
        {{ dbt.cast('utm_campaign', dbt.type_string()) }} as utm_campaign,
        {{ dbt.cast('utm_content', dbt.type_string()) }} as utm_content,
        {{ dbt.cast('utm_term', dbt.type_string()) }} as utm_term,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('hubspot', 'contacts')) }} as dlt_load_id
    from {{ source('hubspot', 'contacts') }}
)
{{ deduplicate('renamed', 'portal_id, contact_id', 'fetched_at desc') }}
