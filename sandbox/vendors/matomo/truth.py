"""Ground truth of one Matomo site, from the world tables only (never from the API code).

The oracle of the conversion marts: what a complete load must show as of a day, computed
from ``web_visits`` / ``web_conversions`` / ``posts`` and the link convention, independently
of how the emulated API renders a visit.

Conventions (docs/sources/matomo.md):
- served as of today: the visit's last action is at or before the sandbox's now (today
  23:59:59 UTC);
- consent as the warehouse sees it: the banner's answer on a site with a consent dimension
  (``granted`` / ``denied``; never answered -> ``unknown``), ``unknown`` on a site without;
- a post visit is *attributable* when its link has a ``utm_content`` parameter (name and value
  compared case-insensitively) naming the post; a link without one is counted in
  ``unattributable_post_sessions``;
- conversions and revenue count only visits whose consent is not ``denied``; under last touch
  the converting visit is its own last touch, so a post's ``revenue_last_touch`` is the order
  revenue of the conversions in its attributable visits;
- a malformed link: ``upper_case`` (a utm name not in lower case), ``missing_utm_content``,
  ``medium_typo`` (utm_medium other than ``social``), counted per served visit.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import duckdb

SERVED = "v.brand_id = ? AND v.ended_at <= ?"
SEEN_CONSENT = "coalesce(v.consent, 'unknown')"
DEFECTS = ("upper_case", "missing_utm_content", "medium_typo")
LINK_MEDIUM = "social"


def link_defects(url: str) -> list[str]:
    """The convention breaks of one post link (empty when it follows the convention)."""
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    utm = {k.lower(): v for k, v in pairs if k.lower().startswith("utm_")}
    out = []
    if any(k != k.lower() for k, _v in pairs if k.lower().startswith("utm_")):
        out.append("upper_case")
    if "utm_content" not in utm:
        out.append("missing_utm_content")
    if utm.get("utm_medium", "").lower() != LINK_MEDIUM:
        out.append("medium_typo")
    return out


def names_post(url: str, post_id: str) -> bool:
    """Whether the link's utm_content names the post (case-insensitively)."""
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    content = [v for k, v in pairs if k.lower() == "utm_content"]
    return bool(content) and content[0].strip().lower() == post_id.lower()


def site_truth(cur: duckdb.DuckDBPyConnection, brand: str, now: datetime) -> dict[str, Any]:
    """The planted cases, channel groups and post journeys of one site as of ``now``."""
    consent = dict(
        cur.execute(
            f"SELECT {SEEN_CONSENT}, count(*) FROM web_visits v WHERE {SERVED} GROUP BY 1",
            [brand, now],
        ).fetchall()
    )
    groups = cur.execute(
        f"SELECT channel_group, count(*) FROM web_visits v WHERE {SERVED} GROUP BY 1 ORDER BY 1",
        [brand, now],
    ).fetchall()
    multi = cur.execute(
        "SELECT count(*) FROM web_conversions c JOIN web_visits v USING (visit_id) "
        f"WHERE {SERVED} AND {SEEN_CONSENT} <> 'denied' AND EXISTS (SELECT 1 FROM web_visits p "
        "WHERE p.brand_id = v.brand_id AND p.visitor_id = v.visitor_id "
        "AND p.visit_id <> v.visit_id AND p.started_at < v.started_at "
        "AND p.started_at >= c.converted_at - INTERVAL 30 DAY "
        "AND coalesce(p.consent, 'unknown') <> 'denied')",
        [brand, now],
    ).fetchone()[0]
    posts, unattributable, defects = _posts(cur, brand, now)
    return {
        "sessions_by_channel_group": {g: int(n) for g, n in groups},
        "posts": posts,
        "unattributable_post_sessions": unattributable,
        "multi_visit_converting_paths": int(multi),
        "denied_visits": int(consent.get("denied", 0)),
        "unknown_consent_visits": int(consent.get("unknown", 0)),
        "granted_visits": int(consent.get("granted", 0)),
        "malformed_utm_visits": {k: defects.get(k, 0) for k in DEFECTS},
    }


def _posts(
    cur: duckdb.DuckDBPyConnection, brand: str, now: datetime
) -> tuple[dict[str, Any], int, Counter]:
    """Per post: sessions, conversions and last-touch revenue of its attributable visits."""
    rows = cur.execute(
        "SELECT v.visit_id, v.post_platform, v.post_id, p.link_url, "
        f"{SEEN_CONSENT} <> 'denied', count(c.conversion_id), coalesce(sum(c.revenue), 0) "
        "FROM web_visits v JOIN posts p ON p.post_id = v.post_id "
        "AND p.platform = v.post_platform "
        f"LEFT JOIN web_conversions c ON c.visit_id = v.visit_id WHERE {SERVED} "
        "GROUP BY ALL ORDER BY v.visit_id",
        [brand, now],
    ).fetchall()
    posts: dict[str, Any] = {}
    unattributable = 0
    defects: Counter = Counter()
    for _vid, platform, post_id, url, counted, n_conv, revenue in rows:
        defects.update(link_defects(url))
        if not names_post(url, post_id):
            unattributable += 1
            continue
        key = f"{platform}:{post_id}"
        row = posts.setdefault(key, {"sessions": 0, "conversions": 0, "revenue_last_touch": 0.0})
        row["sessions"] += 1
        if counted:
            row["conversions"] += int(n_conv)
            row["revenue_last_touch"] = round(row["revenue_last_touch"] + float(revenue), 2)
    return dict(sorted(posts.items())), unattributable, defects
