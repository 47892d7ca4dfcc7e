"""A backfill of a date range is one dbt invocation and equals a full run, row for row.

The fixture warehouse is built once in full (latest day 2025-11-04). Then three days of late
data arrive, 2025-10-20 to 2025-10-22: GA4 traffic and Matomo visits of those days, older
than their 3-day restatement windows, and Facebook insight snapshots of a post on them (inside
the post metrics' 28 days). One `dbt run` with ``backfill_start`` = 2025-10-20
(``DbtBuild.backfill_start`` in Dagster) must leave every table as a ``--full-refresh`` of the
same data does; a plain incremental run must not (the data is outside its windows), which shows
the backfill is what took it in. Harness: tests/dbt/test_incremental_equals_full.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.transform import DbtBuild
from orchestration.defs.warehouse import Warehouse
from tests.dbt.conftest import make_warehouse
from tests.dbt.test_incremental_equals_full import (
    FB_PAGE,
    FIRST_VISITS,
    GA4_TRAFFIC,
    SHOP,
    dbt_run,
    differences,
    seed,
)

BACKFILL_START = "2025-10-20"
LATE_DAYS = ("2025-10-20", "2025-10-21", "2025-10-22")
FETCHED = "2025-11-05 06:00:00+00"

LATE_RANGE = f"""
{GA4_TRAFFIC}
  ('{LATE_DAYS[0]}', 4, '{FETCHED}'),
  ('{LATE_DAYS[1]}', 5, '{FETCHED}'),
  ('{LATE_DAYS[2]}', 6, '{FETCHED}')) as t(day, n, fetched);
insert into raw_matomo.visits (site_id, visit_id, brand_id, visit_date, first_action_at,
    last_action_at, visit_duration_s, actions, visit_count, visitor_id_hash, user_id_hash,
    consent, referrer_type, entry_url, visit_converted, currency, fetched_at)
  select '1', 100 + i, 'maison-lumiere', day::date, (day || ' 09:00:00+00')::timestamptz,
    (day || ' 09:04:00+00')::timestamptz, 240, 2, 1, 'late' || i, null, 'granted', 'direct',
    '{SHOP}', false, 'EUR', '{FETCHED}'::timestamptz
  from (values (1, '{LATE_DAYS[0]}'), (2, '{LATE_DAYS[1]}'), (3, '{LATE_DAYS[2]}')) as t(i, day);
insert into raw_meta.facebook_post_insights
  select '{FB_PAGE}_1', '{FB_PAGE}', day::date, 'reactions', n, '{FETCHED}'::timestamptz
  from (values ('{LATE_DAYS[0]}', 1), ('{LATE_DAYS[1]}', 2), ('{LATE_DAYS[2]}', 3)) as t(day, n);
"""


def test_the_dbt_step_passes_the_range_as_one_set_of_vars() -> None:
    """The smoke: a backfill's run config becomes dbt vars of the one invocation."""
    warehouse = Warehouse(path="/tmp/w.duckdb")
    args = DbtBuild(backfill_start=BACKFILL_START).dbt_args(warehouse)
    assert args[0] == "--vars" and len(args) == 2
    assert json.loads(args[1]) == {
        "warehouse_path": "/tmp/w.duckdb",
        "backfill_start": "2025-10-20",
    }
    assert DbtBuild().dbt_args(warehouse) == [
        "--vars",
        json.dumps({"warehouse_path": "/tmp/w.duckdb"}),
    ]
    with pytest.raises(ValueError):
        DbtBuild(backfill_start="2025-10-20; drop table x").dbt_args(warehouse)


@pytest.mark.long
def test_a_three_day_backfill_equals_a_full_run(tmp_path: Path) -> None:
    backfilled = make_warehouse(tmp_path / "backfilled.duckdb", FIRST_VISITS)
    seed(backfilled, tmp_path)
    dbt_run(backfilled, tmp_path)
    with duckdb.connect(str(backfilled)) as con:
        con.execute(LATE_RANGE)
    full = Path(shutil.copy(backfilled, tmp_path / "full.duckdb"))
    plain = Path(shutil.copy(backfilled, tmp_path / "plain.duckdb"))

    dbt_run(backfilled, tmp_path, "--vars", json.dumps({"backfill_start": BACKFILL_START}))
    dbt_run(full, tmp_path, "--full-refresh")
    dbt_run(plain, tmp_path)

    found = differences(backfilled, full)
    assert {"marts.fct_web_traffic_daily", "marts.fct_sessions"} <= set(found)
    assert {name: diff for name, diff in found.items() if diff != (0, 0)} == {}
    # without the backfill the late days stay out of the tables a window filters
    missed = {name for name, diff in differences(plain, full).items() if diff != (0, 0)}
    assert {"marts.fct_web_traffic_daily", "marts.fct_sessions"} <= missed, missed
