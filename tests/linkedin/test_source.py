"""The LinkedIn dlt source against the running sandbox, compared with its ground truth."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from ingestion.linkedin.helpers import LinkedInConfigError, LinkedInVersionError
from ingestion.linkedin.settings import INSIGHTS_WINDOW_DAYS
from ingestion.privacy import PseudonymisationKeyMissing
from tests.linkedin.client import (
    ORG,
    ORG_URN,
    VERSION,
    LinkedIn,
    expected_post_daily,
    has_table,
    post_daily,
    query,
    run_source,
)
from tests.linkedin.comment_reads import check_comment_reads
from tests.sources.support import (
    TODAY,
    Sandbox,
    build_source,
    cause,
    keyed_hash,
    load,
    load_source,
    requests_seen,
)

STAT_COLUMNS = {
    "impressionCount": "impression_count",
    "uniqueImpressionsCount": "unique_impressions_count",
    "clickCount": "click_count",
    "likeCount": "like_count",
    "commentCount": "comment_count",
    "shareCount": "share_count",
    "commentMentionsCount": "comment_mentions_count",
    "shareMentionsCount": "share_mentions_count",
    "engagement": "engagement",
}


def _stats(db: Path, day: str) -> dict[str, dict[str, Any]]:
    cols = ", ".join(STAT_COLUMNS.values())
    found = query(
        db,
        f"select post_urn, {cols} from raw_linkedin.linkedin_post_statistics "
        f"where snapshot_date = '{day}'",
    )
    return {r[0]: dict(zip(STAT_COLUMNS, r[1:], strict=True)) for r in found}


def _check_against(db: Path, manifest: dict[str, Any], today: str) -> None:
    """Posts, comments, today's statistics, followers and daily series equal the manifest."""
    orgs = manifest["organizations"]
    for org_id, org in orgs.items():
        posts = query(
            db, f"select post_urn from raw_linkedin.linkedin_posts where organization_id='{org_id}'"
        )
        assert {r[0] for r in posts} == set(org["post_urns"]), org_id
        snapshot = query(
            db,
            "select followers_count, brand_id from raw_linkedin.linkedin_organizations "
            f"where organization_id='{org_id}' and snapshot_date='{today}'",
        )
        assert snapshot == [(org["followers_count"], org["brand_id"])]
        gains = query(
            db,
            "select date::varchar, organic_follower_gain, paid_follower_gain from "
            f"raw_linkedin.linkedin_follower_gains where organization_id='{org_id}'",
        )
        assert {d: [o, p] for d, o, p in gains} == org["follower_gains"]
        cols = ", ".join(STAT_COLUMNS.values())
        daily = query(
            db,
            f"select date::varchar, {cols} from raw_linkedin.linkedin_share_statistics_daily "
            f"where organization_id='{org_id}'",
        )
        got = {r[0]: dict(zip(STAT_COLUMNS, r[1:], strict=True)) for r in daily}
        assert got.keys() == org["share_statistics_daily"].keys()
        for day, values in org["share_statistics_daily"].items():
            assert got[day] == pytest.approx(values), day
    stats = _stats(db, today)
    for org in orgs.values():
        for urn, values in org["posts"].items():
            if urn in stats:
                assert stats[urn] == pytest.approx(values), urn
    comments = {r[0] for r in query(db, "select comment_urn from raw_linkedin.linkedin_comments")}
    assert comments == {c for org in orgs.values() for c in org["comment_urns"]}
    assert post_daily(db) == expected_post_daily(manifest)
    if has_table(db, "quarantine"):
        assert query(db, "select count(*) from raw_linkedin.quarantine") == [(0,)]


