"""End to end: community care and e-reputation, through Dagster on the sandbox.

``make demo``'s replay of a 30-day world (tests/e2e/conftest.py) loads every source, scores
text sentiment and builds the reputation marts. The oracle is the generator's ground truth
(``sandbox/world/reputation_truth.py``, computed from the world's tables): inbound items,
reviews and brand replies per brand, the median first-response time, the crisis planted on one
brand and day, and the quiet control brand.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pulse_config.paths import PROJECT_ROOT
from sandbox.world.reputation_truth import reputation_manifest
from sandbox.world.store import open_readonly
from tests.e2e.conftest import BACKFILL, LAST
from tests.webhook_receiver import receiving

pytestmark = pytest.mark.e2e

WEBHOOK_ENV = "E2E_PULSE_ALERT_WEBHOOK_URL"


@pytest.fixture(scope="module")
def env(demo_replay: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The replay of ``make demo`` (which must have succeeded) and the reputation truth of
    daily loads from its backfill day."""
    assert demo_replay["code"] == 0, demo_replay["out"][-3000:]
    cur = open_readonly(demo_replay["world"])
    try:
        truth = reputation_manifest(cur, LAST, loads_from=BACKFILL)
    finally:
        cur.close()
    yield {**demo_replay, "truth": truth}


def _query(env: dict[str, Any], sql: str) -> list[tuple]:
    con = duckdb.connect(str(env["tmp"] / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_inbound_items_replies_and_response_time_equal_the_truth(env: dict[str, Any]) -> None:
    truth = {
        brand: (b["inbound"], b["answered"], b["unanswered"], b["median_response_minutes"])
        for brand, b in env["truth"]["brands"].items()
    }
    got = {
        brand: (inbound, answered, unanswered, round(median, 3) if median is not None else None)
        for brand, inbound, answered, unanswered, median in _query(
            env,
            "select brand_id, count(*), count(first_response_at), "
            "count(*) filter (where is_unanswered), "
            "quantile_cont(response_minutes, 0.5) "
            "from marts.fct_inbound_items group by brand_id",
        )
    }
    assert got == truth


def test_reviews_and_ratings_equal_the_truth(env: dict[str, Any]) -> None:
    truth = {
        (brand, platform, str(rating)): n
        for brand, b in env["truth"]["brands"].items()
        for platform, r in b["reviews"].items()
        for rating, n in r["ratings"].items()
        if n
    }
    got = {
        (brand, platform, str(rating)): n
        for brand, platform, rating, n in _query(
            env,
            "select brand_id, platform, rating, count(*) from marts.fct_reviews group by all",
        )
    }
    assert got == truth


def test_the_planted_crisis_is_detected_on_its_day_and_not_on_the_control(
    env: dict[str, Any],
) -> None:
    crises = {(c["brand_id"], c["day"]) for c in env["truth"]["crises"]}
    assert crises, "the world plants no crisis"
    signals = {
        (brand, str(day))
        for brand, day in _query(
            env, "select brand_id, date_day from marts.mart_reputation_daily where crisis_signal"
        )
    }
    assert crises <= signals
    control = env["truth"]["control_brand"]
    alerts = _query(
        env, f"select count(*) from marts.mart_reputation_alerts where brand_id = '{control}'"
    )
    assert alerts == [(0,)]


def test_the_webhook_gets_one_message_for_the_replay_alerts(env: dict[str, Any]) -> None:
    """The sensor, ticked twice on the replay's own Dagster instance after its publication,
    posts the crisis once to a local receiver and nothing the second time."""
    from dagster import DagsterInstance, SensorResult, build_sensor_context
    from dagster._core.instance.ref import InstanceRef

    from orchestration.defs.alerts import AlertWebhook, reputation_alerts_sensor
    from orchestration.defs.warehouse import Warehouse

    tmp = env["tmp"]
    warehouse = Warehouse(
        path=str(tmp / "warehouse.duckdb"), published=str(tmp / "published.duckdb")
    )
    instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp / "dagster_home")))
    cursor = None
    with receiving() as receiver, instance:
        os.environ[WEBHOOK_ENV] = receiver.url
        try:
            for _ in range(2):
                context = build_sensor_context(
                    instance=instance,
                    cursor=cursor,
                    resources={
                        "warehouse": warehouse,
                        "alert_webhook": AlertWebhook(url_env=WEBHOOK_ENV),
                    },
                )
                result = reputation_alerts_sensor(context)
                if isinstance(result, SensorResult) and result.cursor is not None:
                    cursor = result.cursor
        finally:
            del os.environ[WEBHOOK_ENV]
    assert len(receiver.messages) == 1
    crisis = {(c["brand_id"], c["day"]) for c in env["truth"]["crises"]}
    sent = json.dumps(receiver.messages[0])
    assert all(brand in sent and day in sent for brand, day in crisis)
    assert env["truth"]["control_brand"] not in sent


def test_readme_reputation_queries_run_on_the_published_marts(env: dict[str, Any]) -> None:
    """The example SQL of README's reputation section runs as printed on the published copy."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What the reputation marts answer", 1)[1].split("\n## ", 1)[0]
    queries = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    assert len(queries) == 4
    con = duckdb.connect(str(env["tmp"] / "published.duckdb"), read_only=True)
    try:
        for query in queries:
            assert con.execute(query).fetchall(), query
    finally:
        con.close()


def test_free_text_of_every_source_lives_only_in_raw_and_restricted(
    env: dict[str, Any], tmp_path: Path
) -> None:
    """Issue 10 point 8 on a warehouse that every source loaded (the dbt fixture holds Meta
    only): no staging view, intermediate table, enrichment or mart holds a raw comment, tweet
    or review text; restricted.rst_inbound_texts holds them."""
    from tests.dbt.test_marts_hold_no_free_text import (
        load_raw_texts,
        modelled_columns_holding_raw_text,
    )

    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes((env["tmp"] / "warehouse.duckdb").read_bytes())
    with duckdb.connect(str(copy)) as con:
        load_raw_texts(con)
        restricted = dict(
            con.execute(
                "select platform, count_if(trim(item_text) in (select value from raw_texts)) "
                "from restricted.rst_inbound_texts where item_text is not null group by 1"
            ).fetchall()
        )
        holding = modelled_columns_holding_raw_text(con)
    assert holding == []
    platforms = {"facebook", "instagram", "linkedin", "youtube", "x", "google_business"}
    assert set(restricted) == platforms | {"trustpilot"}, restricted
    # Trustpilot's text is title and text joined, so only the others equal a raw value.
    assert all(restricted[p] > 0 for p in platforms), restricted
