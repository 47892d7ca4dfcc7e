"""Fast unit tests of the Matomo source: the classifier, day paging, rows and pseudonyms."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from ingestion.http import SourceAuthError
from ingestion.matomo import helpers as h
from ingestion.privacy import Pseudonymiser
from pulse_config.registry import MatomoSite
from tests.sources.support import TODAY


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    resp.headers.update(headers or {})
    return resp


def test_classifier() -> None:
    err = {"result": "error", "message": "Mysql error: SQLSTATE[40001]: Deadlock found"}
    assert h.classify(response(200, err), "1").action == "retry"
    v = h.classify(response(429, {"result": "error", "message": "slow"}, {"Retry-After": "4"}), "1")
    assert v.action == "retry" and v.wait_s == 4.0
    assert h.classify(response(503, b"<html>busy</html>"), "1").action == "retry"
    assert h.classify(response(200, b'[{"idVisit": 1'), "1").action == "retry"
    denied = {
        "result": "error",
        "message": "You can't access this resource as it requires 'view' access for the "
        "website id = 7.",
    }
    bad = h.classify(response(200, denied), "7")
    assert bad.action == "fail" and isinstance(bad.error, SourceAuthError)
    assert "matomo: account site 7" in str(bad.error)
    expired = {"result": "error", "message": "Unable to authenticate with the provided token."}
    assert isinstance(h.classify(response(401, expired), "7").error, SourceAuthError)
    other = {"result": "error", "message": "The method 'x' does not exist"}
    assert h.classify(response(200, other), "7").action == "fail"
    assert h.classify(response(200, []), "7").action == "ok"


class FakeAnswer:
    def __init__(self, page: list) -> None:
        self.page = page

    def json(self) -> list:
        return self.page


def test_day_paging_stops_on_a_short_page(monkeypatch: pytest.MonkeyPatch) -> None:
    offsets: list[int] = []

    def call(client: Any, token: str, site: str, params: dict) -> FakeAnswer:
        offsets.append(params["filter_offset"])
        return FakeAnswer([{"idVisit": i} for i in range(params["filter_offset"], 25)][:10])

    monkeypatch.setattr(h, "call", call)
    pages = list(h.visits_of_day(None, "t", "1", TODAY, 10))  # type: ignore[arg-type]
    assert [len(p) for _a, p in pages] == [10, 10, 5] and offsets == [0, 10, 20]


def test_visit_rows_children_and_pseudonyms() -> None:
    hasher = Pseudonymiser("k" * 32)
    raw = {
        "idVisit": 42,
        "visitorId": "abcdef0123456789",
        "userId": "cust-1",
        "firstActionTimestamp": 1764547200,
        "actionDetails": [
            {"type": "action", "url": "https://x/blog", "timestamp": 1764547200},
            {"type": "goal", "goalId": "1", "goalName": "Newsletter", "timestamp": 1764547260},
            {
                "type": "ecommerceOrder",
                "orderId": "O-1",
                "revenue": 59.9,
                "items": 2,
                "timestamp": 1764547300,
            },
        ],
    }
    visit, convs = h.visit_rows(raw, MatomoSite("1"), "b", None, hasher, hasher)  # type: ignore[arg-type]
    assert visit["visitor_id_hash"] == hasher("abcdef0123456789")
    assert visit["consent"] == "unknown" and visit["consent_dimension"] is None
    assert visit["entry_url"] == "https://x/blog" and visit["revenue"] == 59.9
    assert [c["conversion_id"] for c in convs] == ["42-1-1764547260", "42-0-1764547300"]
