"""The next day's run asks Meta for insights of the posts due on the schedule only (issue 14,
point 3: "ask the APIs only what changed").

Oracle: the ids counted in the run's own requests (``requests_seen``) against the posts the
world published, aged (days since the UTC publication date) on the schedule of the issue,
written here by hand: every day of the first week, then D+14, D+21, D+28.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.sources.support import TODAY, Sandbox, load_source, requests_seen, world_rows

# The sparse schedule these tests check (the default reads every day to D+28).
pytestmark = pytest.mark.usefixtures("sparse_snapshot_ages")

SCHEDULE = {0, 1, 2, 3, 4, 5, 6, 7, 14, 21, 28}
RESOURCES = (
    "facebook_posts",
    "facebook_post_insights",
    "instagram_media",
    "instagram_media_insights",
)


def insight_ids(urls: list[str]) -> list[str]:
    """The ids of every multi-id lookup asking insights, as often as they were asked."""
    out: list[str] = []
    for url in urls:
        query = parse_qs(urlparse(url).query)
        if "insights" in query.get("fields", [""])[0] and "ids" in query:
            out += query["ids"][0].split(",")
    return out


def test_the_next_day_asks_insights_of_the_scheduled_posts_only(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    world = sandbox.world  # the world served (tests/meta's own ``world`` may be another file)
    with requests_seen("/meta/") as backfill:
        load_source("meta", sandbox.url, tmp_path, resources=RESOURCES)
    day = TODAY + timedelta(days=1)
    sandbox.advance()
    with requests_seen("/meta/") as next_day:
        load_source("meta", sandbox.url, tmp_path, resources=RESOURCES)

    now = datetime.combine(day, time(23, 59, 59))
    posts = world_rows(
        world, "select post_id, created_time from posts where created_time <= ?", [now]
    )
    due = {p for p, created in posts if (day - created.date()).days in SCHEDULE}
    asked = insight_ids(next_day)
    assert sorted(asked) == sorted(due)  # each due post once, nothing else
    first = insight_ids(backfill)
    visible = {p for p, created in posts if created.date() <= TODAY}
    assert sorted(first) == sorted(visible)  # the backfill: every post once
    assert len(asked) < len(first) / 3
