"""Which posts a LinkedIn run asked the comments of, against the world's comment counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ingestion.linkedin.settings import INSIGHTS_WINDOW_DAYS
from tests.linkedin.client import query
from tests.sources.support import TODAY


def check_comment_reads(
    db: Path,
    before: dict[str, Any],
    after: dict[str, Any],
    urls: list[str],
    schedule: set[int],
    today: date = TODAY,
) -> set[str]:
    """The next day reads the comments of a post only when the world's comment count of the
    post moved since the previous day, or the post's age is on the snapshot schedule: every
    post with a new comment is read (none is lost) and fewer posts than the listed ones with
    comments are asked (docs/sources/linkedin.md, "Comments")."""
    asked = {
        target
        for url in urls
        if (target := unquote(url.split("/socialActions/")[1].split("/")[0])).startswith(
            ("urn:li:share:", "urn:li:ugcPost:")
        )
    }
    count = {
        urn: (org_before["posts"].get(urn, {}).get("commentCount"), values["commentCount"])
        for org_id, org in after["organizations"].items()
        for org_before in [before["organizations"][org_id]]
        for urn, values in org["posts"].items()
    }
    moved = {urn for urn, (old, new) in count.items() if old != new}
    known = {urn for urn, (old, _) in count.items() if old is not None}
    published = dict(query(db, "select post_urn, published_at from raw_linkedin.linkedin_posts"))
    scheduled = {u for u, p in published.items() if (today - p.date()).days in schedule}
    listed = {u for u, p in published.items() if (today - p.date()).days < INSIGHTS_WINDOW_DAYS}
    assert moved and moved <= asked, moved - asked
    assert asked <= moved | scheduled, asked - moved - scheduled
    with_comments = {u for u in listed if count.get(u, (0, 0))[1]}
    assert len(asked) < len(with_comments), (len(asked), len(with_comments))
    return (moved & known) - scheduled  # read for their count alone
