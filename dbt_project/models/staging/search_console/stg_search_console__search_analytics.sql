-- Search Console rows per site, Pacific day, page, query, country and device (the merge key).
-- page_path is the page URL without scheme and host: the key GA4's landingPage and the social
-- posts' link paths share. ctr is recomputed from the counts (clicks / impressions); position
-- is Search Console's average position (impression-weighted, 1 = top).
with renamed as (
    select
        {{ dbt.cast('site_url', dbt.type_string()) }} as site_url,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('date', 'date') }} as search_date,
        {{ dbt.cast('page', dbt.type_string()) }} as page_url,
        regexp_replace({{ dbt.cast('page', dbt.type_string()) }}, '^https?://[^/]+', '') as page_path,
        {{ dbt.cast('query', dbt.type_string()) }} as search_query,
        {{ dbt.cast('country', dbt.type_string()) }} as country_code,
        {{ dbt.cast('device', dbt.type_string()) }} as device,
        {{ dbt.cast('clicks', dbt.type_bigint()) }} as clicks,
        {{ dbt.cast('impressions', dbt.type_bigint()) }} as impressions,
        {{ dbt.cast('position', type_double()) }} as avg_position,
        coalesce({{ dbt.cast('is_final', dbt.type_boolean()) }}, true) as is_final,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('search_console', 'search_analytics')) }} as dlt_load_id
    from {{ source('search_console', 'search_analytics') }}
),
deduplicated as (
    {{ deduplicate(
        'renamed',
        'site_url, search_date, page_url, search_query, country_code, device',
        'fetched_at desc'
    ) | indent(4) }}
)
select
    *,
    {{ dbt.cast('clicks', type_double()) }} / nullif(impressions, 0) as ctr
from deduplicated
