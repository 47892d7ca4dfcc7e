"""The emulated YouTube Data and Analytics APIs against the vendor's contract: limits,
paging, API keys, quota errors and channel permissions."""

from __future__ import annotations

import requests

from tests.sources.support import Sandbox
from tests.youtube.truth import TOKEN


def test_sandbox_limits_paging_and_errors(sandbox: Sandbox) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {TOKEN}"
    base = f"{sandbox.url}/youtube/youtube/v3"
    too_many = http.get(f"{base}/videos", params={"part": "statistics", "id": ",".join(["a"] * 51)})
    assert too_many.status_code == 400
    assert too_many.json()["error"]["errors"][0]["reason"] == "invalidFilters"
    seen, token = [], None
    while True:
        params = {
            "part": "contentDetails",
            "playlistId": "UUvelovert00000000000000b2",
            "maxResults": 4,
            **({"pageToken": token} if token else {}),
        }
        page = http.get(f"{base}/playlistItems", params=params).json()
        seen += [i["contentDetails"]["videoId"] for i in page["items"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) == page["pageInfo"]["totalResults"]
    bad_token = http.get(f"{base}/playlistItems", params={**params, "pageToken": "zz"})
    assert bad_token.json()["error"]["errors"][0]["reason"] == "invalidPageToken"
    key = requests.get(f"{base}/channels", params={"part": "id", "id": "x", "key": "nope"})
    assert key.status_code == 400 and "API key not valid" in key.text
    keyed = requests.get(
        f"{base}/channels",
        params={
            "part": "statistics",
            "id": "UCvelovert00000000000000b2",
            "key": "sandbox-youtube-key",
        },
    )
    assert keyed.json()["items"][0]["statistics"]["subscriberCount"].isdigit()
    throttled = http.get(
        f"{base}/channels",
        params={"part": "id", "id": "x"},
        headers={"X-Sandbox-Fault": "throttle,throttle_code=3"},
    )
    assert throttled.status_code == 403
    assert throttled.json()["error"]["errors"][0] == {
        "message": "The request cannot be completed because you have exceeded your quota.",
        "domain": "youtube.quota",
        "reason": "quotaExceeded",
    }
    analytics = f"{sandbox.url}/youtube/v2/reports"
    forbidden = http.get(
        analytics,
        params={
            "ids": "channel==UCother",
            "startDate": "2025-11-01",
            "endDate": "2025-11-02",
            "metrics": "views",
        },
    )
    assert forbidden.status_code == 403
