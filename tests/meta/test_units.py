"""Pure functions of the Meta source: the error classifier, usage headers, series days."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import requests

from ingestion.http import SourceAuthError, safe_url
from ingestion.meta.context import without_insights
from ingestion.meta.errors import (
    MetaApiError,
    MetaAuthError,
    MetaPermissionError,
    classify,
    refused_for_one_object,
    regain_wait_s,
)
from ingestion.meta.rows import series_day

ACCOUNT = "facebook 104500000000001"


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    """A Graph answer as ``requests`` hands it to the classifier."""
    resp = requests.Response()
    resp.status_code = status
    resp._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    resp.headers.update(headers or {})
    resp.url = "https://graph.facebook.com/v23.0/104500000000001?access_token=s3cr3t"
    resp.request = requests.Request("GET", resp.url).prepare()
    return resp


def error(code: int, status: int = 400, **extra: Any) -> requests.Response:
    return answer(status, {"error": {"message": f"(#{code}) x", "code": code, **extra}})


def at(resp: requests.Response, url: str) -> requests.Response:
    """The same answer, to a request for ``url``."""
    resp.url = url
    resp.request = requests.Request("GET", url).prepare()
    return resp


# Throttling codes of developers.facebook.com/docs/graph-api/overview/rate-limiting.
@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001, 80002, 80006, 80014])
def test_throttling_codes_are_retried(code: int) -> None:
    verdict = classify(error(code, status=403 if code == 4 else 400), ACCOUNT)
    assert verdict.action == "retry" and verdict.wait_s is None  # no regain time: backoff


def test_regain_time_of_the_usage_header_is_the_wait() -> None:
    buc = {"104500000000001": [{"type": "pages", "estimated_time_to_regain_access": 3}]}
    resp = error(80001)
    resp.headers["X-Business-Use-Case-Usage"] = json.dumps(buc)
    assert classify(resp, ACCOUNT).wait_s == 180


@pytest.mark.parametrize(
    "resp",
    [
        error(1, status=500),
        error(2, status=503),
        error(100, is_transient=True),
        answer(502, "<html>bad gateway</html>"),
        answer(429, {}),
        answer(200, '{"data": [{"id": "1'),  # truncated page
    ],
)
def test_transient_answers_are_retried(resp: requests.Response) -> None:
    assert classify(resp, ACCOUNT).action == "retry"


def test_an_expired_token_fails_at_once_naming_the_account() -> None:
    verdict = classify(error(190, error_subcode=463, fbtrace_id="AbC"), ACCOUNT)
    assert verdict.action == "fail"
    err = verdict.error
    assert isinstance(err, MetaAuthError) and isinstance(err, SourceAuthError)
    for part in ("meta", ACCOUNT, "code 190", "subcode 463", "fbtrace_id AbC", "ACCESS_TOKEN"):
        assert part in str(err), part


def test_permission_and_other_errors_fail_without_retry() -> None:
    denied = classify(error(200), ACCOUNT)
    assert denied.action == "fail" and isinstance(denied.error, SourceAuthError)
    bad = classify(error(100, error_subcode=33), ACCOUNT)
    assert bad.action == "fail" and not isinstance(bad.error, SourceAuthError)
    assert isinstance(bad.error, MetaApiError) and (bad.error.code, bad.error.subcode) == (100, 33)
    assert "s3cr3t" not in str(bad.error)


def test_ok_answers_pass() -> None:
    assert classify(answer(200, {"data": []}), ACCOUNT).action == "ok"


def test_headers_and_series_days() -> None:
    buc = {"123": [{"type": "pages", "estimated_time_to_regain_access": 3}]}
    assert regain_wait_s({"X-Business-Use-Case-Usage": json.dumps(buc)}) == 180
    assert regain_wait_s({}) == 0
    assert series_day("2025-03-02T08:00:00+0000") == date(2025, 3, 1)
    assert series_day("2025-03-01T23:59:59+0000") == date(2025, 3, 1)
    assert (
        safe_url("https://g/x?access_token=s3cr3t&after=A")
        == "https://g/x?access_token=***&after=A"
    )


G = "https://graph.facebook.com/v23.0/"


@pytest.mark.parametrize(
    ("account", "url", "body", "named"),
    [  # Meta names the permission: the source repeats it
        (
            ACCOUNT,
            G + "104500000000001?fields=id",
            {
                "code": 10,
                "message": "(#10) This endpoint requires the 'pages_read_engagement' "
                "permission or the 'Page Public Content Access' feature.",
            },
            "pages_read_engagement",
        ),
        (
            ACCOUNT,
            G + "1",
            {
                "code": 283,
                "message": "(#283) Requires pages_read_engagement permission to manage the object",
            },
            "pages_read_engagement",
        ),
        # Meta does not: the source names what the request needs (Meta's endpoint references)
        (
            ACCOUNT,
            G + "?ids=1_2&fields=id,insights.metric(post_clicks)",
            {"code": 200, "message": "(#200) Permissions error"},
            "read_insights",
        ),
        (
            ACCOUNT,
            G + "104500000000001/insights?metric=page_follows",
            {"code": 200, "message": "(#200) Permissions error"},
            "read_insights",
        ),
        (
            "instagram 178",
            G + "?ids=179&fields=id,insights.metric(reach)",
            {"code": 10, "message": "(#10) Application does not have permission for this action"},
            "instagram_manage_insights",
        ),
        (
            "instagram 178",
            G + "?ids=179&fields=comments.limit(100)%7Bid%7D",
            {"code": 10, "message": "(#10) Application does not have permission for this action"},
            "instagram_manage_comments",
        ),
        (
            "instagram 178",
            G + "178?fields=id,followers_count",
            {"code": 10, "message": "(#10) Application does not have permission for this action"},
            "instagram_basic",
        ),
    ],
)
def test_a_missing_permission_is_named(account: str, url: str, body: Any, named: str) -> None:
    verdict = classify(at(answer(400, {"error": body}), url), account)
    assert verdict.action == "fail" and isinstance(verdict.error, MetaPermissionError)
    assert f"the access token lacks {named}" in str(verdict.error)
    assert str(verdict.error).startswith(f"meta: account {account}: permission denied")


def test_refusals_of_one_object_are_not_permission_errors() -> None:
    before = classify(error(100, error_subcode=2108006), "instagram 178")
    viewers = classify(
        answer(
            400,
            {
                "error": {
                    "code": 10,
                    "message": "(#10) Not enough viewers for the media to show insights",
                }
            },
        ),
        "instagram 178",
    )
    for verdict in (before, viewers):
        assert verdict.action == "fail" and not isinstance(verdict.error, SourceAuthError)
        assert refused_for_one_object(verdict.error)
    assert not refused_for_one_object(classify(error(100, error_subcode=33), ACCOUNT).error)
    assert not refused_for_one_object(classify(error(10), ACCOUNT).error)


def test_without_insights_keeps_the_other_fields() -> None:
    fields = "id,like_count,comments_count,insights.metric(reach,likes).period(lifetime)"
    assert without_insights(fields) == "id,like_count,comments_count"
    assert without_insights("id,comments.limit(100){id,replies{id,text}}") == (
        "id,comments.limit(100){id,replies{id,text}}"
    )


def test_a_rejected_cursor_fails_saying_what_to_do() -> None:
    stale = classify(
        answer(400, {"error": {"code": 2642, "message": "(#2642) Invalid cursors values"}}),
        ACCOUNT,
    )
    assert stale.action == "fail" and "paging cursor rejected" in str(stale.error)
    assert "re-running the load" in str(stale.error)
