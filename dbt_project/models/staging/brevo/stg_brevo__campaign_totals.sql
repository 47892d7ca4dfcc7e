-- One row per Brevo campaign: when it was sent and its running totals at the latest snapshot
-- (Brevo's globalStats as last read), the figures to report per campaign. Campaigns not yet
-- snapshotted keep their row with NULL totals. click_rate follows Brevo's report: unique
-- clicks / delivered x 100 (https://help.brevo.com/hc/en-us/articles/208828089, "Click rate").
with latest as (
    select
        *,
        row_number() over (partition by brand_id, campaign_id order by snapshot_date desc) as recency
    from {{ ref('stg_brevo__campaign_stats_daily') }}
)

select
    campaigns.brand_id,
    campaigns.campaign_id,
    campaigns.campaign_key,
    campaigns.campaign_name,
    campaigns.tag,
    campaigns.utm_campaign,
    campaigns.sent_at,
    {{ dbt.cast('campaigns.sent_at', 'date') }} as sent_date,
    latest.snapshot_date as stats_date,
    latest.cumulative_sent as sent,
    latest.cumulative_delivered as delivered,
    latest.cumulative_unique_views as unique_views,
    latest.cumulative_unique_clicks as unique_clicks,
    latest.cumulative_clicks as clicks,
    latest.cumulative_unsubscriptions as unsubscriptions,
    case when latest.cumulative_delivered > 0
        then 100 * {{ dbt.cast('latest.cumulative_unique_clicks', type_double()) }} / latest.cumulative_delivered
    end as click_rate
from {{ ref('stg_brevo__campaigns') }} as campaigns
left join latest
    on campaigns.brand_id = latest.brand_id
   and campaigns.campaign_id = latest.campaign_id
   and latest.recency = 1
