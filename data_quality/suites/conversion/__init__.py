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
from data_quality.suites.conversion.deals import SUITES as DEAL_SUITES
from data_quality.suites.conversion.sessions import FCT_SESSIONS, FCT_SESSIONS_PLAUSIBILITY

SUITES = (
    FCT_SESSIONS,
    FCT_SESSIONS_PLAUSIBILITY,
    FCT_ATTRIBUTION,
    FCT_ATTRIBUTION_PLAUSIBILITY,
    MART_CHANNEL_ATTRIBUTION,
    MART_CHANNEL_ATTRIBUTION_PLAUSIBILITY,
)
# The CRM deal marts (issue 16): their own tuple, registered in ALL_SUITES beside SUITES.
# Tests: tests/data_quality/test_deal_suites.py.

__all__ = [
    "DEAL_SUITES",
    "FCT_ATTRIBUTION",
    "FCT_ATTRIBUTION_PLAUSIBILITY",
    "FCT_SESSIONS",
    "FCT_SESSIONS_PLAUSIBILITY",
    "MART_CHANNEL_ATTRIBUTION",
    "MART_CHANNEL_ATTRIBUTION_PLAUSIBILITY",
    "SUITES",
]
