-- Clicks per Brevo campaign link and run day: the running total and its gain since the
-- previous snapshot (the first snapshot holds every click before it). A link nobody clicked
-- has no row (Brevo lists clicked links only).
with renamed as (
    select
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('campaign_id', dbt.type_bigint()) }} as campaign_id,
        {{ dbt.cast('url', dbt.type_string()) }} as link_url,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ dbt.cast('clicks', dbt.type_bigint()) }} as cumulative_clicks,
        {{ utc_timestamp('fetched_at') }} as fetched_at
    from {{ source('brevo', 'link_stats') }}
),
deduplicated as (
    {{ deduplicate('renamed', 'brand_id, campaign_id, link_url, snapshot_date', 'fetched_at desc') | indent(4) }}
)
select
    brand_id,
    campaign_id,
    {{ dbt.concat(["brand_id", "':'", dbt.cast('campaign_id', dbt.type_string())]) }} as campaign_key,
    link_url,
    snapshot_date,
    cumulative_clicks,
    cumulative_clicks - coalesce(
        lag(cumulative_clicks) over (partition by brand_id, campaign_id, link_url order by snapshot_date), 0
    ) as clicks,
    row_number() over (partition by brand_id, campaign_id, link_url order by snapshot_date) = 1 as is_first_snapshot,
    fetched_at
from deduplicated
