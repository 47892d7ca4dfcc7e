"""Every source of the catalogue, run as its schedule runs it: twice on the same sandbox day,
then once on the next day.

The natural keys are the primary keys each table declares in the dlt schema (what the merge
deduplicates on and the staging models test as unique), read from the pipeline rather than
copied here. The oracle is the sandbox clock: on the same day the world shows nothing new, so
a second run adds no key (a run log such as GA4's ``report_runs`` may update its row); the next
day it shows one more day, so a run adds rows for that
day and may update rows the world changed (a reply, a restated metric), but loses nothing and
rewrites no observation of an earlier day.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dlt
import pytest

from ingestion.catalogue import SOURCES, Source
from sandbox.credentials import source_env
from tests.sources.support import PSEUDONYMISATION_KEY, TODAY, Sandbox, query

OBSERVED_ON = ("snapshot_date", "quarantine_date")
"""Key columns naming the day a row was observed: such a row is never rewritten later."""
REPORTING_DAY = ("date", "day")
"""Key columns naming the day a figure is about, in the account's own time zone."""

Rows = dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]


def natural_keys(pipeline: dlt.Pipeline) -> dict[str, list[str]]:
    """table -> its primary-key columns; every data table must declare one."""
    keys = {
        table["name"]: [c for c, col in table["columns"].items() if col.get("primary_key")]
        for table in pipeline.default_schema.data_tables()
    }
    unkeyed = sorted(t for t, cols in keys.items() if not cols)
    assert not unkeyed, f"tables without a natural key: {unkeyed}"
    return keys


def rows_by_key(db: Path, dataset: str, keys: dict[str, list[str]]) -> Rows:
    """Every table as {key: the row without dlt's bookkeeping}; fails on a duplicate key."""
    out: Rows = {}
    for table, key in keys.items():
        columns = [
            c
            for (c,) in query(
                db,
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [dataset, table],
            )
            if not c.startswith("_dlt_")
        ]
        rows = query(db, f"select {', '.join(columns)} from {dataset}.{table}")
        at = [columns.index(c) for c in key]
        out[table] = {tuple(r[i] for i in at): r for r in rows}
        twice = len(rows) - len(out[table])
        assert twice == 0, f"{table}: {twice} rows share a natural key ({', '.join(key)})"
    return out


def check_next_day(
    before: Rows, after: Rows, keys: dict[str, list[str]], day: date
) -> dict[str, tuple[int, int]]:
    """Nothing lost, earlier observations untouched, nothing dated after ``day``; returns
    table -> (new rows, changed rows)."""
    changes = {}
    for table, key in keys.items():
        old, new = before.get(table, {}), after[table]
        lost = old.keys() - new.keys()
        assert not lost, f"{table}: {len(lost)} rows lost, e.g. {sorted(lost)[:3]}"
        added = new.keys() - old.keys()
        changed = {k for k in old.keys() & new.keys() if old[k] != new[k]}
        observed = [key.index(c) for c in key if c in OBSERVED_ON]
        for k in changed:
            assert not observed, f"{table}: an observation of an earlier day rewritten: {k}"
        for k in added:
            assert all(k[i] == day for i in observed), f"{table}: a new row not of {day}: {k}"
            seen = [k[key.index(c)] for c in key if c in OBSERVED_ON]
            assert all(_day(v) <= day for v in seen), f"{table}: observed in the future: {k}"
            # A reporting day is the account's own (GA4 and Matomo cut days in the property's
            # zone): east of UTC it is already tomorrow at the sandbox's 23:59:59 UTC, never later.
            dated = [k[key.index(c)] for c in key if c in REPORTING_DAY]
            ahead = day + timedelta(days=1)
            assert all(_day(v) <= ahead for v in dated), f"{table}: a row from the future: {k}"
        changes[table] = (len(added), len(changed))
    return changes


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@pytest.mark.parametrize("source", SOURCES, ids=[s.name for s in SOURCES])
def test_reruns_add_no_duplicate_and_the_next_day_only_new_or_changed_rows(
    source: Source, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in source_env(sandbox.url).items():  # as the demo points sources at it
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PULSE_PSEUDONYMISATION_KEY", PSEUDONYMISATION_KEY)
    db = tmp_path / "w.duckdb"
    pipeline = dlt.pipeline(
        f"rerun_{source.name}",
        destination=dlt.destinations.duckdb(str(db)),
        pipelines_dir=str(tmp_path / "pipelines"),
        dataset_name=source.dataset,
    )

    def run() -> Rows:
        pipeline.run(source.factory()).raise_on_failed_jobs()
        return rows_by_key(db, source.dataset, keys)

    pipeline.run(source.factory()).raise_on_failed_jobs()
    keys = natural_keys(pipeline)
    first = rows_by_key(db, source.dataset, keys)
    assert all(first.values()), {t: len(r) for t, r in first.items()}

    again = run()  # same sandbox day: the world shows nothing new, so no new key
    assert {t: r.keys() for t, r in again.items()} == {t: r.keys() for t, r in first.items()}

    sandbox.advance()
    changes = check_next_day(again, run(), keys, TODAY + timedelta(days=1))
    assert sum(n for n, _ in changes.values()) > 0, "the next day brought nothing"
