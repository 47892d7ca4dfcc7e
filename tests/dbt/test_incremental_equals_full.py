"""An incremental dbt build equals a full refresh on the same data, row for row.

The fixture warehouse (hand-made raw_meta rows, latest snapshot 2025-11-04) is built once in
full. Then a second load arrives: the next day's snapshots, and late data inside the
restatement windows (docs/performance.md): a post published 10 days before the latest
snapshot, seen for the first time with a snapshot of its first day and one of today, a fan
comment on it and the brand's reply, and a missing snapshot of an older post that changes the
next day's deltas; and Meta's follower series restated for the publication day of a post whose
only snapshot is two months old (outside the window): its followers, hence its ER by followers,
change on every row of its history. The same warehouse is then built incrementally, and a copy
of it with ``--full-refresh``: every table of the intermediate, marts and restricted schemas must
hold the same rows (EXCEPT ALL both ways, so duplicates count).

The contract for data outside the window: a snapshot dated before the window is NOT restated
by an incremental build (the tables keep what they had), and a full refresh takes it in.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.dbt.conftest import OTHER_SOURCES, SOCIAL_SOURCES, DbtRun, dbt_command, make_warehouse

# Two builds and a full refresh (about 3 minutes): a long suite (make faults runs `-m long`);
# tests/dbt/test_backfill_range.py keeps a fast check of the restatement vars in make test.
pytestmark = pytest.mark.long

SCHEMAS = ("intermediate", "marts", "restricted")
FB_PAGE = "104500000000001"
IG_USER = "17841400000000001"
LATE_POST = f"{FB_PAGE}_9"  # published 2025-10-25, first loaded with the 2025-11-05 data
OLD_POST = f"{FB_PAGE}_8"  # published 2025-09-20, one snapshot (D+1), outside the window

SHOP = "https://shop.example/"
GA4_TRAFFIC = """insert into raw_ga4.traffic_daily (property_id, brand_id, date, session_source,
    session_medium, session_campaign_name, session_default_channel_group, landing_page,
    sessions, engaged_sessions, currency_code, time_zone, sampled, fetched_at)
  select 'p1', 'maison-lumiere', day::date, 'facebook', 'social', '(not set)', 'Organic Social',
    '/', n, n // 2, 'EUR', 'Europe/Paris', false, fetched::timestamptz
  from (values"""
# Matomo: cookie ck1 visits on 2025-10-20 (from the Facebook post) and 2025-11-04 (an order).
FIRST_VISITS = f"""
insert into raw_matomo.visits (site_id, visit_id, brand_id, visit_date, first_action_at,
    last_action_at, visit_duration_s, actions, visit_count, visitor_id_hash, user_id_hash,
    consent, referrer_type, entry_url, visit_converted, currency, fetched_at) values
  ('1', 1, 'maison-lumiere', '2025-10-20', '2025-10-20 10:00:00+00', '2025-10-20 10:05:00+00',
   300, 3, 1, 'ck1', null, 'granted', 'campaign',
   '{SHOP}?utm_source=facebook&utm_medium=social&utm_content={FB_PAGE}_1', false, 'EUR',
   '2025-11-04 23:59:59+00'),
  ('1', 2, 'maison-lumiere', '2025-11-04', '2025-11-04 10:00:00+00', '2025-11-04 10:06:00+00',
   360, 4, 2, 'ck1', null, 'granted', 'direct', '{SHOP}', true, 'EUR', '2025-11-04 23:59:59+00');
-- GA4: the run of 2025-11-04 serves 2025-11-02 and 2025-11-03.
insert into raw_ga4.report_runs (property_id, snapshot_date, brand_id, start_date, end_date,
    restatement_days, time_zone, fetched_at) values
  ('p1', '2025-11-04', 'maison-lumiere', '2025-11-01', '2025-11-03', 3, 'Europe/Paris',
   '2025-11-04 06:00:00+00');
{GA4_TRAFFIC}
  ('2025-11-02', 10, '2025-11-04 06:00:00+00'),
  ('2025-11-03', 8, '2025-11-04 06:00:00+00')) as t(day, n, fetched);
insert into raw_matomo.conversions values
  ('1', 'c1', 2, 'ecommerceOrder', null, null, 'o1', 50.0, 1, '2025-11-04 10:05:00+00', 'ck1',
   '2025-11-04 23:59:59+00');
