-- Invariant: under each model, a closed-won deal's attributed revenue sums to its amount, as
-- fct_crm_deals holds it (NULL amount: 0), never to anything the mart computes itself.
with attributed as (
    select deal_key, model, sum(attributed_revenue) as attributed_revenue
    from {{ ref('mart_deal_attribution') }}
    group by deal_key, model
)

select attributed.*, deals.amount
from attributed
inner join {{ ref('fct_crm_deals') }} as deals using (deal_key)
where abs(attributed.attributed_revenue - coalesce(deals.amount, 0)) > 1e-6
