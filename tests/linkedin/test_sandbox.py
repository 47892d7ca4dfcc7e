"""The emulated LinkedIn API: headers, errors, paging and numbers equal to the manifest."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from sandbox.vendors.linkedin.restli import RestliSyntaxError, parse
from tests.linkedin.client import ORG, ORG_URN, LinkedIn, enc
from tests.sources.support import TODAY

NETWORK = f"/rest/networkSizes/{enc(ORG_URN)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER"
FINDER = f"q=organizationalEntity&organizationalEntity={enc(ORG_URN)}"


def ms(day: date) -> int:
    return (
        int((datetime.combine(day, datetime.min.time()) - datetime(1970, 1, 1)).total_seconds())
        * 1000
    )


def intervals(first: date, end: date) -> str:
    return f"(timeRange:(start:{ms(first)},end:{ms(end)}),timeGranularityType:DAY)"


def test_missing_and_malformed_versions_are_400(li: LinkedIn) -> None:
    missing = li.get(NETWORK, headers={"LinkedIn-Version": None})
    assert missing.status_code == 400 and missing.json()["code"] == "VERSION_MISSING"
    assert li.get(NETWORK, headers={"LinkedIn-Version": "2025-11"}).status_code == 400


def test_unreleased_and_sunset_versions_answer_426(li: LinkedIn) -> None:
    """The clock's month (TODAY = 2025-12-10) and the 12 before it are served, the oldest until
    the 14th (LinkedIn removes version M on the 15th of M+12); a later version does not exist
    yet and an older one is sunset: both 426, the version named as YYYYMMDD."""
    assert (TODAY.year, TODAY.month) == (2025, 12)  # the months below are counted by hand
    for served in ("202512", "202412", "20251101", "202506"):
        assert li.get(NETWORK, headers={"LinkedIn-Version": served}).status_code == 200, served
    refused = {
        "202601": "20260101",  # next month: not released yet
        "202712": "20271201",
        "20260115": "20260115",
        "202411": "20241101",  # 13 months back: sunset
        "202309": "20230901",
    }
    for version, named in refused.items():
        answer = li.get(NETWORK, headers={"LinkedIn-Version": version})
        assert answer.status_code == 426, version
        assert answer.json() == {
            "status": 426,
            "code": "NONEXISTENT_VERSION",
            "message": f"Requested version {named} is not active",
        }
    for day, oldest, sunset in (
        ("2025-12-14", "202412", "202411"),
        ("2025-12-15", "202501", "202412"),
    ):
        li.control("POST", "/clock/set", params={"today": day})
        assert li.get(NETWORK, headers={"LinkedIn-Version": oldest}).status_code == 200, day
        assert li.get(NETWORK, headers={"LinkedIn-Version": sunset}).status_code == 426, day


def test_protocol_and_token_errors_use_linkedins_body(li: LinkedIn) -> None:
    protocol = li.get(NETWORK, headers={"X-Restli-Protocol-Version": None})
    assert protocol.status_code == 400 and protocol.json()["status"] == 400
    bad = li.get(NETWORK, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.json() == {
        "status": 401,
        "serviceErrorCode": 65600,
        "code": "INVALID_ACCESS_TOKEN",
        "message": "Invalid access token",
    }
    expired = li.get(NETWORK, headers={"Authorization": "Bearer expired-token"})
    assert expired.status_code == 401 and expired.json()["code"] == "EXPIRED_ACCESS_TOKEN"
    assert li.get("/rest/nothingHere").status_code == 404
    other_org = li.get("/rest/posts?q=author&author=" + enc("urn:li:organization:99999999")).json()
    assert other_org["status"] == 403 and other_org["code"] == "ACCESS_DENIED"


def test_faults_in_linkedins_dialect(li: LinkedIn) -> None:
    throttled = li.get(NETWORK, headers={"X-Sandbox-Fault": "throttle"})
    assert throttled.status_code == 429
    assert throttled.json() == {
        "status": 429,
        "serviceErrorCode": 101,
        "code": "TOO_MANY_REQUESTS",
        "message": "Resource level throttle APPLICATION DAY limit for calls to this resource "
        "is reached.",
    }
    assert "Retry-After" not in throttled.headers
    assert not [h for h in throttled.headers if "usage" in h.lower()]
    asked = li.get(NETWORK, headers={"X-Sandbox-Fault": "throttle,regain_minutes=2"})
    assert asked.headers["Retry-After"] == "120"
    statuses = {li.get(NETWORK, headers={"X-Sandbox-Fault": "server_error"}).status_code}
    statuses.add(li.get(NETWORK, headers={"X-Sandbox-Fault": "server_error"}).status_code)
    assert statuses <= {500, 504} and statuses
    corrupt = li.get("/rest/posts?q=author&author=" + enc(ORG_URN), {"X-Sandbox-Fault": "corrupt"})
    with pytest.raises(ValueError):
        corrupt.json()


def test_posts_paging_and_shapes(li: LinkedIn) -> None:
    manifest = li.manifest()["organizations"][ORG]
    posts = li.walk(f"/rest/posts?q=author&author={enc(ORG_URN)}&count=4&sortBy=LAST_MODIFIED")
    assert sorted(p["id"] for p in posts) == sorted(manifest["post_urns"])
    modified = [p["lastModifiedAt"] for p in posts]
    assert modified == sorted(modified, reverse=True)
    for post in posts:
        assert post["author"] == ORG_URN and post["lifecycleState"] == "PUBLISHED"
        assert post["id"].split(":")[2] in ("share", "ugcPost")
        assert isinstance(post["createdAt"], int) and post["createdAt"] <= post["publishedAt"]
        assert post["publishedAt"] <= post["lastModifiedAt"] <= ms(TODAY + timedelta(days=1))
        if "content" in post:
            assert set(post["content"]) <= {"media", "multiImage", "article"}
    created = li.walk(f"/rest/posts?q=author&author={enc(ORG_URN)}&count=100&sortBy=CREATED")
    assert [p["createdAt"] for p in created] == sorted(
        (p["createdAt"] for p in created), reverse=True
    )
    first = li.ok(f"/rest/posts?q=author&author={enc(ORG_URN)}&count=2")
    assert first["paging"]["links"][0]["href"].startswith("/rest/posts?")
    assert li.get(f"/rest/posts?q=author&author={enc(ORG_URN)}&start=x").status_code == 400


def test_lifetime_share_statistics_equal_the_manifest(li: LinkedIn) -> None:
    manifest = li.manifest()["organizations"][ORG]
    urns = manifest["post_urns"][:8]
    shares = [u for u in urns if ":share:" in u]
    ugc = [u for u in urns if ":ugcPost:" in u]
    lists = ""
    if shares:
        lists += "&shares=List(" + ",".join(enc(u) for u in shares) + ")"
    if ugc:
        lists += "&ugcPosts=List(" + ",".join(enc(u) for u in ugc) + ")"
    body = li.ok(f"/rest/organizationalEntityShareStatistics?{FINDER}{lists}")
    got = {e.get("share") or e.get("ugcPost"): e["totalShareStatistics"] for e in body["elements"]}
    assert got == {u: manifest["posts"][u] for u in urns}
    for values in got.values():
        hits = sum(values[k] for k in ("clickCount", "likeCount", "commentCount", "shareCount"))
        assert values["engagement"] == pytest.approx(hits / values["impressionCount"])
    # a URN of the wrong kind or another organization's post is refused like LinkedIn does
    wrong = li.get(f"/rest/organizationalEntityShareStatistics?{FINDER}&shares=List({enc(ugc[0])})")
    assert wrong.status_code == 403 and "/shares[0]" in wrong.json()["message"]
    org_total = li.ok(f"/rest/organizationalEntityShareStatistics?{FINDER}")["elements"]
    assert org_total[0]["totalShareStatistics"]["impressionCount"] == sum(
        v["impressionCount"] for v in manifest["posts"].values()
    )


def test_time_bound_statistics_and_their_bounds(li: LinkedIn) -> None:
    manifest = li.manifest()["organizations"][ORG]
    first = TODAY - timedelta(days=20)
    window = intervals(first, TODAY + timedelta(days=1))
    shares = li.ok(f"/rest/organizationalEntityShareStatistics?{FINDER}&timeIntervals={window}")
    days = {
        (datetime(1970, 1, 1) + timedelta(milliseconds=e["timeRange"]["start"]))
        .date()
        .isoformat(): e["totalShareStatistics"]
        for e in shares["elements"]
    }
    assert len(days) == 21
    assert days == {d: v for d, v in manifest["share_statistics_daily"].items() if d >= str(first)}
    gains = li.ok(f"/rest/organizationalEntityFollowerStatistics?{FINDER}&timeIntervals={window}")
    got = [
        [e["followerGains"]["organicFollowerGain"], e["followerGains"]["paidFollowerGain"]]
        for e in gains["elements"]
    ]
    assert got == [v for d, v in manifest["follower_gains"].items() if d >= str(first)]
    # the days of one post add up to its lifetime value
    urn = manifest["post_urns"][-1]
    kind = "shares" if ":share:" in urn else "ugcPosts"
    one = li.ok(
        f"/rest/organizationalEntityShareStatistics?{FINDER}&{kind}=List({enc(urn)})"
        f"&timeIntervals={intervals(date(2025, 11, 1), TODAY + timedelta(days=1))}"
    )
    for metric in ("impressionCount", "likeCount", "clickCount", "commentCount"):
        total = sum(e["totalShareStatistics"][metric] for e in one["elements"])
        assert total == manifest["posts"][urn][metric]
    # a start over 12 months ago is LinkedIn's 400; a recent start is served (no 2-day rule)
    bad = li.get(
        f"/rest/organizationalEntityShareStatistics?{FINDER}"
        f"&timeIntervals={intervals(TODAY - timedelta(days=400), TODAY)}"
    )
    assert bad.status_code == 400
    assert bad.json()["message"] == "Invalid timeIntervals parameter"
    yesterday = TODAY - timedelta(days=1)
    recent = li.ok(
        f"/rest/organizationalEntityShareStatistics?{FINDER}"
        f"&timeIntervals={intervals(yesterday, TODAY + timedelta(days=1))}"
    )
    assert [e["totalShareStatistics"] for e in recent["elements"]] == [
        manifest["share_statistics_daily"][str(yesterday)],
        manifest["share_statistics_daily"][str(TODAY)],
    ]
    assert (
        li.get(
            f"/rest/organizationalEntityShareStatistics?{FINDER}&timeIntervals=(timeRange:oops)"
        ).status_code
        == 400
    )


def test_followers_network_size_and_facets(li: LinkedIn) -> None:
    manifest = li.manifest()["organizations"][ORG]
    assert li.ok(NETWORK) == {"firstDegreeSize": manifest["followers_count"]}
    element = li.ok(f"/rest/organizationalEntityFollowerStatistics?{FINDER}")["elements"][0]
    for name in (
        "followerCountsBySeniority",
        "followerCountsByFunction",
        "followerCountsByGeoCountry",
    ):
        total = sum(
            e["followerCounts"]["organicFollowerCount"] + e["followerCounts"]["paidFollowerCount"]
            for e in element[name]
        )
        assert total == manifest["followers_count"]
    org = li.ok(f"/rest/organizations/{ORG}")
    assert org["id"] == int(ORG) and org["localizedName"] == manifest["name"]
    assert li.get(f"/rest/networkSizes/{enc(ORG_URN)}?edgeType=NOPE").status_code == 400


def test_comments_and_replies_equal_the_manifest(li: LinkedIn) -> None:
    manifest = li.manifest()["organizations"][ORG]
    seen, brand = [], 0
    for urn in manifest["post_urns"]:
        for top in li.walk(f"/rest/socialActions/{enc(urn)}/comments?count=3"):
            seen.append(top["commentUrn"])
            assert "parentComment" not in top and top["actor"].startswith("urn:li:person:")
            if top["commentsSummary"]["totalFirstLevelComments"]:
                replies = li.walk(f"/rest/socialActions/{enc(top['commentUrn'])}/comments")
                assert len(replies) == top["commentsSummary"]["totalFirstLevelComments"]
                for reply in replies:
                    assert reply["parentComment"] == top["commentUrn"]
                    seen.append(reply["commentUrn"])
                    if reply["actor"] == ORG_URN:
                        brand += 1
                        assert reply["agent"].startswith("urn:li:person:")
    assert sorted(seen) == sorted(manifest["comment_urns"])
    assert brand == manifest["brand_replies"] > 0
    assert li.get(f"/rest/socialActions/{enc('urn:li:share:1')}/comments").status_code == 404


def test_an_edit_shows_once_the_clock_passes_it(li: LinkedIn, world: Path) -> None:
    with duckdb.connect(str(world), read_only=True) as con:
        urn, edited_at = con.execute(
            "SELECT post_urn, edited_at FROM linkedin_posts WHERE edited_at IS NOT NULL "
            "AND edited_at::DATE > published_at::DATE AND edited_at::DATE <= ? "
            "ORDER BY edited_at DESC LIMIT 1",
            [TODAY],
        ).fetchone() or (None, None)
    # The world is deterministic: it has such a post, or the test has nothing to test.
    assert urn is not None, "no post of this world is edited on a later day"
    before = edited_at.date() - timedelta(days=1)
    li.control("POST", "/clock/set", params={"today": before.isoformat()})
    old = li.ok(f"/rest/posts/{enc(urn)}")
    li.control("POST", "/clock/set", params={"today": edited_at.date().isoformat()})
    new = li.ok(f"/rest/posts/{enc(urn)}")
    assert old["lastModifiedAt"] == old["publishedAt"] < new["lastModifiedAt"]
    assert new["lifecycleStateInfo"]["isEditedByAuthor"] and new["commentary"] != old["commentary"]


def test_manifest_grows_with_the_clock(li: LinkedIn) -> None:
    before = li.manifest(TODAY - timedelta(days=5))
    now = li.manifest(TODAY)
    assert now["totals"]["posts"] > before["totals"]["posts"]
    assert now["totals"]["comments"] > before["totals"]["comments"]
    for org_id, org in before["organizations"].items():
        for urn, values in org["posts"].items():
            later = now["organizations"][org_id]["posts"][urn]
            assert all(later[k] >= v for k, v in values.items() if k != "engagement")


def test_restli_parser() -> None:
    assert parse("List(urn%3Ali%3Ashare%3A1,urn:li:ugcPost:2)") == [
        "urn:li:share:1",
        "urn:li:ugcPost:2",
    ]
    assert parse("(timeRange:(start:1,end:2),timeGranularityType:DAY)") == {
        "timeRange": {"start": "1", "end": "2"},
        "timeGranularityType": "DAY",
    }
    assert parse("List()") == []
    for bad in ("List(a", "(a:b", "(a)", "a)"):
        with pytest.raises(RestliSyntaxError):
            parse(bad)
