-- Invariant (no fan-out, nothing lost): per model and period type, mart_channel_attribution
-- sums to the attributed conversions and revenue of fct_attribution and to the spend of the
-- marketing_spend seed.
with mart as (
    select
        model,
        period_type,
        sum(attributed_conversions) as conversions,
        sum(attributed_revenue) as revenue,
        coalesce(sum(spend), 0) as spend
    from {{ ref('mart_channel_attribution') }}
    group by model, period_type
),

facts as (
    select model, sum(credit) as conversions, sum(attributed_revenue) as revenue
    from {{ ref('fct_attribution') }}
    group by model
),

spend as (
    select coalesce(sum(spend), 0) as spend from {{ ref('marketing_spend') }}
)

select mart.*, facts.conversions as fact_conversions, spend.spend as seed_spend
from mart
left join facts on mart.model = facts.model
cross join spend
where {{ differs_beyond_rounding('mart.conversions', 'coalesce(facts.conversions, 0)') }}
   or {{ differs_beyond_rounding('mart.revenue', 'coalesce(facts.revenue, 0)') }}
   or {{ differs_beyond_rounding('mart.spend', 'spend.spend') }}
