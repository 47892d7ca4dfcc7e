-- The links of each Brevo campaign with their UTM parameters (as written, not lower-cased) and
-- their path, which joins GA4's landing pages and Search Console's pages.
with renamed as (
    select
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('campaign_id', dbt.type_bigint()) }} as campaign_id,
        {{ dbt.concat(["brand_id", "':'", dbt.cast('campaign_id', dbt.type_string())]) }} as campaign_key,
        {{ dbt.cast('url', dbt.type_string()) }} as link_url,
        {{ dbt.cast('link_path', dbt.type_string()) }} as link_path,
        {{ dbt.cast('utm_source', dbt.type_string()) }} as utm_source,
        {{ dbt.cast('utm_medium', dbt.type_string()) }} as utm_medium,
        {{ dbt.cast('utm_campaign', dbt.type_string()) }} as utm_campaign,
        {{ dbt.cast('utm_content', dbt.type_string()) }} as utm_content,
        {{ utc_timestamp('fetched_at') }} as fetched_at
    from {{ source('brevo', 'campaign_links') }}
)
{{ deduplicate('renamed', 'brand_id, campaign_id, link_url', 'fetched_at desc') }}
