"""End to end: the sandbox world through Dagster (dlt, GX, dbt, publish) into the marts.

The same ``refresh_everything`` job the schedule runs is executed in-process on a small world;
the marts must hold exactly the ground truth of the sandbox's manifest, and a run on the next
sandbox day must add only what that day brought.

The runs are module-scoped fixtures chained in the order they must happen (first run, then the
same-day rerun (a long test) or the next day), each keeping a copy of the warehouse and
published files it produced, so every test can run alone and reads the state its own fixture
made, whatever ran before it.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests

from pulse_config.paths import PROJECT_ROOT
from sandbox.credentials import source_env
from sandbox.server import run_in_thread
from sandbox.world.generator import WorldSpec, generate
from sandbox.world.manifest import build_manifest
from tests.dbt.documentation import undocumented

pytestmark = pytest.mark.e2e

START = date(2025, 11, 1)
DAYS = 40
TODAY = START + timedelta(days=DAYS - 1)
TOMORROW = TODAY + timedelta(days=1)
# Meta insights are read at these post ages only (days since the UTC publication date): every
# day for the first week, then D+14, D+21, D+28 (the default schedule of
# ingestion/snapshot_ages.py, docs/performance.md), stated here from the contract, not imported.
# On the other days a post keeps the values of its latest read.
SNAPSHOT_AGES = {0, 1, 2, 3, 4, 5, 6, 7, 14, 21, 28}
META = "('facebook', 'instagram')"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A small world, a sandbox serving it, and a warehouse of its own; Dagster definitions
    imported only once the environment points at them."""
    tmp = tmp_path_factory.mktemp("e2e")
    world = tmp / "world.duckdb"
    generate(world, spec=WorldSpec(start=START, days=DAYS))
    saved = dict(os.environ)
    os.environ.update(
        {
            "PULSE_WAREHOUSE": str(tmp / "warehouse.duckdb"),
            "PULSE_PUBLISHED": str(tmp / "published.duckdb"),
            "PULSE_DLT_DIR": str(tmp / "dlt"),
            "PULSE_PSEUDONYMISATION_KEY": "e2e-pseudonymisation-key-0123456789abcdef",
        }
    )
    with run_in_thread(world, today=TODAY) as base_url:
        os.environ.update(source_env(base_url))
        import orchestration.definitions as definitions

        importlib.reload(definitions)
        yield {"world": world, "url": base_url, "defs": definitions.defs, "tmp": tmp}
    os.environ.clear()
    os.environ.update(saved)


def _keep(env: dict[str, Any], name: str) -> Path:
    """A copy of the warehouse and published files as the last run left them."""
    kept = env["tmp"] / name
    kept.mkdir()
    for db in ("warehouse.duckdb", "published.duckdb"):
        for path in env["tmp"].glob(f"{db}*"):
            if not path.name.endswith(".lock"):
                shutil.copy(path, kept / path.name)
    return kept


@pytest.fixture(scope="module")
def first_run(env: dict[str, Any]) -> Path:
    """The first run on TODAY; the files it made."""
    _run(env)
    return _keep(env, "first")


@pytest.fixture(scope="module")
def same_day_rerun(env: dict[str, Any], first_run: Path) -> dict[str, Any]:
    """A second run on TODAY: the raw Meta insights before and after it, and its files."""
    sql = "select count(*) from raw_meta.facebook_post_insights"
    before = _warehouse(env["tmp"], sql)
    _run(env)
    return {"before": before, "after": _warehouse(env["tmp"], sql), "dir": _keep(env, "rerun")}


@pytest.fixture(scope="module")
def next_day_run(env: dict[str, Any], first_run: Path) -> dict[str, Any]:
    """A run on TOMORROW, after the sandbox clock moved a day: Meta snapshots per day before
    and after it, and its files."""
    sql = (
        "select snapshot_date, count(*) from marts.fct_post_metrics_daily "
        f"where platform in {META} group by 1"
    )
    before = dict(_warehouse(env["tmp"], sql))
    response = requests.post(f"{env['url']}/_sandbox/clock/advance", params={"days": 1}, timeout=30)
    assert response.status_code == 200, response.text
    _run(env)
    after = dict(_warehouse(env["tmp"], sql))
    return {"before": before, "after": after, "dir": _keep(env, "next_day")}