def test_full_load_equals_the_manifest(li: LinkedIn, sandbox: Sandbox, tmp_path: Path) -> None:
    db = run_source(sandbox.url, tmp_path)
    manifest = li.manifest()
    _check_against(db, manifest, TODAY.isoformat())
    # every listed post got today's statistics snapshot on the first run
    assert set(_stats(db, TODAY.isoformat())) == {
        u for org in manifest["organizations"].values() for u in org["post_urns"]
    }
    # commenters are pseudonymised: no URN in clear, the brand's own replies are flagged
    clear = query(
        db,
        "select count(*) from raw_linkedin.linkedin_comments where author_urn_hash like 'urn:%' "
        "or agent_urn_hash like 'urn:%'",
    )
    assert clear == [(0,)]
    brand = query(
        db,
        "select count(*), min(author_urn_hash), count(agent_urn_hash) from "
        f"raw_linkedin.linkedin_comments where is_from_organization and organization_id='{ORG}'",
    )[0]
    assert brand[0] == manifest["organizations"][ORG]["brand_replies"] == brand[2]
    assert brand[1] == keyed_hash(ORG_URN, "linkedin")
    facets = query(
        db,
        "select sum(organic_follower_count + paid_follower_count) from "
        f"raw_linkedin.linkedin_follower_facets where organization_id='{ORG}' "
        "and facet = 'seniority'",
    )
    assert facets == [(manifest["organizations"][ORG]["followers_count"],)]
    texts = query(
        db,
        "select count(*) from raw_linkedin.linkedin_posts where commentary_text like '%{hashtag%'",
    )
    assert texts == [(0,)]


def test_next_day_is_incremental(li: LinkedIn, sandbox: Sandbox, tmp_path: Path) -> None:
    first_day = TODAY - timedelta(days=10)
    li.control("POST", "/clock/set", params={"today": first_day.isoformat()})
    db = run_source(sandbox.url, tmp_path, "incr")
    li.control("POST", "/clock/set", params={"today": TODAY.isoformat()})
    run_source(sandbox.url, tmp_path, "incr")
    manifest = li.manifest(TODAY)
    _check_against(db, manifest, TODAY.isoformat())
    # only posts modified within the window were listed again and got a new snapshot
    window_start = TODAY - timedelta(days=INSIGHTS_WINDOW_DAYS)
    old = query(
        db,
        "select count(*) from raw_linkedin.linkedin_posts where fetched_at::date = "
        f"'{first_day}' and last_modified_at::date < '{window_start}'",
    )[0][0]
    assert old > 0
    today = _stats(db, TODAY.isoformat())
    young = {
        r[0]
        for r in query(
            db,
            "select post_urn from raw_linkedin.linkedin_posts where "
            f"last_modified_at >= timestamptz '{window_start} 23:59:59+00'",
        )
    }
    assert young <= set(today) and len(today) < manifest["totals"]["posts"]
    snapshots = query(
        db,
        "select count(distinct snapshot_date) from raw_linkedin.linkedin_post_statistics "
        f"where post_urn in (select post_urn from raw_linkedin.linkedin_posts "
        f"where published_at::date >= '{window_start + timedelta(days=2)}' "
        f"and published_at::date <= '{first_day}')",
    )
    assert snapshots == [(2,)]


TABLES = (
    "linkedin_organizations",
    "linkedin_posts",
    "linkedin_post_statistics",
    "linkedin_post_statistics_daily",
    "linkedin_share_statistics_daily",
    "linkedin_follower_gains",
    "linkedin_follower_facets",
    "linkedin_comments",
)


def _counts(db: Path) -> dict[str, int]:
    return {t: query(db, f"select count(*) from raw_linkedin.{t}")[0][0] for t in TABLES}


