-- Brevo campaign statistics per campaign and run day: the running totals Brevo reports
-- (cumulative_*) and what they gained since the previous snapshot (the day's sends, opens,
-- clicks, unsubscriptions). Brevo gives totals only; a campaign's first snapshot holds
-- everything before it (is_first_snapshot), so a day's figure is exact from the second
-- snapshot on. Snapshots are taken when the source runs (daily), so a "day" runs from one
-- run to the next.
with renamed as (
    select
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('campaign_id', dbt.type_bigint()) }} as campaign_id,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {% for col in ['sent', 'delivered', 'hard_bounces', 'soft_bounces', 'unique_views', 'views', 'unique_clicks', 'clicks', 'unsubscriptions', 'complaints'] -%}
        {{ dbt.cast(col, dbt.type_bigint()) }} as cumulative_{{ col }},
        {% endfor -%}
        {{ utc_timestamp('fetched_at') }} as fetched_at
    from {{ source('brevo', 'campaign_stats') }}
),
deduplicated as (
    {{ deduplicate('renamed', 'brand_id, campaign_id, snapshot_date', 'fetched_at desc') | indent(4) }}
)
select
    brand_id,
    campaign_id,
    {{ dbt.concat(["brand_id", "':'", dbt.cast('campaign_id', dbt.type_string())]) }} as campaign_key,
    snapshot_date,
    {% for col in ['sent', 'delivered', 'unique_views', 'views', 'unique_clicks', 'clicks', 'unsubscriptions', 'complaints'] -%}
    cumulative_{{ col }},
    cumulative_{{ col }} - coalesce(
        lag(cumulative_{{ col }}) over (partition by brand_id, campaign_id order by snapshot_date), 0
    ) as {{ col }},
    {% endfor -%}
    row_number() over (partition by brand_id, campaign_id order by snapshot_date) = 1 as is_first_snapshot,
    fetched_at
from deduplicated
