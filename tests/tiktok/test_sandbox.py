"""The emulated TikTok Display API against the vendor's contract: paths, envelope, limits,
cursor paging and per-token visibility."""

from __future__ import annotations

import requests

from pulse_config.registry import load_registry
from tests.sources.support import Sandbox

OPEN_IDS = [open_id for _brand, open_id in load_registry().accounts("tiktok")]
TOKENS = {open_id: f"sandbox-tiktok-token-{open_id}" for open_id in OPEN_IDS}


def test_api_contract(sandbox: Sandbox) -> None:
    """Paths, envelope, max_count limit, cursor paging and video/query as the real API."""
    api = f"{sandbox.vendor('tiktok')}/v2"
    auth = {"Authorization": f"Bearer {TOKENS[OPEN_IDS[1]]}"}
    too_many = requests.post(
        f"{api}/video/list/", params={"fields": "id"}, json={"max_count": 21}, headers=auth
    )
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "invalid_params"
    first = requests.post(
        f"{api}/video/list/",
        params={"fields": "id,create_time"},
        json={"max_count": 5},
        headers=auth,
    ).json()
    assert first["error"]["code"] == "ok" and first["data"]["has_more"] is True
    times = [v["create_time"] for v in first["data"]["videos"]]
    assert times == sorted(times, reverse=True) and first["data"]["cursor"] == times[-1] * 1000
    second = requests.post(
        f"{api}/video/list/",
        params={"fields": "id,create_time"},
        json={"max_count": 5, "cursor": first["data"]["cursor"]},
        headers=auth,
    ).json()
    assert second["data"]["videos"][0]["create_time"] < times[-1]
    ids = [v["id"] for v in first["data"]["videos"]]
    queried = requests.post(
        f"{api}/video/query/",
        params={"fields": "id,view_count"},
        json={"filters": {"video_ids": ids}},
        headers=auth,
    ).json()
    assert [v["id"] for v in queried["data"]["videos"]] == ids
    other = requests.post(
        f"{api}/video/query/",
        params={"fields": "id"},
        json={"filters": {"video_ids": ids}},
        headers={"Authorization": f"Bearer {TOKENS[OPEN_IDS[0]]}"},
    ).json()
    assert other["data"]["videos"] == []  # another account's videos are not visible
