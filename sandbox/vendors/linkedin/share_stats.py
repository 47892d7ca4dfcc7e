"""The parts of ``organizationalEntityShareStatistics`` beside its route: which posts a request
names, whether it may read them, and the elements of its answer (lifetime or per interval).

The numbers themselves come from ``stats.py``, which the manifest shares.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sandbox.vendors.linkedin import stats
from sandbox.vendors.linkedin.errors import LinkedInError, bad_request
from sandbox.vendors.linkedin.render import time_range
from sandbox.vendors.linkedin.restli import RestliSyntaxError, parse

POST_RE = re.compile(r"^urn:li:(share|ugcPost):(\d+)$")
PARAMS = {"share": "shares", "ugcPost": "ugcPosts"}


def requested_posts(q: dict[str, Any]) -> list[tuple[str, str]]:
    """The (kind, URN) pairs of the ``shares`` and ``ugcPosts`` lists, in request order."""
    wanted: list[tuple[str, str]] = []
    for kind, param in PARAMS.items():
        if q.get(param) is None:
            continue
        try:
            urns = parse(q[param])
        except RestliSyntaxError:
            raise bad_request(f"Invalid value for param {param}") from None
        if not isinstance(urns, list):
            raise bad_request(f"Invalid value for param {param}: expected List(...)")
        wanted += [(kind, str(u)) for u in urns]
    # How many URNs one request may list is not published (docs/sources/linkedin.md,
    # "Limits"): the sandbox sets no cap of its own.
    return wanted


def check_visible(wanted: list[tuple[str, str]], by_urn: dict[str, Any]) -> None:
    """A URN of the wrong kind, or of a post the organization cannot see, is refused with
    LinkedIn's 403 naming its place in the list."""
    for i, (kind, urn) in enumerate(wanted):
        m = POST_RE.match(urn)
        if not m or m.group(1) != kind or urn not in by_urn:
            raise LinkedInError(
                403,
                "ACCESS_DENIED",
                "Unpermitted fields present in PARAMETER: Data Processing Exception "
                f"while processing fields [/{PARAMS[kind]}[{i}]]",
                100,
            )


def lifetime_elements(
    entity: str,
    wanted: list[tuple[str, str]],
    posts: list[dict[str, Any]],
    counts: dict[str, int],
    now: datetime,
) -> list[dict[str, Any]]:
    """Lifetime statistics: one element per named post (``posts`` in ``wanted``'s order), or
    one total over every post of the organization when none is named."""
    per_post = [stats.lifetime_stats(p, now, counts.get(p["post_urn"], 0)) for p in posts]
    if not wanted:
        total = {k: sum(v[k] for v in per_post) for k in stats.STAT_KEYS}
        return [{"organizationalEntity": entity, "totalShareStatistics": stats.finish(total)}]
    return [
        {"organizationalEntity": entity, kind: urn, "totalShareStatistics": values}
        for (kind, urn), values in zip(wanted, per_post, strict=True)
    ]


def bucket_elements(
    entity: str,
    wanted: list[tuple[str, str]],
    posts: list[dict[str, Any]],
    times: Any,
    buckets: list[tuple[date, date]],
    now: datetime,
) -> list[dict[str, Any]]:
    """Statistics per time interval: for each named post (``posts`` in ``wanted``'s order),
    or summed over every post of the organization when none is named."""
    groups: list[tuple[dict[str, str], list[dict[str, Any]]]] = [({}, posts)]
    if wanted:
        groups = [({kind: urn}, [p]) for (kind, urn), p in zip(wanted, posts, strict=True)]
    elements: list[dict[str, Any]] = []
    for named, group in groups:
        values = stats.bucket_stats(group, times, buckets, now)
        for (a, b), v in zip(buckets, values, strict=True):
            elements.append(
                {"organizationalEntity": entity, **named, "timeRange": time_range(a, b),
                 "totalShareStatistics": v}
            )  # fmt: skip
    return elements
