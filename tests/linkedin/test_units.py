"""Row builders of the LinkedIn source: shapes LinkedIn serves, and what gets quarantined."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingestion.linkedin import rows
from ingestion.linkedin.helpers import (
    Classifier,
    LinkedInConfigError,
    check_version,
    next_href,
    restli_list,
    time_intervals,
)
from ingestion.quarantine import InvalidRecord

WHEN = datetime(2025, 12, 15, 23, 59, 59, tzinfo=UTC)


def _post(**extra: object) -> dict[str, object]:
    return {
        "id": "urn:li:share:7100000000000000001",
        "author": "urn:li:organization:1",
        "commentary": "Voir \\(enfin\\) https://x.example/?utm\\_source=linkedin "
        "@[Acme](urn:li:organization:2)\n\n{hashtag|\\#|ete}",
        "createdAt": 1765000000000,
        "publishedAt": 1765000100000,
        "lastModifiedAt": 1765000200000,
        **extra,
    }


def test_post_row_decodes_little_text_and_content() -> None:
    row, ref = rows.post(_post(), "1", WHEN)
    assert row["commentary_text"] == (
        "Voir (enfin) https://x.example/?utm_source=linkedin Acme\n\n#ete"
    )
    assert row["link_url"] == "https://x.example/?utm_source=linkedin"
    assert row["content_type"] == "text" and row["post_type"] == "share"
    assert ref.published_at == datetime.fromtimestamp(1765000100, UTC)
    article = {"article": {"source": "https://a.example/?utm_content=1", "title": "T"}}
    row, _ = rows.post(_post(content=article), "1", WHEN)
    assert (
        row["content_type"] == "article" and row["link_url"] == "https://a.example/?utm_content=1"
    )
    images = {"multiImage": {"images": [{"id": "urn:li:image:A"}, {"id": "urn:li:image:B"}]}}
    row, _ = rows.post(_post(content=images), "1", WHEN)
    assert (row["content_type"], row["media_count"]) == ("multi_image", 2)
    row, _ = rows.post(_post(content={"media": {"id": "urn:li:document:D1"}}), "1", WHEN)
    assert (row["content_type"], row["media_urn"]) == ("document", "urn:li:document:D1")


@pytest.mark.parametrize(
    "extra",
    [
        {"id": "urn:li:activity:1"},
        {"id": 7100000000000000001},
        {"createdAt": "2025-12-01"},
        {"createdAt": None},
        {"content": "image"},
    ],
)
def test_bad_posts_raise_invalid_record(extra: dict[str, object]) -> None:
    with pytest.raises((InvalidRecord, ValueError)):
        rows.post(_post(**extra), "1", WHEN)


def test_statistics_keep_absent_counts_null() -> None:
    values = rows.statistics({"totalShareStatistics": {"impressionCount": 10, "engagement": 0.1}})
    assert values["impression_count"] == 10 and values["engagement"] == 0.1
    assert values["click_count"] is None
    with pytest.raises(InvalidRecord):
        rows.statistics({"totalShareStatistics": {"likeCount": -1}})
    with pytest.raises(InvalidRecord):
        rows.statistics({})


def test_comment_hashes_people_and_flags_the_brand() -> None:
    raw = {
        "id": "5",
        "commentUrn": "urn:li:comment:(urn:li:activity:1,5)",
        "actor": "urn:li:organization:1",
        "agent": "urn:li:person:abc",
        "message": {"text": "Merci !"},
        "created": {"actor": "urn:li:organization:1", "time": 1765000000000},
        "likesSummary": {"totalLikes": 2},
        "commentsSummary": {"totalFirstLevelComments": 0},
        "parentComment": "urn:li:comment:(urn:li:activity:1,4)",
    }
    row = rows.comment(raw, "urn:li:share:9", "1", WHEN, lambda v: None if v is None else f"h({v})")
    assert row["is_from_organization"] and row["author_type"] == "organization"
    assert row["agent_urn_hash"] == "h(urn:li:person:abc)"
    redacted = rows.redact(raw, lambda v: "x")
    assert "urn:li:person" not in str(redacted)


def test_restli_encoding_and_paging_helpers() -> None:
    assert restli_list(["urn:li:share:1", "urn:li:ugcPost:2"]) == (
        "List(urn%3Ali%3Ashare%3A1,urn%3Ali%3AugcPost%3A2)"
    )
    assert time_intervals(datetime(2025, 1, 1).date(), datetime(2025, 1, 3).date()) == (
        "(timeRange:(start:1735689600000,end:1735862400000),timeGranularityType:DAY)"
    )
    page = {"paging": {"links": [{"rel": "prev", "href": "/a"}, {"rel": "next", "href": "/b"}]}}
    assert next_href(page) == "/b" and next_href({"paging": {"links": []}}) is None
    assert check_version("202511") == "202511" and check_version("20251101") == "20251101"
    for bad in ("2025-11", "202513", "v202511", ""):
        with pytest.raises(LinkedInConfigError, match="sources.linkedin.api_version"):
            check_version(bad)


class _Resp:
    def __init__(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        self.status_code, self._body, self.headers = status, body, headers or {}
        self.url, self.text = "https://api.linkedin.com/rest/posts", str(body)

    def json(self) -> object:
        if isinstance(self._body, Exception):
            raise self._body
        return self._body


def test_classifier() -> None:
    classify = Classifier("202309")
    assert classify(_Resp(200, {}), "1").action == "ok"
    assert classify(_Resp(200, ValueError("cut")), "1").action == "retry"
    throttled = classify(_Resp(429, {"status": 429}, {"Retry-After": "30"}), "1")
    assert (throttled.action, throttled.wait_s) == ("retry", 30.0)
    assert classify(_Resp(504, {"status": 504}), "1").action == "retry"
    sunset = classify(_Resp(426, {"status": 426, "code": "NONEXISTENT_VERSION"}), "1")
    assert sunset.action == "fail" and "202309" in sunset.reason
    assert classify(_Resp(401, {"status": 401}), "1").action == "fail"
    assert classify(_Resp(403, {"status": 403}), "1").action == "fail"
    assert classify(_Resp(400, {"message": "Invalid timeIntervals parameter"}), "1").action == (
        "fail"
    )
