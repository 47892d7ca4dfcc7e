-- Invariant: under each model, the attributed revenue of a conversion sums to its revenue in
-- fct_conversions (a goal without revenue sums to 0).
select
    attribution.conversion_key,
    attribution.model,
    sum(attribution.attributed_revenue) as attributed_revenue,
    max(coalesce(conversions.revenue, 0)) as conversion_revenue
from {{ ref('fct_attribution') }} as attribution
inner join {{ ref('fct_conversions') }} as conversions
    on attribution.conversion_key = conversions.conversion_key
group by attribution.conversion_key, attribution.model
having abs(sum(attribution.attributed_revenue) - max(coalesce(conversions.revenue, 0))) > 1e-6
