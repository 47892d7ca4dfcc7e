-- Invariant: a conversion is in fct_attribution if and only if its own session is in
-- fct_sessions with an allowed consent (never denied; unknown per
-- var attribution_unknown_consent) and started at or before the conversion. Every other
-- conversion (e.g. its visit denied consent) stays in fct_conversions, absent from
-- fct_attribution.
with eligible as (
    select conversions.conversion_key
    from {{ ref('fct_conversions') }} as conversions
    inner join {{ ref('fct_sessions') }} as sessions
        on conversions.session_key = sessions.session_key
    where {{ attribution_consent_allowed('sessions.consent') }}
      and sessions.started_at <= conversions.converted_at
),

attributed as (
    select distinct conversion_key from {{ ref('fct_attribution') }}
)

select eligible.conversion_key, 'eligible but not attributed' as problem
from eligible
left join attributed on eligible.conversion_key = attributed.conversion_key
where attributed.conversion_key is null
union all
select attributed.conversion_key, 'attributed but not eligible' as problem
from attributed
left join eligible on attributed.conversion_key = eligible.conversion_key
where eligible.conversion_key is null
