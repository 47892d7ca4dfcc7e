"""A video set aside for one bad field still has its comments loaded (issue 13, leftover).

``videos.list`` answers one video with a duration that is not ISO 8601: the video goes to the
quarantine, and its comment threads must not be lost with it (``Videos.orphans``). Oracle: the
world's own comments of that video, visible at TODAY.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from tests.sources.support import TODAY, Sandbox, patched_json, query, world_rows
from tests.youtube.truth import load

NOW = datetime.combine(TODAY, time(23, 59, 59))  # the sandbox's clock: today 23:59:59 UTC


def test_a_quarantined_video_keeps_its_comments(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    victim = world_rows(
        world,
        "select video_id from yt_comments where published_at <= ? "
        "group by video_id order by count(*) desc, video_id limit 1",
        [NOW],
    )[0][0]
    broken: list[str] = []

    def break_one(url: str, _kwargs: dict[str, Any], body: Any) -> Any:
        if url.endswith("/videos") and isinstance(body, dict):
            for item in body.get("items", []):
                if item.get("id") == victim:
                    item["contentDetails"]["duration"] = "ten minutes"
                    broken.append(victim)
        return body

    with patched_json(break_one):
        db = load(sandbox.url, tmp_path, resources=("videos", "comments"))
    assert broken == [victim]
    assert query(db, "select count(*) from raw_youtube.videos where video_id = ?", [victim]) == [
        (0,)
    ]
    set_aside = query(db, "select reason from raw_youtube.quarantine where resource = 'videos'")
    assert len(set_aside) == 1 and "duration" in set_aside[0][0]
    got = query(db, "select comment_id from raw_youtube.comments where video_id = ?", [victim])
    want = world_rows(
        world,
        "select comment_id from yt_comments where video_id = ? and published_at <= ?",
        [victim, NOW],
    )
    assert want and sorted(got) == sorted(want)