-- The old post: 900 followers on its publication day, 40 reactions at D+1.
insert into raw_meta.facebook_posts values
  ('{OLD_POST}', '{FB_PAGE}', 'Rentrée', '2025-09-20 09:00:00+00',
   'https://facebook.com/{OLD_POST}', 'added_photos', null, 'photo', 'photo', null,
   '2025-09-21 23:59:59+00', 'l0', 'fpo8');
insert into raw_meta.facebook_post_insights values
  ('{OLD_POST}', '{FB_PAGE}', '2025-09-21', 'reactions', 40, '2025-09-21 23:59:59+00');
insert into raw_meta.facebook_page_follows values
  ('{FB_PAGE}', '2025-09-20', 900, '2025-09-21 23:59:59+00', 'l0', 'ff0');
"""

# The second load: the next day (2025-11-05) and late data inside the windows.
SECOND_LOAD = f"""
-- Meta restates the follower series: 920 followers on the old post's publication day.
update raw_meta.facebook_page_follows set followers = 920, fetched_at = '2025-11-05 23:59:59+00'
where "date" = '2025-09-20';
-- ck1 logs in on 2025-11-05 (stitching restates its visit of 2025-10-20, outside the 3-day
-- window) and converts a goal; ck2's visit of 2025-11-03 arrives late, with an order.
insert into raw_matomo.visits (site_id, visit_id, brand_id, visit_date, first_action_at,
    last_action_at, visit_duration_s, actions, visit_count, visitor_id_hash, user_id_hash,
    consent, referrer_type, entry_url, visit_converted, currency, fetched_at) values
  ('1', 3, 'maison-lumiere', '2025-11-05', '2025-11-05 10:00:00+00', '2025-11-05 10:06:00+00',
   360, 2, 3, 'ck1', 'u1', 'granted', 'direct', '{SHOP}', true, 'EUR', '2025-11-05 23:59:59+00'),
  ('1', 4, 'maison-lumiere', '2025-11-03', '2025-11-03 18:00:00+00', '2025-11-03 18:02:00+00',
   120, 2, 1, 'ck2', null, 'unknown', 'campaign',
   '{SHOP}?utm_source=instagram&utm_medium=social&utm_content=17900000000000001', true, 'EUR',
   '2025-11-05 23:59:59+00');
