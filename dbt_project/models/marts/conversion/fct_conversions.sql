-- One row per Matomo goal conversion or ecommerce order, on the grain of its session: the
-- session's stitched visitor_key, brand, currency and consent (a conversion inherits them).
select
    {{ dbt.concat(["conversions.site_id", "'-'", "conversions.conversion_id"]) }} as conversion_key,
    {{ dbt.concat(["conversions.site_id", "'-'", dbt.cast('conversions.visit_id', dbt.type_string())]) }} as session_key,
    sessions.visitor_key,
    sessions.brand_id,
    conversions.site_id,
    conversions.converted_at,
    case when conversions.conversion_type = 'ecommerceOrder' then 'order' else 'goal' end as conversion_type,
    case when conversions.conversion_type = 'ecommerceOrder' then null else conversions.goal_id end as goal_id,
    conversions.goal_name,
    conversions.order_id,
    conversions.revenue,
    sessions.currency,
    coalesce(sessions.consent, 'unknown') as consent
from {{ ref('stg_matomo__conversions') }} as conversions
left join {{ ref('fct_sessions') }} as sessions
    on conversions.site_id = sessions.site_id
    and conversions.visit_id = sessions.visit_id
