"""A post set aside for one bad field still has its comments loaded (issue 13, leftover).

The listing quarantines a post whose ``created_time`` / ``timestamp`` is not a timestamp; its
comments must not be lost with it: the comments resource reads the posts the listing set aside
(``Listing.orphans``). Oracle: the world's own comments of that post, visible at TODAY.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest

from tests.sources.support import TODAY, Sandbox, load_source, patched_json, query, world_rows

NOW = datetime.combine(TODAY, time(23, 59, 59))  # the sandbox's clock: today 23:59:59 UTC
CASES = {
    # platform: (listing edge, time field, posts table, comments table)
    "facebook": ("/published_posts", "created_time", "facebook_posts", "facebook_comments"),
    "instagram": ("/media", "timestamp", "instagram_media", "instagram_comments"),
}


def _most_commented(world: Path, platform: str) -> str:
    """The post of ``platform`` with the most comments visible at TODAY (world truth)."""
    return world_rows(
        world,
        "select post_id from comments where platform = ? and created_time <= ? "
        "group by post_id order by count(*) desc, post_id limit 1",
        [platform, NOW],
    )[0][0]


@pytest.mark.parametrize("platform", sorted(CASES))
def test_a_quarantined_post_keeps_its_comments(
    platform: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    world = sandbox.world  # the world served (tests/meta's own ``world`` may be another file)
    edge, field, posts, comments = CASES[platform]
    victim = _most_commented(world, platform)
    broken: list[str] = []

    def break_one(url: str, _kwargs: dict[str, Any], body: Any) -> Any:
        for item in body.get("data", []) if edge in url and isinstance(body, dict) else []:
            if item.get("id") == victim:
                item[field] = "not a timestamp"
                broken.append(victim)
        return body

    with patched_json(break_one):
        db = load_source("meta", sandbox.url, tmp_path, resources=(posts, comments))
    assert broken == [victim]
    key = "post_id" if platform == "facebook" else "media_id"
    assert query(db, f"select count(*) from raw_meta.{posts} where {key} = ?", [victim]) == [(0,)]
    set_aside = query(db, "select reason from raw_meta.quarantine where resource = ?", [posts])
    assert len(set_aside) == 1 and field in set_aside[0][0]
    got = query(db, f"select comment_id from raw_meta.{comments} where {key} = ?", [victim])
    want = world_rows(
        world,
        "select comment_id from comments where post_id = ? and created_time <= ?",
        [victim, NOW],
    )
    assert want and sorted(got) == sorted(want)
