-- Invariant: no 'denied' session in any path; no 'unknown' one either when
-- var attribution_unknown_consent is exclude. Read from fct_sessions.
select attribution.conversion_key, attribution.session_key, sessions.consent
from {{ ref('fct_attribution') }} as attribution
inner join {{ ref('fct_sessions') }} as sessions
    on attribution.session_key = sessions.session_key
where not ({{ attribution_consent_allowed('sessions.consent') }})
