-- Invariant: no touch after its conversion, none older than the lookback, read from the
-- sessions and conversions themselves (not from fct_attribution's copies of the times).
select
    attribution.conversion_key,
    attribution.session_key,
    sessions.started_at,
    conversions.converted_at
from {{ ref('fct_attribution') }} as attribution
inner join {{ ref('fct_sessions') }} as sessions
    on attribution.session_key = sessions.session_key
inner join {{ ref('fct_conversions') }} as conversions
    on attribution.conversion_key = conversions.conversion_key
where sessions.started_at > conversions.converted_at
   or sessions.started_at < {{ dbt.dateadd('day', -1 * var('attribution_lookback_days') | int,
                                           'conversions.converted_at') }}
