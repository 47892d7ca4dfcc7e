-- Records the google_business source refused, for monitoring (see macros/staging_quarantine.sql).
{{ staging_quarantine('google_business') }}
