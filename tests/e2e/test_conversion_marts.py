"""End to end: from a social post to a visit, a conversion and revenue, through Dagster.

``make demo``'s replay of a 30-day world (tests/e2e/conftest.py) loads Matomo and GA4 from the
sandbox and builds the conversion marts. The oracle is the generator's ground truth (the Matomo
manifest, computed from the world's visits, conversions and post links): sessions per channel
group, and per post the sessions, conversions and revenue under last touch; the planted cases
(denied and unknown consent, multi-visit paths, malformed UTMs) must show where they belong.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest

from pulse_config.paths import PROJECT_ROOT
from sandbox.world.manifest import build_manifest
from sandbox.world.store import now_of, open_readonly
from tests.e2e.conftest import LAST

pytestmark = pytest.mark.e2e

README = PROJECT_ROOT / "README.md"


@pytest.fixture(scope="module")
def env(demo_replay: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The replay of ``make demo`` (which must have succeeded) and the Matomo truth."""
    assert demo_replay["code"] == 0, demo_replay["out"][-3000:]
    manifest = build_manifest(demo_replay["world"], today=LAST)
    yield {**demo_replay, "truth": manifest["sources"]["matomo"]["sites"]}


def _query(env: dict[str, Any], sql: str, db: str = "warehouse.duckdb") -> list[tuple]:
    con = duckdb.connect(str(env["tmp"] / db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_sessions_per_channel_group_equal_the_truth(env: dict[str, Any]) -> None:
    truth = {
        (site, group): n
        for site, s in env["truth"].items()
        for group, n in s["sessions_by_channel_group"].items()
    }
    got = {
        (site, group): n
        for site, group, n in _query(
            env,
            "select site_id, channel_group, count(*) from marts.fct_sessions group by all",
        )
    }
    assert got == truth


def test_post_sessions_conversions_and_last_touch_revenue_equal_the_truth(
    env: dict[str, Any],
) -> None:
    truth = {
        key: (p["sessions"], p["conversions"], round(p["revenue_last_touch"], 2))
        for s in env["truth"].values()
        for key, p in s["posts"].items()
    }
    assert len(truth) > 20, "the world plants too few post journeys to test anything"
    got = {
        key: (sessions, round(conversions, 6), round(revenue, 2))
        for key, sessions, conversions, revenue in _query(
            env,
            "select post_key, sessions, conversions_last_touch, revenue_last_touch "
            "from marts.mart_post_conversions where sessions > 0",
        )
    }
    assert got == truth


def test_planted_consent_cases_land_where_documented(env: dict[str, Any]) -> None:
    """Denied visits are sessions but never touches; unknown consent is included (default)."""
    consent = dict(_query(env, "select consent, count(*) from marts.fct_sessions group by 1"))
    denied = sum(s["denied_visits"] for s in env["truth"].values())
    unknown = sum(s["unknown_consent_visits"] for s in env["truth"].values())
    assert denied > 0 and unknown > 0
    assert consent.get("denied") == denied and consent.get("unknown") == unknown
    in_paths = _query(
        env,
        "select s.consent, count(*) from marts.fct_attribution a "
        "join marts.fct_sessions s using (session_key) group by 1",
    )
    assert "denied" not in dict(in_paths) and dict(in_paths).get("unknown", 0) > 0


def test_multi_visit_paths_share_credit(env: dict[str, Any]) -> None:
    planted = sum(s["multi_visit_converting_paths"] for s in env["truth"].values())
    assert planted > 0
    multi = _query(
        env,
        "select count(distinct conversion_key) from marts.fct_attribution "
        "where model = 'linear' and touch_count > 1",
    )[0][0]
    assert multi > 0
    # Linear credit of a path of n touches is 1/n on each: checked against n, not the model.
    bad = _query(
        env,
        "select count(*) from marts.fct_attribution "
        "where model = 'linear' and abs(credit - 1.0 / touch_count) > 1e-9",
    )[0][0]
    assert bad == 0


def test_planted_malformed_utms_show_in_utm_quality(env: dict[str, Any]) -> None:
    """Every post link the generator tagged wrongly on purpose is counted, under its kind."""
    cur = open_readonly(env["world"])
    try:
        planted = Counter(
            dict(
                cur.execute(
                    "select utm_malformed, count(*) from posts where utm_malformed is not null "
                    "and created_time <= ? group by 1",
                    [now_of(LAST)],
                ).fetchall()
            )
        )
    finally:
        cur.close()
    assert planted, "the world planted no malformed UTM"
    issue = {"upper_case": "upper_case", "medium_typo": "unknown_medium"}
    issue["missing_utm_content"] = "missing_content"
    counted = dict(
        _query(
            env,
            "select issue, sum(occurrences) from marts.mart_utm_quality "
            "where subject = 'post_link' group by 1",
        )
    )
    for kind, n in planted.items():
        assert counted.get(issue[kind], 0) >= n, (kind, n, counted)


def test_ga4_and_matomo_reconcile_within_tolerance(env: dict[str, Any]) -> None:
    rows = _query(
        env,
        "select count(*), count(*) filter (where not within_tolerance) "
        "from marts.mart_web_analytics_reconciliation",
    )
    total, outside = rows[0]
    assert total > 0 and outside == 0


def test_readme_conversion_queries_run_on_the_published_marts(env: dict[str, Any]) -> None:
    """The example SQL of README's conversion section runs as printed on the published copy."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## What the conversion marts answer", 1)[1].split("\n## ", 1)[0]
    queries = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    assert len(queries) == 3
    for query in queries:
        assert _query(env, query, db="published.duckdb"), query
