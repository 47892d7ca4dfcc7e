"""How far each followers basis is from the truth, on a warehouse built from the sandbox.

    .venv/bin/python -m benchmarks.followers_accuracy [--warehouse data/demo/warehouse.duckdb]
        [--world data/sandbox/world.duckdb]

Compares ``intermediate.int_account_followers_daily`` (every account and day) and the
followers behind ER by followers of every post (``marts.fct_post_performance``) with the
generator's true end-of-day counts (``sandbox.world.followers``), and prints a Markdown table
per platform and basis: rows, mean and max relative error, and the max error per day of gap.
Run it after ``make demo`` for the figures of docs/engagement_marts.md.
"""

from __future__ import annotations

import argparse

import duckdb

from pulse_config.paths import PROJECT_ROOT
from sandbox.world.followers import true_followers
from sandbox.world.store import open_readonly, world_info

ROOT = PROJECT_ROOT
ERRORS = """
    select {grain}.platform, {grain}.followers_basis as basis, count(*) as n,
           round(avg(abs(f - t) / t) * 100, 3) as mean_pct,
           round(max(abs(f - t) / t) * 100, 3) as max_pct,
           round(max(abs(f - t) / t / greatest(gap, 1)) * 100, 3) as max_pct_per_gap_day,
           max(gap) as max_gap
    from ({rows}) as {grain}
    group by all order by 1, 2
"""
DAYS = """select d.platform, d.followers_basis, d.followers as f, t.followers as t,
                 d.followers_gap_days as gap
          from intermediate.int_account_followers_daily as d
          join truth as t using (platform, account_id, date_day)"""
POSTS = """select p.platform, p.followers_basis, p.followers as f, t.followers as t,
                  p.followers_gap_days as gap
           from marts.fct_post_performance as p
           join truth as t on t.platform = p.platform and t.account_id = p.account_id
            and t.date_day = p.published_date
           where p.followers is not null"""


def _markdown(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    result = con.execute(sql)
    names = [d[0] for d in result.description]
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in result.fetchall()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", default=str(ROOT / "data" / "demo" / "warehouse.duckdb"))
    parser.add_argument("--world", default=str(ROOT / "data" / "sandbox" / "world.duckdb"))
    args = parser.parse_args()
    world = open_readonly(args.world)
    info = world_info(world)
    first = info["start_date"]
    last = first.fromordinal(first.toordinal() + info["days"] + info["horizon"] - 1)
    truth = list(true_followers(world, first, last))
    world.close()
    con = duckdb.connect(args.warehouse, read_only=True)
    con.execute(
        "create temp table truth (platform varchar, account_id varchar, date_day date, "
        "followers bigint)"
    )
    con.executemany("insert into truth values (?, ?, ?, ?)", truth)
    print("### Every account and day (int_account_followers_daily)\n")
    print(_markdown(con, ERRORS.format(grain="d", rows=DAYS)))
    print("\n### Followers behind ER by followers (fct_post_performance)\n")
    print(_markdown(con, ERRORS.format(grain="p", rows=POSTS)))


if __name__ == "__main__":
    main()
