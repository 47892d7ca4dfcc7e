-- Search Console totals per site, Pacific day and page, every query counted (anonymized ones
-- included): the figures to report per page. page_path as in stg_search_console__search_analytics.
with renamed as (
    select
        {{ dbt.cast('site_url', dbt.type_string()) }} as site_url,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('date', 'date') }} as search_date,
        {{ dbt.cast('page', dbt.type_string()) }} as page_url,
        regexp_replace({{ dbt.cast('page', dbt.type_string()) }}, '^https?://[^/]+', '') as page_path,
        {{ dbt.cast('clicks', dbt.type_bigint()) }} as clicks,
        {{ dbt.cast('impressions', dbt.type_bigint()) }} as impressions,
        {{ dbt.cast('position', type_double()) }} as avg_position,
        coalesce({{ dbt.cast('is_final', dbt.type_boolean()) }}, true) as is_final,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('search_console', 'page_daily')) }} as dlt_load_id
    from {{ source('search_console', 'page_daily') }}
),
deduplicated as (
    {{ deduplicate('renamed', 'site_url, search_date, page_url', 'fetched_at desc') | indent(4) }}
)
select
    *,
    {{ dbt.cast('clicks', type_double()) }} / nullif(impressions, 0) as ctr
from deduplicated
