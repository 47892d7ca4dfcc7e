-- Records the hubspot source refused, for monitoring (see macros/staging_quarantine.sql).
{{ staging_quarantine('hubspot') }}
