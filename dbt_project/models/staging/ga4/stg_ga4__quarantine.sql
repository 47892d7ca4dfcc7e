-- Records the ga4 source refused, for monitoring (see macros/staging_quarantine.sql).
{{ staging_quarantine('ga4') }}