-- GA4: the run of 2025-11-05 restates 2025-11-03 (GA4's late hits) and adds 2025-11-04.
insert into raw_ga4.report_runs (property_id, snapshot_date, brand_id, start_date, end_date,
    restatement_days, time_zone, fetched_at) values
  ('p1', '2025-11-05', 'maison-lumiere', '2025-11-02', '2025-11-04', 3, 'Europe/Paris',
   '2025-11-05 06:00:00+00');
-- (its window re-reads 2025-11-02 too: same rows, fetched again, as dlt's merge writes them)
update raw_ga4.traffic_daily set fetched_at = '2025-11-05 06:00:00+00'
where date = '2025-11-02';
update raw_ga4.traffic_daily set sessions = 12, fetched_at = '2025-11-05 06:00:00+00'
where date = '2025-11-03';
{GA4_TRAFFIC}
  ('2025-11-04', 9, '2025-11-05 06:00:00+00')) as t(day, n, fetched);
insert into raw_matomo.conversions values
  ('1', 'c2', 3, 'goal', 1, 'Newsletter', null, null, null, '2025-11-05 10:05:00+00', 'ck1',
   '2025-11-05 23:59:59+00'),
  ('1', 'c3', 4, 'ecommerceOrder', null, null, 'o2', 30.0, 1, '2025-11-03 18:01:00+00', 'ck2',
   '2025-11-05 23:59:59+00');
insert into raw_meta.facebook_posts values
  ('{LATE_POST}', '{FB_PAGE}', 'Soldes', '2025-10-25 09:00:00+00',
   'https://facebook.com/{LATE_POST}', 'added_photos', null, 'photo', 'photo', null,
   '2025-11-05 23:59:59+00', 'l3', 'fpo9');
insert into raw_meta.facebook_post_insights values
  ('{FB_PAGE}_1', '{FB_PAGE}', '2025-11-05', 'reactions', 55, '2025-11-05 23:59:59+00'),
  ('{FB_PAGE}_1', '{FB_PAGE}', '2025-11-05', 'comments', 8, '2025-11-05 23:59:59+00'),
  ('{FB_PAGE}_1', '{FB_PAGE}', '2025-11-05', 'shares', 4, '2025-11-05 23:59:59+00'),
  ('{FB_PAGE}_1', '{FB_PAGE}', '2025-11-05', 'post_total_media_view_unique', 1100,
   '2025-11-05 23:59:59+00'),
  ('{FB_PAGE}_2', '{FB_PAGE}', '2025-11-05', 'reactions', 12, '2025-11-05 23:59:59+00'),
  ('{FB_PAGE}_2', '{FB_PAGE}', '2025-11-05', 'comments', 1, '2025-11-05 23:59:59+00'),
  -- the late post: its D+1 (10 days ago) and today's snapshot, both new on this load
  ('{LATE_POST}', '{FB_PAGE}', '2025-10-26', 'reactions', 30, '2025-11-05 23:59:59+00'),
  ('{LATE_POST}', '{FB_PAGE}', '2025-10-26', 'comments', 2, '2025-11-05 23:59:59+00'),
  ('{LATE_POST}', '{FB_PAGE}', '2025-11-05', 'reactions', 70, '2025-11-05 23:59:59+00'),
  ('{LATE_POST}', '{FB_PAGE}', '2025-11-05', 'comments', 5, '2025-11-05 23:59:59+00');
insert into raw_meta.facebook_comments values
  ('{LATE_POST}_c1', '{LATE_POST}', '{FB_PAGE}', null, 'Encore ?', '2025-10-25 12:00:00+00',
   0, 1, 'a9hash', 'n9hash', false, '2025-11-05 23:59:59+00', 'l3', 'fc9'),
  ('{LATE_POST}_c2', '{LATE_POST}', '{FB_PAGE}', '{LATE_POST}_c1', 'Oui !',
   '2025-11-05 08:00:00+00', 0, 0, 'pagehash', 'pagenamehash', true,
   '2025-11-05 23:59:59+00', 'l3', 'fc10');
-- the image's missing 2025-11-03 snapshot arrives late: its 2025-11-04 deltas change
insert into raw_meta.instagram_media_insights values
  ('17900000000000002', '{IG_USER}', '2025-11-03', 'likes', 15, '2025-11-05 23:59:59+00'),
  ('17900000000000002', '{IG_USER}', '2025-11-03', 'comments', 1, '2025-11-05 23:59:59+00'),
  ('17900000000000002', '{IG_USER}', '2025-11-05', 'likes', 22, '2025-11-05 23:59:59+00'),
  ('17900000000000002', '{IG_USER}', '2025-11-05', 'comments', 2, '2025-11-05 23:59:59+00');
"""

# A third load: a snapshot dated 2025-09-01, 65 days before the latest day: outside the window.
OUT_OF_WINDOW = f"""
insert into raw_meta.facebook_post_insights values
  ('{FB_PAGE}_1', '{FB_PAGE}', '2025-09-01', 'reactions', 1, '2025-11-06 23:59:59+00');
"""
# The tables whose rows are snapshot days (the post-metric models): outside the window they
# are kept as they were.
SNAPSHOT_TABLES = (
    "intermediate.int_post_metric_values",
    "intermediate.int_post_metric_snapshots",
    "intermediate.int_post_metric_deltas",
    "marts.fct_post_metrics_daily",
)


def dbt_run(warehouse: Path, work_dir: Path, *extra: str) -> DbtRun:
    """`dbt run` of the seeds' dependants that the sources feed (models only: the data tests
    are test_dbt_build's); ``extra``: e.g. ``--full-refresh``."""
    selection = ["path:models/registry"]
    selection += [f"source:{name}+" for name in (*SOCIAL_SOURCES, *OTHER_SOURCES)]
    run = dbt_command(["run", "--select", *selection, *extra], warehouse, work_dir)
    assert run.returncode == 0, run.output[-4000:]
    return run


def seed(warehouse: Path, work_dir: Path) -> None:
    run = dbt_command(["seed"], warehouse, work_dir)
    assert run.returncode == 0, run.output[-4000:]


def tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        f"where table_type = 'BASE TABLE' and table_schema in {SCHEMAS} order by 1"
    ).fetchall()
    return [name for (name,) in rows]


def differences(incremental: Path, full: Path) -> dict[str, tuple[int, int]]:
    """Per table: (rows only in the incremental build, rows only in the full refresh)."""
    con = duckdb.connect(str(incremental), read_only=True)
    try:
        con.execute(f"attach '{full}' as full_refresh (read_only)")
        found = {}
        for name in tables(con):
            only_inc = con.execute(
                f"select count(*) from (from {name} except all from full_refresh.{name})"
            ).fetchone()[0]
            only_full = con.execute(
                f"select count(*) from (from full_refresh.{name} except all from {name})"
            ).fetchone()[0]
            found[name] = (only_inc, only_full)
        return found
    finally:
        con.close()