def _run(env: dict[str, Any]) -> Any:
    from dagster import DagsterInstance

    job = env["defs"].resolve_job_def("refresh_everything")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    failed_steps = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert result.success, f"failed steps: {failed_steps}"
    failed_checks = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed_checks == []
    return result


def _read(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _query(files: Path, sql: str) -> list[tuple]:
    """Rows of the published copy in ``files`` (a run's kept files, or the live ones)."""
    return _read(files / "published.duckdb", sql)


def _warehouse(files: Path, sql: str) -> list[tuple]:
    """Rows of the warehouse in ``files``."""
    return _read(files / "warehouse.duckdb", sql)


def _expected(manifest: dict[str, Any]) -> dict[str, dict[str, int | None]]:
    """Canonical metrics per post from the manifest, by the documented platform mapping."""
    out: dict[str, dict[str, int | None]] = {}
    for acc in manifest["accounts"].values():
        for post_id, m in acc["posts"].items():
            if acc["platform"] == "facebook":
                likes, comments, shares, saves = m["reactions"], m["comments"], m["shares"], None
                reach, impressions = m["post_total_media_view_unique"], m["post_media_view"]
            else:
                likes, comments, shares, saves = (
                    m["like_count"],
                    m["comments_count"],
                    m["shares"],
                    m["saved"],
                )
                reach, impressions = m["reach"], m["views"]
            interactions = likes + comments + shares + (saves or 0)
            out[post_id] = {
                "reach": reach,
                "impressions": impressions,
                "interactions": interactions,
                "saves": saves,
            }
    return out


def _assert_marts_equal_ground_truth(
    env: dict[str, Any], files: Path, today: date, previous_run: date | None = None
) -> dict[str, Any]:
    """Meta posts carry every metric of the manifest of the day they were last read (today,
    or ``previous_run`` for a post whose age today is not on the schedule); every platform's
    posts carry the generator's pillar, format, experiment tag, parent and partnership
    (manifest engagement)."""
    manifest = build_manifest(env["world"], today)
    expected = _expected(manifest)
    if previous_run is not None:
        published = dict(
            _query(
                files, f"select post_id, published_at from marts.dim_posts where platform in {META}"
            )
        )
        for post_id, values in _expected(build_manifest(env["world"], previous_run)).items():
            if (today - published[post_id].date()).days not in SNAPSHOT_AGES:
                expected[post_id] = values

    posts = _query(files, "select post_id from marts.dim_posts")
    assert len(posts) == len({p for (p,) in posts}), "a post appears twice in dim_posts"
    meta_posts = _query(files, f"select post_id from marts.dim_posts where platform in {META}")
    assert {p for (p,) in meta_posts} == set(expected)

    rows = _query(
        files,
        "select post_id, reach, impressions, interactions, saves from marts.fct_post_performance "
        f"where platform in {META}",
    )
    assert len(rows) == len(expected)
    got = {
        r[0]: {"reach": r[1], "impressions": r[2], "interactions": r[3], "saves": r[4]}
        for r in rows
    }
    assert got == expected

    comments = _warehouse(files, "select comment_id from intermediate.int_comments")
    assert len(comments) == len({c for (c,) in comments}), "a comment appears twice"
    truth = {c for acc in manifest["accounts"].values() for c in acc["comment_ids"]}
    assert {c for (c,) in comments} == truth
    accounts = _query(files, f"select account_id from marts.dim_accounts where platform in {META}")
    assert {a for (a,) in accounts} == set(manifest["accounts"])
    _assert_engagement_truth(files, manifest["engagement"])
    return manifest


def _assert_engagement_truth(files: Path, truth: dict[str, Any]) -> None:
    """Pillars (seeded rules), formats, A/B variants, parents and partnerships of all six
    platforms equal what the generator meant."""
    counts = _query(
        files,
        "select brand_id, platform, pillar, format, count(*) from marts.dim_posts group by all",
    )
    expected_counts = {
        (r["brand_id"], r["platform"], r["pillar"], r["format"]): r["posts"]
        for r in truth["posts_by_pillar_format"]
        if r["posts"]
    }
    assert {tuple(r[:4]): r[4] for r in counts} == expected_counts
    assert {r[1] for r in counts} == {"facebook", "instagram", "linkedin", "x", "youtube", "tiktok"}

    variants = _query(
        files,
        "select experiment_id, experiment_variant, post_id from marts.dim_posts "
        "where experiment_id is not null",
    )
    got_variants: dict[tuple[str, str], set[str]] = {}
    for experiment_id, variant, post_id in variants:
        got_variants.setdefault((experiment_id, variant), set()).add(post_id)
    assert got_variants == {
        (e["experiment_id"], e["variant"]): set(e["posts"]) for e in truth["experiments"]
    }
    tested = _query(files, "select distinct experiment_id from marts.mart_ab_tests")
    assert {t for (t,) in tested} == {e["experiment_id"] for e in truth["experiments"]}

    parents = _query(
        files,
        "select post_id, parent_post_id from marts.dim_posts where parent_post_id is not null",
    )
    assert dict(parents) == {p["post_id"]: p["parent_post_id"] for p in truth["parents"]}

    partnerships = _query(
        files,
        "select brand_id, platform, count_if(is_partnership), count_if(is_disclosed) "
        "from marts.dim_posts group by all",
    )
    got_partnerships = {(b, p): (n, d) for b, p, n, d in partnerships if n or d}
    assert got_partnerships == {
        (r["brand_id"], r["platform"]): (r["partnerships"], r["disclosed"])
        for r in truth["partnerships"]
        if r["partnerships"] or r["disclosed"]
    }


def test_first_run_equals_ground_truth(env: dict[str, Any], first_run: Path) -> None:
    manifest = _assert_marts_equal_ground_truth(env, first_run, TODAY)
    assert manifest["totals"]["posts"] > 50 and manifest["totals"]["comments"] > 500
    # The headline rate says which formula made it.
    assert _query(
        first_run, "select distinct er_formula, er_formula_version from marts.fct_post_performance"
    ) == [("by_followers", "v2")]


def test_every_model_of_every_source_is_documented(first_run: Path) -> None:
    """After a full build of every source, no built column lacks a description."""
    from orchestration.dbt_project import dbt_project

    manifest = json.loads(dbt_project().manifest_path.read_text())
    con = duckdb.connect(str(first_run / "warehouse.duckdb"), read_only=True)
    try:
        staged = {
            s
            for (s,) in con.execute(
                "select distinct table_name from information_schema.tables "
                "where table_schema = 'staging'"
            ).fetchall()
        }
        assert {n.split("__")[0] for n in staged} >= {
            "stg_meta",
            "stg_linkedin",
            "stg_x",
            "stg_tiktok",
            "stg_youtube",
            "stg_google_business",
            "stg_trustpilot",
            "stg_ga4",
            "stg_matomo",
        }
        assert undocumented(manifest, con) == []
    finally:
        con.close()


def test_every_loaded_raw_table_is_a_dagster_asset(env: dict[str, Any], first_run: Path) -> None:
    """Lineage starts at the API: each table a source wrote (read from the warehouse, not from
    the catalogue) is an asset of the definitions."""
    keys = {tuple(k.path) for k in env["defs"].resolve_asset_graph().get_all_asset_keys()}
    loaded = set(
        _warehouse(
            first_run,
            "select table_schema, table_name from information_schema.tables "
            "where table_schema like 'raw\\_%' escape '\\' and table_schema not like '%staging' "
            "and table_name not like '\\_dlt%' escape '\\'",
        )
    )
    assert len(loaded) > 30
    assert loaded - keys == set()


# Long (make faults): each source's own tests prove a same-day rerun adds nothing
# (tests/<source>/test_source.py); this is the whole job's proof, a second run of it. Above
# next_day_run's test so that, run together, the rerun happens before the clock moves.
@pytest.mark.long
def test_same_day_rerun_adds_nothing(env: dict[str, Any], same_day_rerun: dict[str, Any]) -> None:
    assert same_day_rerun["after"] == same_day_rerun["before"]
    _assert_marts_equal_ground_truth(env, same_day_rerun["dir"], TODAY)


# In make test: the one incremental dbt build after a build that make test runs (the dbt
# equality tests tests/dbt/test_incremental_equals_full.py and test_backfill_range.py are long).
def test_next_day_adds_only_the_new_data(env: dict[str, Any], next_day_run: dict[str, Any]) -> None:
    files, before, after = next_day_run["dir"], next_day_run["before"], next_day_run["after"]
    manifest = _assert_marts_equal_ground_truth(env, files, TOMORROW, previous_run=TODAY)
    # Earlier snapshots are kept as they were; the new day adds one per Meta post whose age
    # tomorrow is on the schedule (posts new today are aged 0).
    assert {d: n for d, n in after.items() if d != TOMORROW} == before
    due = {
        post_id
        for (post_id, published_at) in _query(
            files, f"select post_id, published_at from marts.dim_posts where platform in {META}"
        )
        if (TOMORROW - published_at.date()).days in SNAPSHOT_AGES
    }
    assert after[TOMORROW] == len(due)
    assert len(due) < manifest["totals"]["posts"]


def test_bad_raw_rows_stop_dbt_before_the_marts(env: dict[str, Any], first_run: Path) -> None:
    """A raw post dated in the future fails the blocking GX suite, and dbt does not run."""
    from dagster import AssetSelection, DagsterInstance, Definitions, define_asset_job

    bad_id = "104500000000001_999999999999999"
    con = duckdb.connect(os.environ["PULSE_WAREHOUSE"])
    try:
        con.execute(
            "insert into raw_meta.facebook_posts (post_id, page_id, created_time, fetched_at) "
            "values (?, '104500000000001', now() + interval 30 day, now())",
            [bad_id],
        )
    finally:
        con.close()
    before = _query(env["tmp"], "select count(*) from marts.dim_posts")

    # The raw tables are not re-loaded here: the run holds the dbt assets and the checks of
    # the raw tables they read, as the next run after a bad load would.
    raw_tables = [
        k for k in env["defs"].resolve_asset_graph().get_all_asset_keys() if k.path[0] == "raw_meta"
    ]
    gated = define_asset_job(
        "gated",
        selection=AssetSelection.groups("dbt_staging", "dbt_intermediate", "dbt_marts")
        | AssetSelection.checks_for_assets(*raw_tables),
    )
    defs = Definitions.merge(env["defs"], Definitions(jobs=[gated]))
    try:
        with DagsterInstance.ephemeral() as instance:
            result = defs.resolve_job_def("gated").execute_in_process(
                instance=instance, raise_on_error=False
            )
    finally:  # leave the warehouse as the API made it, for the runs after this one
        con = duckdb.connect(os.environ["PULSE_WAREHOUSE"])
        con.execute("delete from raw_meta.facebook_posts where post_id = ?", [bad_id])
        con.close()
    failed = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
    assert "gx_raw_meta_facebook_posts" in failed
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "dbt_models" not in started, "dbt ran although a blocking raw check failed"
    assert _query(env["tmp"], "select count(*) from marts.dim_posts") == before


def test_one_failing_source_does_not_stop_the_others(env: dict[str, Any], first_run: Path) -> None:
    """A rejected token fails that source's step with a clear message; every other source
    still loads in the same run (after a first run, as a scheduled run would). The run is
    ``ingest_everything``, every source's step with no build: the build after a failed source
    is the raw gates' business (test_bad_raw_rows_stop_dbt_before_the_marts)."""
    from dagster import DagsterInstance

    from ingestion.catalogue import SOURCES

    saved = os.environ["SOURCES__TRUSTPILOT__API_KEY"]
    os.environ["SOURCES__TRUSTPILOT__API_KEY"] = "revoked-key"
    try:
        job = env["defs"].resolve_job_def("ingest_everything")
        with DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(instance=instance, raise_on_error=False)
    finally:
        os.environ["SOURCES__TRUSTPILOT__API_KEY"] = saved
    assert not result.success
    failures = {
        e.step_key: e.event_specific_data.error.to_string()
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    }
    assert set(failures) == {"trustpilot_source"}, list(failures)
    assert "trustpilot" in failures["trustpilot_source"]
    assert "Invalid ApiKey" in failures["trustpilot_source"]
    succeeded = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
    others = {f"{s.name}_source" for s in SOURCES} - {"trustpilot_source"}
    assert len(others) >= 11 and others <= succeeded


def test_readme_engagement_queries_run_on_the_published_marts(first_run: Path) -> None:
    """The example SQL of README's engagement section runs as printed on the published copy."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What the engagement marts answer", 1)[1].split("\n## ", 1)[0]
    queries = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    assert len(queries) == 3
    results = [_query(first_run, q) for q in queries]
    assert results[0], "the pillar query returns nothing on the sandbox world"
