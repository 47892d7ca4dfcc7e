-- Records the search_console source refused, for monitoring (see macros/staging_quarantine.sql).
{{ staging_quarantine('search_console') }}
