"""The limits of Matomo's Reporting API (Live), against the sandbox: Matomo 5's token rules and
HTTP statuses, ``result: error`` in a 200 answer, the default ``filter_limit`` of 100 and
offset paging, and Matomo Cloud's Live rate limit.

Oracles: Matomo's own messages and statuses (typed here from matomo-org/matomo 5.x, never
imported from the sandbox), the world's ``web_visits`` table and the ground-truth manifest.
The sandbox reads its rate limit from the environment at each request (``monkeypatch``).
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.http import SourceAuthError
from tests.matomo.test_source import check, run
from tests.sources.support import TODAY, Sandbox, cause, world_rows

TOKEN = "sandbox-matomo-token"
SECURE_TOKEN = "sandbox-matomo-secure-token"  # "only allow secure requests" (Matomo 5)
FAILED_POST = "Unable to authenticate with the provided token. It is either invalid or expired."
FAILED_GET = (
    "Unable to authenticate with the provided token. It is either invalid, expired or is "
    "required to be sent as a POST parameter."
)
LIVE = {"module": "API", "method": "Live.getLastVisitsDetails", "idSite": "1", "format": "JSON"}
PATIENT = {"backoff_base_s": 0.2, "backoff_max_s": 0.5, "max_attempts": 12}


def ask(sandbox: Sandbox, params: dict[str, Any], form: dict[str, str] | None = None) -> Any:
    """GET (``form`` None) or POST with ``form`` as the body, to the instance's index.php."""
    url = f"{sandbox.vendor('matomo')}/index.php"
    if form is None:
        return requests.get(url, params=params, timeout=30)
    return requests.post(url, params=params, data=form, timeout=30)


def test_tokens_and_statuses_as_matomo_5(sandbox: Sandbox) -> None:
    day = {"period": "day", "date": (TODAY - timedelta(days=1)).isoformat()}
    wrong_post = ask(sandbox, LIVE | day, {"token_auth": "wrong"})
    assert (wrong_post.status_code, wrong_post.json()) == (
        401,
        {"result": "error", "message": FAILED_POST},
    )
    wrong_get = ask(sandbox, LIVE | day | {"token_auth": "wrong"})
    assert (wrong_get.status_code, wrong_get.json()["message"]) == (401, FAILED_GET)
    secure_in_url = ask(sandbox, LIVE | day | {"token_auth": SECURE_TOKEN})
    assert (secure_in_url.status_code, secure_in_url.json()["message"]) == (401, FAILED_GET)
    secure_in_body = ask(sandbox, LIVE | day, {"token_auth": SECURE_TOKEN})
    assert secure_in_body.status_code == 200 and isinstance(secure_in_body.json(), list)
    anonymous = ask(sandbox, LIVE | day)
    assert anonymous.status_code == 401
    assert anonymous.json()["message"] == (
        "You can't access this resource as it requires 'view' access for the website id = 1."
    )
    unknown = ask(sandbox, LIVE | day | {"method": "Live.getEverything"}, {"token_auth": TOKEN})
    assert unknown.status_code == 400 and unknown.json()["result"] == "error"
    bad_date = ask(sandbox, LIVE | {"period": "day", "date": "soon"}, {"token_auth": TOKEN})
    assert bad_date.status_code == 200 and bad_date.json()["result"] == "error"  # still a 200


def test_secure_only_token_loads_because_the_source_posts_it(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    first = (TODAY - timedelta(days=2)).isoformat()
    db = run(sandbox, tmp_path, "mt_secure", start_date=first, token_auth=SECURE_TOKEN)
    check(db, world, TODAY, first)


def test_a_refused_token_fails_at_once_with_matomos_words(sandbox: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(PipelineStepFailed) as info:
        run(sandbox, tmp_path, "mt_wrong", token_auth="wrong")
    error = cause(info.value, SourceAuthError)
    assert error is not None, info.value
    assert FAILED_POST in str(error) and "HTTP 401" in str(error)


def busiest_day(world: Path) -> tuple[Any, int]:
    """Site 1's past day with the most visits, and how many (from the world itself)."""
    day, visits = world_rows(
        world,
        "select v.visit_date, count(*) from web_visits v join web_sites s using (brand_id) "
        "where s.matomo_site_id = '1' and v.visit_date < ? group by 1 order by 2 desc, 1 limit 1",
        [TODAY - timedelta(days=1)],
    )[0]
    return day, visits


def test_default_limit_is_100_and_offset_pages_reach_every_visit(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    day, visits = busiest_day(world)
    assert visits > 100, visits
    params = LIVE | {"period": "day", "date": day.isoformat()}
    default = ask(sandbox, params, {"token_auth": TOKEN}).json()
    assert len(default) == 100  # API_datatable_default_limit (config/global.ini.php)
    everything = ask(sandbox, params | {"filter_limit": -1}, {"token_auth": TOKEN}).json()
    assert len(everything) == visits
    db = run(sandbox, tmp_path, "mt_pages", start_date=day.isoformat(), page_size=30)
    check(db, world, TODAY, day.isoformat())


def test_cloud_live_rate_limit_is_waited_out(
    world: Path, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_MATOMO_LIVE_RATE_LIMIT", "3/1")
    time.sleep(1.1)  # requests of earlier tests leave the window
    day = {"period": "day", "date": TODAY.isoformat()}
    answers = [ask(sandbox, LIVE | day, {"token_auth": TOKEN}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert "retry-after" not in {k.lower() for k in answers[3].headers}
    version = ask(
        sandbox, {"module": "API", "method": "API.getMatomoVersion"}, {"token_auth": TOKEN}
    )
    assert version.status_code == 200  # not a Live request: not in the Live rule
    statuses: list[int] = []
    send = requests.Session.send

    def recording(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        resp = send(self, request, **kwargs)
        statuses.append(resp.status_code)
        return resp

    monkeypatch.setattr(requests.Session, "send", recording)
    first = (TODAY - timedelta(days=4)).isoformat()
    db = run(sandbox, tmp_path, "mt_cloud", start_date=first, page_size=40, **PATIENT)
    assert 429 in statuses, statuses  # the source met the limit and waited it out
    check(db, world, TODAY, first)
