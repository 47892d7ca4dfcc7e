"""Fast tests: the classifier, paging by links, row validation, quarantine via a stub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import RetryPolicy, SourceAuthError, SourceError
from ingestion.trustpilot import trustpilot_source
from ingestion.trustpilot.helpers import TrustpilotClient, classify, next_page
from tests.sources.support import cause, keyed_hash, load_source, query, requests_seen
from tests.trustpilot.stub import BU, KEY, Stub, review


def load(base_url: str, tmp: Path, registry: str) -> Path:
    """The source against the stub at ``base_url`` for the brands of ``registry``."""
    return load_source(
        "trustpilot",
        base_url,
        tmp,
        "tp_stub",
        base_url=base_url,
        api_key=KEY,
        registry_path=registry,
    )


def response(status: int, body: object | str, headers: dict[str, str] | None = None):
    resp = requests.Response()
    resp.status_code = status
    resp._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    resp.headers.update(headers or {})
    return resp


def gateway(faultstring: str, code: str) -> dict[str, object]:
    return {"fault": {"faultstring": faultstring, "detail": {"errorcode": code}}}


@pytest.fixture
def registry(tmp_path: Path) -> str:
    path = tmp_path / "brands.yaml"
    path.write_text(
        "brands:\n  - id: stub\n    name: Stub\n    timezone: UTC\n"
        f'    accounts:\n      trustpilot: "{BU}"\n'
        "  - id: other\n    name: Other\n    timezone: UTC\n    accounts:\n      facebook: '1'\n",
        encoding="utf-8",
    )
    return str(path)


def test_classifier() -> None:
    assert classify(response(200, {"reviews": []}), BU).action == "ok"
    assert classify(response(200, '{"reviews": [{"id"'), BU).action == "retry"  # truncated
    quota = gateway("Rate limit quota violation", "policies.ratelimit.QuotaViolation")
    verdict = classify(response(429, quota, {"Retry-After": "7"}), BU)
    assert (verdict.action, verdict.wait_s) == ("retry", 7.0)
    spike = gateway("Spike arrest violation", "policies.ratelimit.SpikeArrestViolation")
    assert classify(response(429, spike), BU).action == "retry"
    assert classify(response(503, gateway("down", "messaging.x")), BU).action == "retry"
    bad = classify(response(401, gateway("Invalid ApiKey", "oauth.v2.InvalidApiKey")), BU)
    assert bad.action == "fail" and isinstance(bad.error, SourceAuthError)
    assert "oauth.v2.InvalidApiKey" in str(bad.error) and BU in str(bad.error)
    missing = classify(response(404, {"message": "Not Found", "details": "no unit"}), BU)
    assert isinstance(missing.error, SourceError) and "no unit" in str(missing.error)
    assert classify(response(400, {"message": "Bad Request"}), BU).action == "fail"


def test_next_page_link() -> None:
    links = [{"rel": "prev-page", "href": "p"}, {"rel": "next-page", "href": "n"}]
    assert next_page({"links": links}) == "n"
    assert next_page({"links": links[:1]}) is None
    assert next_page({"reviews": []}) is None


def test_paging_follows_links_to_the_end() -> None:
    with Stub([review(n, 1 + n) for n in range(5)], per_page=2) as stub:
        client = TrustpilotClient(KEY, stub.base_url, RetryPolicy(backoff_base_s=0.01))
        pages = list(client.review_pages(BU, 2))
        ids = [r["id"] for p in pages for r in p.json()["reviews"]]
    assert len(pages) == 3 and len(ids) == len(set(ids)) == 5
    assert "perPage=2" in stub.log[0] and "orderBy=createdat.desc" in stub.log[0]
    assert all(line.startswith(f"/v1/business-units/{BU}/reviews") for line in stub.log)


def test_retry_after_is_honoured_then_the_page_loads() -> None:
    quota = gateway("Rate limit quota violation", "policies.ratelimit.QuotaViolation")
    with Stub([review(1, 2)]) as stub:
        stub.faults.append((429, quota, {"Retry-After": "0"}))
        slept: list[float] = []
        client = TrustpilotClient(KEY, stub.base_url, RetryPolicy())
        client.http.sleep = slept.append
        assert client.business_unit(BU).json()["id"] == BU
    assert slept == [0.0] and client.http.retries == 1


def test_source_builds_without_secrets(registry: str) -> None:
    source = trustpilot_source(registry_path=registry)
    assert set(source.resources) == {"business_units", "reviews", "review_snapshots"}


def test_malformed_reviews_are_quarantined_and_new_fields_evolve(
    tmp_path: Path, registry: str
) -> None:
    reviews = [
        review(1, 9, countsTowardsTrustScore=True),
        review(2, 8, stars="five"),
        {k: v for k, v in review(3, 7).items() if k != "id"},
        review(4, 6, createdAt="last tuesday"),
        review(
            5,
            5,
            companyReply={
                "text": "Merci",
                "authorBusinessUserName": "Zoé",
                "createdAt": "2025-12-06T08:00:00Z",
            },
        ),
    ]
    with Stub(reviews, per_page=2) as stub:
        db = load(stub.base_url, tmp_path, registry)
    loaded = query(
        db, "select review_id, has_reply, reply_author_hash from raw_trustpilot.reviews order by 1"
    )
    assert [r[0] for r in loaded] == [f"{1:024x}", f"{5:024x}"]
    # the staff member's name, keyed
    assert loaded[1][1] is True and loaded[1][2] == keyed_hash("Zoé", "trustpilot")
    extra = query(
        db,
        "select counts_towards_trust_score from raw_trustpilot.reviews where review_id = '"
        + f"{1:024x}'",
    )
    assert extra == [(keyed_hash("true", "trustpilot"),)]  # a new field: keyed, unreviewed
    bad = query(db, "select record_id, reason, payload from raw_trustpilot.quarantine order by 1")
    assert len(bad) == 3
    reasons = {r[0]: r[1] for r in bad}
    assert "'stars' is not an integer" in reasons[f"{2:024x}"]
    assert "'createdAt' is not a parseable timestamp" in reasons[f"{4:024x}"]
    assert any(
        rid.startswith("missing-id:") and "missing required 'id'" in why
        for rid, why in reasons.items()
    )
    for _rid, _why, payload in bad:
        consumer = json.loads(payload)["consumer"]
        assert "Jean" not in payload and "displayLocation" not in consumer


def test_unknown_business_unit_fails_naming_it(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path / "brands.yaml"
    path.write_text(
        "brands:\n  - id: x\n    name: X\n    timezone: UTC\n"
        "    accounts:\n      trustpilot: nope\n",
        encoding="utf-8",
    )
    with (
        Stub([]) as stub,
        requests_seen(stub.base_url) as seen,
        pytest.raises(PipelineStepFailed) as info,
    ):
        load(stub.base_url, tmp_path, str(path))
    error = cause(info.value, SourceError)
    assert error is not None, info.value
    assert "trustpilot: account nope" in str(error) and "HTTP 404" in str(error)
    assert len(seen) == 1, seen  # a missing unit is not retried
