-- Invariant: every closed-won deal of fct_crm_deals has all six models in
-- mart_deal_attribution (a touch from a linked visit or the original-source fallback), and
-- no other deal is there.
with models as (
    select deal_key, count(distinct model) as models
    from {{ ref('mart_deal_attribution') }}
    group by deal_key
),

won as (
    select deal_key from {{ ref('fct_crm_deals') }} where is_closed_won
)

select coalesce(won.deal_key, models.deal_key) as deal_key, models.models
from won
full outer join models on won.deal_key = models.deal_key
where won.deal_key is null or models.deal_key is null
   or models.models <> {{ attribution_models() | length }}
