"""The sources the warehouse ingests: one line each. Dagster, the one-source runner, the demo
and the benchmarks read this list; adding a source is one line here.

Each source is a dlt source factory in ``ingestion/<name>/`` loading dataset ``raw_<name>``,
with the cadence its schedule ingests it at (UTC cron).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ingestion.brevo import brevo_source
from ingestion.ga4 import ga4_source
from ingestion.google_business import google_business_source
from ingestion.hubspot import hubspot_source
from ingestion.linkedin import linkedin_source
from ingestion.matomo import matomo_source
from ingestion.meta import meta_source
from ingestion.search_console import search_console_source
from ingestion.tiktok import tiktok_source
from ingestion.trustpilot import trustpilot_source
from ingestion.x import x_source
from ingestion.youtube import youtube_source


@dataclass(frozen=True)
class Source:
    """A dlt source, the dataset it writes, and when its schedule ingests it."""

    name: str
    factory: Callable[..., Any]
    """The dlt source function (``@dlt.source``)."""
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


SOURCES: tuple[Source, ...] = (
    Source("meta", meta_source, "0 5 * * *",
           "Facebook Pages and Instagram business accounts (Meta Graph API)"),
    Source("linkedin", linkedin_source, "10 5 * * *",
           "LinkedIn Community Management API: organization posts, statistics, comments"),
    Source("x", x_source, "15 */4 * * *",
           "X API v2: posts with public metrics, mentions, replies",
           child_tables=(("reported_totals", "accounts"),)),
    Source("tiktok", tiktok_source, "30 5 * * *",
           "TikTok Display API: account followers and videos"),
    Source("youtube", youtube_source, "45 5 * * *",
           "YouTube Data API v3 and Analytics v2: videos, comments, daily analytics",
           child_tables=(("comments_disabled", "comments"), ("reported_totals", "channels"),
                         ("reported_totals", "playlist_items"))),
    Source("google_business", google_business_source, "0 */2 * * *",
           "Google Business Profile reviews of every location",
           child_tables=(("reported_totals", "reviews"),)),
    Source("trustpilot", trustpilot_source, "20 */2 * * *",
           "Trustpilot business-unit reviews with company replies",
           child_tables=(("reported_totals", "business_units"),)),
    Source("ga4", ga4_source, "0 7 * * *",
           "GA4 Data API: daily traffic by source, medium, campaign and channel group",
           child_tables=(("report_runs", "traffic_daily"), ("reported_totals", "traffic_daily"))),
    Source("matomo", matomo_source, "10 7 * * *",
           "Matomo Live API: visits with campaigns, consent, goals and orders",
           child_tables=(("conversions", "visits"),)),
    Source("search_console", search_console_source, "20 7 * * *",
           "Google Search Console: search clicks, impressions, position by page and query"),
    Source("brevo", brevo_source, "30 7 * * *",
           "Brevo e-mail campaigns: links with UTMs, daily snapshots of sends, opens, clicks",
           child_tables=(("campaign_links", "campaigns"), ("campaign_stats", "campaigns"))),
    Source("hubspot", hubspot_source, "40 */4 * * *",
           "HubSpot CRM: contacts (original source, UTMs), deals and their contacts",
           child_tables=(("reported_totals", "contacts"), ("reported_totals", "deals"))),
)  # fmt: skip


def source_named(name: str) -> Source:
    """The registered source called ``name``; the error lists the known names."""
    for source in SOURCES:
        if source.name == name:
            return source
    known = ", ".join(s.name for s in SOURCES)
    raise KeyError(f"unknown source {name!r} (known: {known})")
