-- Invariant: every attributed conversion has all six models, each over the same touches
-- (touch_count rows per model, the converting session among them).
{%- set models = attribution_models() %}
with per_model as (
    select
        conversion_key,
        model,
        count(*) as touches,
        max(touch_count) as touch_count,
        sum(case when is_conversion_session then 1 else 0 end) as conversion_sessions
    from {{ ref('fct_attribution') }}
    group by conversion_key, model
)

select conversion_key
from per_model
group by conversion_key
having count(distinct model) <> {{ models | length }}
    or min(touches) <> max(touches)
    or max(touches) <> max(touch_count)
    or min(conversion_sessions) <> 1
    or max(conversion_sessions) <> 1
