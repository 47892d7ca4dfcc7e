"""Fast tests of the classifier, the paging loop, row building and quarantine (loopback stub)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from ingestion.google_business import google_business_source
from ingestion.google_business.helpers import (
    classify,
    make_client,
    review_pages,
    review_row,
    split_translation,
)
from ingestion.http import RetryPolicy, SourceAuthError, SourceError
from ingestion.privacy import Pseudonymiser
from tests.google_business.stub import LOC1, review, stub
from tests.sources.support import keyed_hash, load_source, query


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    resp.headers.update(headers or {})
    return resp


def rpc(code: int, status: str, message: str = "m", reason: str | None = None) -> dict:
    err: dict[str, Any] = {"code": code, "message": message, "status": status}
    if reason:
        err["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason}]
    return {"error": err}


def test_classify_ok_and_retryable() -> None:
    assert classify(response(200, {"reviews": []}), LOC1).action == "ok"
    truncated = classify(response(200, '{"reviews": [{"na'), LOC1)
    assert truncated.action == "retry" and "unreadable JSON" in truncated.reason
    quota = classify(response(429, rpc(429, "RESOURCE_EXHAUSTED"), {"Retry-After": "17"}), LOC1)
    assert quota.action == "retry" and quota.wait_s == 17.0
    assert classify(response(429, rpc(429, "RESOURCE_EXHAUSTED")), LOC1).wait_s is None
    assert classify(response(503, rpc(503, "UNAVAILABLE")), LOC1).action == "retry"
    assert classify(response(502, "<html>bad gateway</html>"), LOC1).action == "retry"


@pytest.mark.parametrize(
    ("status", "body", "kind", "text"),
    [
        (
            401,
            rpc(401, "UNAUTHENTICATED", "bad creds", "ACCESS_TOKEN_EXPIRED"),
            SourceAuthError,
            "access token rejected: HTTP 401 UNAUTHENTICATED (ACCESS_TOKEN_EXPIRED): 'bad creds'",
        ),
        (
            403,
            rpc(403, "PERMISSION_DENIED", "The caller does not have permission"),
            SourceAuthError,
            "permission denied on this location",
        ),
        (404, rpc(404, "NOT_FOUND", "Requested entity was not found."), SourceError, "not found"),
        (400, rpc(400, "INVALID_ARGUMENT"), SourceError, "request refused: HTTP 400"),
    ],
)
def test_classify_final_errors_name_source_and_location(
    status: int, body: dict, kind: type, text: str
) -> None:
    verdict = classify(response(status, body), LOC1)
    assert verdict.action == "fail" and isinstance(verdict.error, kind)
    assert str(verdict.error).startswith(f"google_business: account {LOC1}: ")
    assert text in str(verdict.error)


def test_paging_follows_tokens_and_detects_loops() -> None:
    pages = {
        "": {"reviews": [review(1)], "nextPageToken": "t2", "totalReviewCount": 3},
        "t2": {"reviews": [review(2)], "nextPageToken": "t3"},
        "t3": {"reviews": [review(3)]},
    }
    with stub(pages) as (url, log):
        client = make_client("tok", url, "v4", RetryPolicy(max_attempts=1), LOC1)
        got = [body["reviews"][0]["reviewId"] for _, body in review_pages(client, LOC1, 500)]
        assert got == ["R1", "R2", "R3"]
        assert [p.get("pageToken") for p in log] == [None, ["t2"], ["t3"]]
        assert log[0]["pageSize"] == ["50"] and log[0]["orderBy"] == ["updateTime desc"]
    with stub({"": {"reviews": [], "nextPageToken": "x"}, "x": {"nextPageToken": "x"}}) as (u, _):
        client = make_client("tok", u, "v4", RetryPolicy(max_attempts=1), LOC1)
        with pytest.raises(SourceError, match="paging loop"):
            list(review_pages(client, LOC1, 50))


def test_review_row_pseudonymises_and_maps_ratings() -> None:
    hasher = Pseudonymiser("k" * 32)
    row = review_row(
        review(1, reviewReply={"comment": "Merci", "updateTime": "2025-12-02T00:00:00Z"}),
        LOC1,
        "maison-lumiere",
        None,
        hasher,
    )  # type: ignore[arg-type]
    assert row["reviewer_name_hash"] == hasher("Person 1") and "Person 1" not in str(row)
    assert row["reviewer_has_photo"] is True and "lh3" not in str(row)
    assert row["rating"] == 4 and row["reply_comment"] == "Merci"
    assert row["update_time"].microsecond == 123456  # nanoseconds trimmed
    anon = review_row(
        review(
            2, reviewer={"isAnonymous": True}, comment=None, starRating="STAR_RATING_UNSPECIFIED"
        ),
        LOC1,
        None,
        None,
        hasher,
    )  # type: ignore[arg-type]
    assert anon["reviewer_name_hash"] is None and anon["rating"] is None and anon["comment"] is None


@pytest.mark.parametrize(
    ("comment", "original", "translation"),
    [
        # Verbatim shape of a live answer quoted by a public GBP client's tests.
        ("(Translated by Google) Ok\n\n(Original)\nОк", "Ок", "Ok"),
        (
            "(Translated by Google) Great room.\n\nQuiet.\n\n(Original)\nBelle chambre.\n\nCalme.",
            "Belle chambre.\n\nCalme.",
            "Great room.\n\nQuiet.",
        ),
        # The other shape seen live: the original first, the translation after.
        ("Merci !\n\n(Translated by Google)\nThank you!", "Merci !", "Thank you!"),
        ("Bien", "Bien", None),
        ("He wrote (Translated by Google) on it", "He wrote (Translated by Google) on it", None),
        (
            "(Translated by Google) no original marker",
            "(Translated by Google) no original marker",
            None,
        ),
        (None, None, None),
    ],
)
def test_split_translation_keeps_what_the_reviewer_wrote(
    comment: str | None, original: str | None, translation: str | None
) -> None:
    assert split_translation(comment) == (original, translation)


def test_review_row_keeps_the_original_and_the_translation_apart() -> None:
    wrapped = "(Translated by Google) Lovely shop!\n\n(Original)\nSuperbe boutique !"
    reply = {
        "comment": "(Translated by Google) Thank you Léa!\n\n(Original)\nMerci Léa !",
        "updateTime": "2025-12-02T00:00:00Z",
    }
    hasher = Pseudonymiser("k" * 32)
    row = review_row(review(1, comment=wrapped, reviewReply=reply), LOC1, None, None, hasher)  # type: ignore[arg-type]
    assert row["comment"] == "Superbe boutique !"
    assert row["comment_translation"] == "Lovely shop!" and row["comment_is_translated"] is True
    assert row["reply_comment"] == "Merci Léa !"
    plain = review_row(review(2), LOC1, None, None, hasher)  # type: ignore[arg-type]
    assert plain["comment"] == "Bien" and plain["comment_translation"] is None
    assert plain["comment_is_translated"] is False


def test_source_builds_without_secrets() -> None:
    source = google_business_source(access_token=None, pseudonymisation_key=None)
    assert set(source.resources) == {"reviews", "location_review_stats"}


def test_malformed_records_are_quarantined_not_dropped(tmp_path: Path) -> None:
    pages = {
        "": {
            "reviews": [
                review(1, newField={"evolves": True}),
                review(2, name=None),  # missing key
                review(3, starRating=5),  # wrong type
                review(4, createTime="yesterday"),
            ],
            "averageRating": 4.0,
            "totalReviewCount": 4,
        }
    }
    with stub(pages) as (url, _):
        db = load_source("google_business", url, tmp_path, base_url=url, locations=[LOC1])
    assert query(db, "select review_id from raw_google_business.reviews") == [("R1",)]
    # A field Google added since is loaded as a column of its own, keyed (unreviewed).
    assert query(db, "select new_field from raw_google_business.reviews") == [
        (keyed_hash('{"evolves": true}', "google_business"),)
    ]
    bad = query(
        db,
        "select resource, record_id, reason, payload from raw_google_business.quarantine "
        "order by record_id",
    )
    assert len(bad) == 3
    reasons = {r[1]: r[2] for r in bad}
    assert reasons[f"{LOC1}/reviews/R3"] == "'starRating' is not a star rating enum: 5"
    assert "not a parseable timestamp" in reasons[f"{LOC1}/reviews/R4"]
    assert any(r[1].startswith("missing-id:") and "missing required 'name'" in r[2] for r in bad)
    assert all("Person" not in r[3] and "lh3" not in r[3] for r in bad)  # pseudonymised payload
    assert query(
        db, "select total_review_count from raw_google_business.location_review_stats"
    ) == [(4,)]
