-- Records the trustpilot source refused, for monitoring (see macros/staging_quarantine.sql).
{{ staging_quarantine('trustpilot') }}