def test_comments_are_read_again_only_where_the_count_moved(
    li: LinkedIn, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a schedule of the marts' ages only (1, 7, 28), a post listed the day before that
    gets a comment at another age (the world's 2025-12-09: a post of 12-05, D+4) is read for
    its moved count: every comment of the world is loaded, the unchanged posts are not asked."""
    monkeypatch.setenv("SOURCES__LINKEDIN__SNAPSHOT_AGES", "[1, 7, 28]")
    day, next_day = TODAY - timedelta(days=2), TODAY - timedelta(days=1)
    li.control("POST", "/clock/set", params={"today": day.isoformat()})
    # the statistics note the runs the snapshot schedule counts from (ingestion/snapshot_ages.py)
    tables = ("linkedin_posts", "linkedin_post_statistics", "linkedin_comments")
    version = {"api_version": VERSION}
    db = load_source("linkedin", sandbox.url, tmp_path, "li_counts", tables, **version)
    li.control("POST", "/clock/set", params={"today": next_day.isoformat()})
    with requests_seen("/socialActions/") as seen:
        load_source("linkedin", sandbox.url, tmp_path, "li_counts", tables, **version)
    after = li.manifest(next_day)
    got = {r[0] for r in query(db, "select comment_urn from raw_linkedin.linkedin_comments")}
    assert got == {c for org in after["organizations"].values() for c in org["comment_urns"]}
    read_for_count = check_comment_reads(
        db, li.manifest(day), after, seen, {1, 7, 28}, today=next_day
    )
    assert read_for_count, "the world has no such post: pick other days"


def test_same_day_adds_nothing_and_next_day_only_the_new(
    li: LinkedIn, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The marts' ages only (1, 7, 28): posts with new comments at other ages are read for
    # their comment count alone (_check_comment_reads).
    monkeypatch.setenv("SOURCES__LINKEDIN__SNAPSHOT_AGES", "[1, 7, 28]")
    day = TODAY - timedelta(days=1)
    li.control("POST", "/clock/set", params={"today": day.isoformat()})
    db = run_source(sandbox.url, tmp_path, "days")
    first = _counts(db)
    run_source(sandbox.url, tmp_path, "days")
    assert _counts(db) == first  # same sandbox day: nothing new
    li.control("POST", "/clock/set", params={"today": TODAY.isoformat()})
    with requests_seen("/socialActions/") as seen:
        run_source(sandbox.url, tmp_path, "days")
    _check_against(db, li.manifest(TODAY), TODAY.isoformat())  # every comment of the world
    check_comment_reads(db, li.manifest(day), li.manifest(TODAY), seen, {1, 7, 28})
    after = _counts(db)
    # one more organization snapshot each; new statistics snapshots only for recent posts
    assert after["linkedin_organizations"] == first["linkedin_organizations"] + len(
        li.manifest(TODAY)["organizations"]
    )
    new_snapshots = after["linkedin_post_statistics"] - first["linkedin_post_statistics"]
    assert 0 < new_snapshots < after["linkedin_posts"]


def test_throttling_and_errors_are_retried(
    li: LinkedIn, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.set_faults("throttle=0.2,server_error=0.1,corrupt=0.05,seed=11")
    with caplog.at_level(logging.WARNING, logger="ingestion.http"):
        db = run_source(sandbox.url, tmp_path, "faulty", max_attempts=12)
    fired = sandbox.fired()
    assert fired["throttle"] > 0 and fired["server_error"] > 0 and fired["corrupt"] > 0, fired
    _check_against(db, li.manifest(), TODAY.isoformat())
    retried = " ".join(r.getMessage() for r in caplog.records if "retrying" in r.getMessage())
    assert "TOO_MANY_REQUESTS" in retried and "unreadable JSON" in retried
    assert "INTERNAL_SERVER_ERROR" in retried or "GATEWAY_TIMEOUT" in retried


@pytest.mark.parametrize(
    ("version", "named"),
    [("202309", "20230901"), ("202601", "20260101")],  # sunset, unreleased at TODAY 2025-12-10
)
def test_refused_version_fails_fast_naming_the_setting(
    sandbox: Sandbox, tmp_path: Path, version: str, named: str
) -> None:
    with requests_seen("/linkedin/") as seen, pytest.raises(PipelineStepFailed) as info:
        run_source(sandbox.url, tmp_path, f"refused{version}", api_version=version)
    err = cause(info.value, LinkedInVersionError)
    assert err is not None, info.value
    message = str(err)
    assert f"LinkedIn-Version {version} is not accepted" in message
    assert f"Requested version {named} is not active" in message
    assert "NONEXISTENT_VERSION" in message and "426" in message
    assert "sources.linkedin.api_version" in message and "SOURCES__LINKEDIN__API_VERSION" in message
    assert len(seen) == 1, seen  # a refused version is not retried


def test_malformed_version_is_refused_before_any_request(sandbox: Sandbox, tmp_path: Path) -> None:
    with requests_seen("/linkedin/") as seen, pytest.raises(PipelineStepFailed) as info:
        run_source(sandbox.url, tmp_path, "malformed", api_version="2025-11")
    assert cause(info.value, LinkedInConfigError) is not None
    assert seen == []  # refused before asking LinkedIn


def test_the_sandbox_environment_sends_a_served_version(sandbox: Sandbox, tmp_path: Path) -> None:
    """The demo's configuration (sandbox/credentials.py, no override here) is served at the
    sandbox's clock, so the demo does not depend on .dlt/config.toml's production version."""
    db = load_source("linkedin", sandbox.url, tmp_path, "linkedin_env", ("linkedin_organizations",))
    assert query(db, "select count(*) from raw_linkedin.linkedin_organizations")[0][0] > 0


def test_bad_token_fails_clearly(sandbox: Sandbox, tmp_path: Path) -> None:
    with requests_seen("/linkedin/") as seen, pytest.raises(PipelineStepFailed) as info:
        run_source(sandbox.url, tmp_path, "token", access_token="not-a-token", refresh_token=None)
    err = cause(info.value, SourceAuthError)
    assert err is not None, info.value
    assert "INVALID_ACCESS_TOKEN" in str(err) and "sources.linkedin.access_token" in str(err)
    assert f"account {ORG}" in str(err)
    assert len(seen) == 1, seen  # refused once, not retried


def test_comments_need_a_pseudonymisation_key(sandbox: Sandbox, tmp_path: Path) -> None:
    source = build_source("linkedin", sandbox.url, pseudonymisation_key=None)
    with pytest.raises(PipelineStepFailed) as info:
        load(source.with_resources("linkedin_comments"), tmp_path, "raw_linkedin")
    assert cause(info.value, PseudonymisationKeyMissing) is not None


class Corrupter:
    """A proxy in front of the sandbox that breaks one record of each kind, once."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.done: set[str] = set()
        self.post_daily_urn: str | None = None

    def mutate(self, path: str, body: Any) -> Any:
        elements = body.get("elements") if isinstance(body, dict) else None
        if not elements:
            return body
        if path.startswith("/linkedin/rest/posts?") and "posts" not in self.done:
            self.done.add("posts")
            elements[0]["createdAt"] = "yesterday"
            elements[-1]["contentSuggestionScore"] = {"score": 0.7}  # a field LinkedIn adds
        elif "/socialActions/" in path and "comments" not in self.done and len(elements) > 1:
            self.done.add("comments")
            elements[0].pop("commentUrn", None)
            elements[-1]["actorDisplayName"] = "Jeanne Martin"  # a field LinkedIn adds
        elif ("shares=List" in path or "ugcPosts=List" in path) and "timeIntervals" in path:
            if "post_daily" not in self.done:  # every day of one post
                self.done.add("post_daily")
                self.post_daily_urn = elements[0].get("share") or elements[0].get("ugcPost")
                for element in elements:
                    if self.post_daily_urn in (element.get("share"), element.get("ugcPost")):
                        element["totalShareStatistics"]["likeCount"] = "many"
        elif "shares=List" in path or "ugcPosts=List" in path:
            if "stats" not in self.done:
                self.done.add("stats")
                elements[0]["totalShareStatistics"]["impressionCount"] = "lots"
        elif "FollowerStatistics" in path and "timeIntervals" in path and "gains" not in self.done:
            self.done.add("gains")
            elements[-1]["followerGains"] = {"organicFollowerGain": 1.5}
        return body


@pytest.fixture()
def corrupting_proxy(sandbox: Sandbox) -> Iterator[tuple[str, Corrupter]]:
    corrupter = Corrupter(sandbox.url)

    class Handler(BaseHTTPRequestHandler):
        upstream_date = ""

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            keep = ("authorization", "linkedin-version", "x-restli-protocol-version")
            headers = {k: v for k, v in self.headers.items() if k.lower() in keep}
            resp = requests.get(sandbox.url + self.path, headers=headers, timeout=30)
            payload = resp.content
            if resp.status_code == 200:
                payload = json.dumps(corrupter.mutate(self.path, resp.json())).encode()
            self.upstream_date = resp.headers.get("Date", "")
            self.send_response(resp.status_code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def date_time_string(self, timestamp: float | None = None) -> str:
            return self.upstream_date or super().date_time_string(timestamp)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", corrupter
    httpd.shutdown()


def test_bad_records_are_quarantined(
    li: LinkedIn, corrupting_proxy: tuple[str, Corrupter], tmp_path: Path
) -> None:
    proxy, corrupter = corrupting_proxy
    db = run_source(proxy, tmp_path, "bad")
    assert corrupter.done == {"posts", "comments", "stats", "gains", "post_daily"}
    found = query(
        db, "select resource, record_id, reason, payload from raw_linkedin.quarantine order by 1"
    )
    by_resource = {r[0]: r for r in found}
    assert set(by_resource) == {
        "linkedin_posts",
        "linkedin_comments",
        "linkedin_post_statistics",
        "linkedin_post_statistics_daily",
        "linkedin_follower_gains",
    }
    assert "createdAt" in by_resource["linkedin_posts"][2]
    assert "commentUrn" in by_resource["linkedin_comments"][2]
    assert "urn:li:person" not in by_resource["linkedin_comments"][3]
    assert "impressionCount" in by_resource["linkedin_post_statistics"][2]
    assert "organicFollowerGain" in by_resource["linkedin_follower_gains"][2]
    # everything else still loaded
    manifest = li.manifest()
    # the post whose days were broken: each of its days quarantined, no row; the others loaded
    bad_days = {r[1] for r in found if r[0] == "linkedin_post_statistics_daily"}
    expected_days = expected_post_daily(manifest)
    urn = corrupter.post_daily_urn
    assert bad_days and all(rid.startswith(f"{urn}/") for rid in bad_days)
    assert len(bad_days) == sum(1 for u, _ in expected_days if u == urn)
    assert "likeCount" in by_resource["linkedin_post_statistics_daily"][2]
    listed = {r[0] for r in query(db, "select post_urn from raw_linkedin.linkedin_posts")}
    got_days = post_daily(db)  # (the quarantined post was not listed, so has no days either)
    assert got_days == {k: v for k, v in expected_days.items() if k[0] in listed - {urn}}
    posts = query(db, "select count(*) from raw_linkedin.linkedin_posts")[0][0]
    assert posts == manifest["totals"]["posts"] - 1
    # The new field is loaded as a column of its own, keyed: its meaning is unreviewed.
    added = query(
        db,
        "select content_suggestion_score from raw_linkedin.linkedin_posts "
        "where content_suggestion_score is not null",
    )
    assert added == [(keyed_hash('{"score": 0.7}', "linkedin"),)]
    # A new comment field could name a member: it is loaded as a keyed hash.
    named = query(
        db,
        "select actor_display_name from raw_linkedin.linkedin_comments "
        "where actor_display_name is not null",
    )
    assert named == [(keyed_hash("Jeanne Martin", "linkedin"),)]
    comments = query(db, "select count(*) from raw_linkedin.linkedin_comments")[0][0]
    assert comments >= manifest["totals"]["comments"] - 5
