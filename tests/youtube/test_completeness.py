"""``statistics.videoCount`` (channels.list) and ``pageInfo.totalResults`` (playlistItems.list
of the uploads playlist): the sandbox reports every published upload, and the source stores
both totals.

Oracle: the world's own ``yt_videos`` table (every video of this world is public; published by
the clock's now). References: developers.google.com/youtube/v3/docs/channels
(``statistics.videoCount``: the channel's public videos) and
developers.google.com/youtube/v3/docs/playlistItems/list (``pageInfo.totalResults``).
"""

from __future__ import annotations

from pathlib import Path

import requests

from sandbox.world.store import now_of
from tests.sources.support import TODAY, Sandbox, query, world_rows
from tests.youtube.truth import CHANNELS, TOKEN, load


def published(world: Path) -> dict[str, int]:
    rows = world_rows(
        world,
        "select channel_id, count(*) from yt_videos where published_at <= ? group by 1",
        [now_of(TODAY)],
    )
    return dict(rows)


def test_video_count_and_total_results_count_the_published_uploads(
    sandbox: Sandbox, world: Path
) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {TOKEN}"
    base = f"{sandbox.vendor('youtube')}/youtube/v3"
    expected = published(world)
    assert set(expected) == set(CHANNELS)
    for channel in CHANNELS:
        item = http.get(
            f"{base}/channels", params={"part": "statistics,contentDetails", "id": channel}
        ).json()["items"][0]
        assert int(item["statistics"]["videoCount"]) == expected[channel]
        uploads = item["contentDetails"]["relatedPlaylists"]["uploads"]
        for token in (None, "second"):  # the total is the same on every page
            params = {"part": "id", "playlistId": uploads, "maxResults": 3}
            page = http.get(f"{base}/playlistItems", params=params).json()
            if token:
                params["pageToken"] = page["nextPageToken"]
                page = http.get(f"{base}/playlistItems", params=params).json()
            assert page["pageInfo"]["totalResults"] == expected[channel], (channel, token)


def test_the_source_stores_both_totals_of_each_channel(
    sandbox: Sandbox, world: Path, tmp_path: Path
) -> None:
    db = load(sandbox.url, tmp_path, ("channels", "playlist_items"))
    stored = {
        (row[0], row[1]): row[2:]
        for row in query(
            db,
            "select account, entity, loaded_table, reported_total, cast(observed_at as date) "
            "from raw_youtube.reported_totals",
        )
    }
    expected = published(world)
    assert stored == {
        (channel, entity): ("playlist_items", expected[channel], TODAY)
        for channel in CHANNELS
        for entity in ("statistics.videoCount", "pageInfo.totalResults")
    }