@pytest.fixture(scope="module")
def second_builds(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(incremental warehouse, full-refresh warehouse, work dir) after the second load."""
    work = tmp_path_factory.mktemp("dbt_incremental")
    incremental = make_warehouse(work / "incremental.duckdb", FIRST_VISITS)
    seed(incremental, work)
    dbt_run(incremental, work)
    with duckdb.connect(str(incremental)) as con:
        con.execute(SECOND_LOAD)
    full = Path(shutil.copy(incremental, work / "full.duckdb"))
    dbt_run(incremental, work)
    dbt_run(full, work, "--full-refresh")
    return incremental, full, work


def test_incremental_build_equals_full_refresh(second_builds):
    incremental, full, _ = second_builds
    found = differences(incremental, full)
    assert set(SNAPSHOT_TABLES) <= set(found)
    assert {name: diff for name, diff in found.items() if diff != (0, 0)} == {}


def test_late_data_inside_the_window_is_in(second_builds):
    incremental, _, _ = second_builds
    with duckdb.connect(str(incremental), read_only=True) as con:
        late = con.execute(
            "select snapshot_date, interactions from marts.fct_post_metrics_daily "
            "where post_id = ? order by 1",
            [LATE_POST],
        ).fetchall()
        answered = con.execute(
            "select first_response_at is not null from intermediate.int_inbound_items "
            "where item_key = ?",
            [f"facebook:{LATE_POST}_c1"],
        ).fetchall()
        stitched = con.execute(
            "select visit_id, visitor_key from marts.fct_sessions order by 1"
        ).fetchall()
        traffic = con.execute(
            "select session_date, sessions from marts.fct_web_traffic_daily order by 1"
        ).fetchall()
        paths = con.execute(
            "select conversion_key, count(*) from intermediate.int_attribution_touches "
            "group by 1 order by 1"
        ).fetchall()
    # Hand-computed from SECOND_LOAD: reactions + comments (shares absent: 0).
    assert [(str(day), n) for day, n in late] == [("2025-10-26", 32), ("2025-11-05", 75)]
    assert answered == [(True,)]
    # ck1's three visits belong to u1 (the login of 2025-11-05 reaches back to 2025-10-20).
    assert stitched == [(1, "u1"), (2, "u1"), (3, "u1"), (4, "ck2")]
    # GA4's restated 2025-11-03 (8 -> 12 sessions) replaces the first build's.
    assert [(str(day), n) for day, n in traffic] == [
        ("2025-11-02", 10),
        ("2025-11-03", 12),
        ("2025-11-04", 9),
    ]
    # c1 (order): visits 1 and 2; c2 (goal, another kind): visits 1 to 3; c3: visit 4.
    assert paths == [("1-c1", 2), ("1-c2", 3), ("1-c3", 1)]


def test_a_restated_follower_count_restates_the_old_posts_rows(second_builds):
    incremental, _, _ = second_builds
    with duckdb.connect(str(incremental), read_only=True) as con:
        rows = con.execute(
            "select snapshot_date, followers, er_by_followers from marts.fct_post_metrics_daily "
            "where post_id = ?",
            [OLD_POST],
        ).fetchall()
    # Hand-computed: 40 interactions / 920 followers x 100 (not / 900, the first build's).
    assert [(str(day), n) for day, n, _ in rows] == [("2025-09-21", 920)]
    assert rows[0][2] == pytest.approx(40 / 920 * 100)


def test_data_outside_the_window_waits_for_a_full_refresh(second_builds):
    incremental, _, work = second_builds
    with duckdb.connect(str(incremental)) as con:
        con.execute(OUT_OF_WINDOW)
    dbt_run(incremental, work)
    old_day = "snapshot_date = date '2025-09-01'"
    with duckdb.connect(str(incremental), read_only=True) as con:
        assert all(
            con.execute(f"select count(*) from {name} where {old_day}").fetchone()[0] == 0
            for name in SNAPSHOT_TABLES
        )
    dbt_run(incremental, work, "--full-refresh")
    with duckdb.connect(str(incremental), read_only=True) as con:
        assert all(
            con.execute(f"select count(*) from {name} where {old_day}").fetchone()[0] == 1
            for name in SNAPSHOT_TABLES[1:]
        )
