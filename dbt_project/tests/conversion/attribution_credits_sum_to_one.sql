-- Invariant: under each model, the credits of an attributed conversion sum to 1.
select conversion_key, model, sum(credit) as total_credit
from {{ ref('fct_attribution') }}
group by conversion_key, model
having abs(sum(credit) - 1.0) > 1e-9
