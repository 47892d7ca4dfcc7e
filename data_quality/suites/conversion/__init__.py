"""Suites on the conversion marts: one module per mart, each with a blocking contract suite
(formulas and cross-table invariants; dbt owns keys, not-null and vocabularies) and a warning
plausibility suite."""

from data_quality.suites.conversion.attribution import (
    FCT_ATTRIBUTION,
    FCT_ATTRIBUTION_PLAUSIBILITY,
)
from data_quality.suites.conversion.channel_attribution import (
    MART_CHANNEL_ATTRIBUTION,
    MART_CHANNEL_ATTRIBUTION_PLAUSIBILITY,
)
from data_quality.suites.conversion.sessions import FCT_SESSIONS, FCT_SESSIONS_PLAUSIBILITY

SUITES = (
    FCT_SESSIONS,
    FCT_SESSIONS_PLAUSIBILITY,
    FCT_ATTRIBUTION,
    FCT_ATTRIBUTION_PLAUSIBILITY,
    MART_CHANNEL_ATTRIBUTION,
    MART_CHANNEL_ATTRIBUTION_PLAUSIBILITY,
)

__all__ = [
    "FCT_ATTRIBUTION",
    "FCT_ATTRIBUTION_PLAUSIBILITY",
    "FCT_SESSIONS",
    "FCT_SESSIONS_PLAUSIBILITY",
    "MART_CHANNEL_ATTRIBUTION",
    "MART_CHANNEL_ATTRIBUTION_PLAUSIBILITY",
    "SUITES",
]
