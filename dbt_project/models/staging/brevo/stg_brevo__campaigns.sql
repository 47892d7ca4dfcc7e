-- Brevo e-mail campaigns, one row per account (brand) and campaign. utm_campaign is the one
-- most of the campaign's links carry (the links themselves: stg_brevo__campaign_links).
with renamed as (
    select
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('campaign_id', dbt.type_bigint()) }} as campaign_id,
        {{ dbt.concat(["brand_id", "':'", dbt.cast('campaign_id', dbt.type_string())]) }} as campaign_key,
        {{ dbt.cast('name', dbt.type_string()) }} as campaign_name,
        {{ dbt.cast('subject', dbt.type_string()) }} as subject,
        {{ dbt.cast('tag', dbt.type_string()) }} as tag,
        {{ dbt.cast('status', dbt.type_string()) }} as status,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('sent_at') }} as sent_at,
        {{ dbt.cast('utm_campaign', dbt.type_string()) }} as utm_campaign,
        {{ utc_timestamp('fetched_at') }} as fetched_at
    from {{ source('brevo', 'campaigns') }}
)
{{ deduplicate('renamed', 'brand_id, campaign_id', 'fetched_at desc') }}
