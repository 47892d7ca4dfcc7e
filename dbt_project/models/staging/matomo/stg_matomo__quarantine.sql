-- Records the matomo source refused, for monitoring (see macros/staging_quarantine.sql).
{{ staging_quarantine('matomo') }}
