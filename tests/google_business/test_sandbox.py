"""The emulated Google Business Profile API against the vendor's contract and the world."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from tests.google_business.stub import LOC1
from tests.sources.support import TODAY, Sandbox, vendor_truth, world_rows

TOKEN = "sandbox-google-business-token"


@pytest.fixture()
def url(sandbox: Sandbox) -> str:
    return sandbox.vendor("google_business")


def truth(world: Path, day: Any) -> dict[str, Any]:
    return vendor_truth(world, "google_business", day)


# --- the emulated API ------------------------------------------------------------------------


def _get(url: str, location: str = LOC1, token: str | None = TOKEN, **params: Any):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{url}/v4/{location}/reviews", headers=headers, params=params, timeout=10)


def test_api_pages_follow_update_time_and_match_the_manifest(url: str, world: Path) -> None:
    names, times, token = [], [], None
    while True:
        body = _get(url, pageSize=7, **({"pageToken": token} if token else {})).json()
        names += [r["name"] for r in body["reviews"]]
        times += [r["updateTime"] for r in body["reviews"]]
        token = body.get("nextPageToken")
        if not token:
            break
    loc = truth(world, TODAY)["locations"][LOC1]
    assert names == loc["review_names"]
    assert times == sorted(times, reverse=True)
    assert body["totalReviewCount"] == loc["total_review_count"]
    assert body["averageRating"] == loc["average_rating"]


def test_api_errors_speak_google_rpc(url: str) -> None:
    bad = _get(url, token="nope")
    assert bad.status_code == 401
    assert bad.json()["error"]["status"] == "UNAUTHENTICATED"
    assert _get(url, token=None).json()["error"]["details"][0]["reason"] == "CREDENTIALS_MISSING"
    big = _get(url, pageSize=51)
    assert big.status_code == 400 and big.json()["error"]["status"] == "INVALID_ARGUMENT"
    missing = _get(url, location=LOC1.replace("2100000000000000001", "2100000000000000999"))
    assert missing.status_code == 404 and missing.json()["error"]["status"] == "NOT_FOUND"
    scoped = _get(url, token=f"{TOKEN}@110000000000000000002")
    assert scoped.status_code == 403 and scoped.json()["error"]["status"] == "PERMISSION_DENIED"
    assert _get(url, pageToken="garbage").status_code == 400
    old = requests.get(f"{url}/v3/{LOC1}/reviews", headers={"Authorization": f"Bearer {TOKEN}"})
    assert old.status_code == 404


def test_api_throttle_fault_is_google_quota(url: str) -> None:
    resp = requests.get(
        f"{url}/v4/{LOC1}/reviews",
        headers={"Authorization": f"Bearer {TOKEN}", "X-Sandbox-Fault": "throttle"},
        timeout=10,
    )
    err = resp.json()["error"]
    assert resp.status_code == 429 and err["status"] == "RESOURCE_EXHAUSTED"
    assert err["message"].startswith("Quota exceeded for quota metric 'Requests'")
    assert "Retry-After" in resp.headers


def test_world_has_a_crisis_and_late_replies(world: Path) -> None:
    m = truth(world, TODAY)
    assert len(m["crises"]) == 1 and m["crises"][0]["reviews"] > 0
    assert 0.55 < m["totals"]["answered"] / m["totals"]["reviews"] < 0.85
    assert m["totals"]["rating_only"] > 0
    assert truth(world, TODAY) == m  # deterministic


def _all_reviews(url: str, location: str, **params: Any) -> list[dict[str, Any]]:
    """Every review of a location, following nextPageToken."""
    found, token = [], None
    while True:
        page = dict(params, **({"pageToken": token} if token else {}))
        body = _get(url, location=location, **page).json()
        found += body.get("reviews", [])
        token = body.get("nextPageToken")
        if not token:
            return found


RANK = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}


def test_documented_orders_are_accepted_and_others_refused(url: str, world: Path) -> None:
    """developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list:
    `rating`, `rating desc`, `updateTime desc`; ascending updateTime is not supported."""
    names = set(truth(world, TODAY)["locations"][LOC1]["review_names"])
    for order, descending in (("rating", False), ("rating desc", True)):
        got = _all_reviews(url, LOC1, pageSize=13, orderBy=order)
        assert {r["name"] for r in got} == names and len(got) == len(names)
        ranks = [RANK[r["starRating"]] for r in got]
        assert ranks == sorted(ranks, reverse=descending), order
    for refused in ("updateTime", "updateTime asc", "createTime desc", "stars"):
        bad = _get(url, orderBy=refused)
        assert bad.status_code == 400 and bad.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_foreign_reviews_come_in_googles_translation_envelope(url: str, world: Path) -> None:
    """A review in another language than its location's: `(Translated by Google) <translation>
    \\n\\n(Original)\\n<original>` in `comment`, the original being what the world says the
    reviewer wrote; every other review is served as written. A reply is wrapped only when the
    review's language is foreign, around the reply the world holds."""
    m = truth(world, TODAY)
    replies = {
        name: (reply, foreign)
        for name, reply, foreign in world_rows(
            world,
            "select r.review_name, r.reply_comment, r.lang <> l.lang from gbp_reviews r "
            "join gbp_locations l using (location_name)",
        )
    }
    wrapped = wrapped_replies = 0
    for location in m["locations"]:
        for review in _all_reviews(url, location):
            want = m["reviews"][review["name"]]
            reply, foreign = replies[review["name"]]
            served = review.get("reviewReply", {}).get("comment")
            if served is not None and served != reply:
                assert foreign and served.startswith("(Translated by Google) "), served
                assert served.endswith(f"\n\n(Original)\n{reply}"), served
                wrapped_replies += 1
            if not want["translated"]:
                assert review.get("comment") == want["comment"], review["name"]
                continue
            head, sep, original = review["comment"].partition("\n\n(Original)\n")
            assert sep and original == want["comment"], review["comment"]
            assert head.startswith("(Translated by Google) ")
            translation = head.removeprefix("(Translated by Google) ")
            assert translation and translation != original
            wrapped += 1
    assert wrapped == m["totals"]["translated"] > 0
    assert wrapped_replies > 0
