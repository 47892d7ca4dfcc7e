-- Invariant: under each model, the credits of a closed-won deal sum to 1 (mart_deal_attribution).
select deal_key, model, sum(credit) as total_credit
from {{ ref('mart_deal_attribution') }}
group by deal_key, model
having abs(sum(credit) - 1.0) > 1e-9
