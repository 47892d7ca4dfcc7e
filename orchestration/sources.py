"""The sources the warehouse ingests: one line each, read by the Dagster definitions.

Each source is a dlt source factory in ``ingestion/<name>/`` loading dataset ``raw_<name>``,
with the cadence of its own schedule. Adding a source is one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Source:
    """A dlt source, the dataset it writes, and when its schedule ingests it."""

    name: str
    factory_path: str
    cron: str
    description: str
    child_tables: tuple[tuple[str, str], ...] = ()
    """(table, resource): tables a resource writes beside its own (e.g. child rows). Every
    source also writes ``quarantine`` from all its resources."""

    @property
    def dataset(self) -> str:
        return f"raw_{self.name}"

    @property
    def group(self) -> str:
        return f"ingestion_{self.name}"

    def factory(self) -> Callable[..., Any]:
        module, _, attr = self.factory_path.rpartition(".")
        return getattr(importlib.import_module(module), attr)


SOURCES: tuple[Source, ...] = (
    Source("meta", "ingestion.meta.meta_source", "0 5 * * *",
           "Facebook Pages and Instagram business accounts (Meta Graph API)"),
    Source("linkedin", "ingestion.linkedin.linkedin_source", "10 5 * * *",
           "LinkedIn Community Management API: organization posts, statistics, comments"),
    Source("x", "ingestion.x.x_source", "15 */4 * * *",
           "X API v2: posts with public metrics, mentions, replies"),
    Source("tiktok", "ingestion.tiktok.tiktok_source", "30 5 * * *",
           "TikTok Display API: account followers and videos"),
    Source("youtube", "ingestion.youtube.youtube_source", "45 5 * * *",
           "YouTube Data API v3 and Analytics v2: videos, comments, daily analytics",
           child_tables=(("comments_disabled", "comments"),)),
    Source("google_business", "ingestion.google_business.google_business_source",
           "0 */2 * * *", "Google Business Profile reviews of every location"),
    Source("trustpilot", "ingestion.trustpilot.trustpilot_source", "20 */2 * * *",
           "Trustpilot business-unit reviews with company replies"),
    Source("ga4", "ingestion.ga4.ga4_source", "0 7 * * *",
           "GA4 Data API: daily traffic by source, medium, campaign and channel group",
           child_tables=(("report_runs", "traffic_daily"),)),
    Source("matomo", "ingestion.matomo.matomo_source", "10 7 * * *",
           "Matomo Live API: visits with campaigns, consent, goals and orders",
           child_tables=(("conversions", "visits"),)),
)  # fmt: skip
