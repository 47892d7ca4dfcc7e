-- Records the brevo source refused, for monitoring (see macros/staging_quarantine.sql).
{{ staging_quarantine('brevo') }}
