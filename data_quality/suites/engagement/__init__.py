"""Suites on the engagement marts, the public contract BI tools read: one module per mart,
each with a blocking contract suite and a warning plausibility suite."""

from data_quality.suites.engagement.account_daily import (
    FCT_ACCOUNT_DAILY,
    FCT_ACCOUNT_DAILY_PLAUSIBILITY,
)
from data_quality.suites.engagement.pillar_performance import (
    MART_PILLAR_PERFORMANCE,
    MART_PILLAR_PERFORMANCE_PLAUSIBILITY,
)
from data_quality.suites.engagement.post_performance import (
    FCT_POST_PERFORMANCE,
    FCT_POST_PERFORMANCE_PLAUSIBILITY,
)

SUITES = (
    FCT_POST_PERFORMANCE,
    FCT_POST_PERFORMANCE_PLAUSIBILITY,
    FCT_ACCOUNT_DAILY,
    FCT_ACCOUNT_DAILY_PLAUSIBILITY,
    MART_PILLAR_PERFORMANCE,
    MART_PILLAR_PERFORMANCE_PLAUSIBILITY,
)

__all__ = [
    "FCT_ACCOUNT_DAILY",
    "FCT_ACCOUNT_DAILY_PLAUSIBILITY",
    "FCT_POST_PERFORMANCE",
    "FCT_POST_PERFORMANCE_PLAUSIBILITY",
    "MART_PILLAR_PERFORMANCE",
    "MART_PILLAR_PERFORMANCE_PLAUSIBILITY",
    "SUITES",
]
