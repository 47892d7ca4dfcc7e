"""Suites on the reputation marts (fct_inbound_items, fct_reviews, mart_reputation_daily): one
module per mart, each with a blocking contract suite (keys, ratings 1-5, responses not before
arrival, rates recomputed from their parts) and a warning plausibility suite."""

from data_quality.suites.reputation.inbound_items import (
    FCT_INBOUND_ITEMS,
    FCT_INBOUND_ITEMS_PLAUSIBILITY,
)
from data_quality.suites.reputation.reputation_daily import (
    MART_REPUTATION_DAILY,
    MART_REPUTATION_DAILY_PLAUSIBILITY,
)
from data_quality.suites.reputation.reviews import FCT_REVIEWS, FCT_REVIEWS_PLAUSIBILITY

SUITES = (
    FCT_INBOUND_ITEMS,
    FCT_INBOUND_ITEMS_PLAUSIBILITY,
    FCT_REVIEWS,
    FCT_REVIEWS_PLAUSIBILITY,
    MART_REPUTATION_DAILY,
    MART_REPUTATION_DAILY_PLAUSIBILITY,
)

__all__ = [
    "FCT_INBOUND_ITEMS",
    "FCT_INBOUND_ITEMS_PLAUSIBILITY",
    "FCT_REVIEWS",
    "FCT_REVIEWS_PLAUSIBILITY",
    "MART_REPUTATION_DAILY",
    "MART_REPUTATION_DAILY_PLAUSIBILITY",
    "SUITES",
]
