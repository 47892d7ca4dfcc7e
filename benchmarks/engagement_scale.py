"""dbt engagement models at "a year of many brands" scale.

    .venv/bin/python -m benchmarks.engagement_scale --copies 17 [--daily-snapshots] [--out DIR]

The sandbox world has 3 brands; a customer with ~50 brands has ~17 times its social data. This
copies a warehouse written by ``benchmarks.pipeline`` (the input is never modified), inserts
``--copies`` extra copies of every row of the five social raw datasets with every identifier
rewritten, then times ``dbt build`` of the seeds and everything downstream of those sources.
It prints markdown tables for BENCHMARKS.md. The figures are wall-clock seconds on a shared
machine: run it on a quiet one.

Identifiers are rewritten in SQL, one ``INSERT ... SELECT`` per table over ``range(copies)``:

* ``num``: every run of 6+ digits gets the copy tag appended (``001``...). Numeric ids stay
  numeric, which the models rely on (LinkedIn feed URLs and X status URLs are matched on
  ``[0-9]+``), and the same id inside URNs, permalinks, JSON and image URLs moves with it.
* ``sfx``: ``-c<tag>`` appended, for alphanumeric ids (brands, YouTube channels, comments).
* ``yt``: a YouTube video id becomes another 11-character id (parent posts are matched on
  ``watch?v=<11 chars>`` / ``youtu.be/<11 chars>``), and ``text`` rewrites such URLs in post
  texts the same way, so a copied micro-content points at the copied long video.

The input holds one load, so one metric snapshot per post. ``--daily-snapshots`` first adds the
snapshots a year of daily runs would have written (every day up to D+28, D+7 on X, the sources'
re-read windows), lifetime counts growing linearly to the loaded value: that, not the number of
posts, is what multiplies the rows of the post-metric models in steady state.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from pulse_config.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
DBT_DIR = ROOT / "dbt_project"
SOURCES = ("meta", "linkedin", "x", "youtube", "tiktok")
TAG = "lpad(copies.c::varchar, 3, '0')"
YT_URL = r"(?i:youtube\.com/watch\?v=|youtu\.be/|youtube\.com/shorts/)([A-Za-z0-9_-]{11})"

# How each identifier column of a copy is rewritten (kinds: see the module docstring);
# columns not named are copied verbatim. One line per raw table: "dataset.table kind:col,col".
RULES_SPEC = """
raw_meta.facebook_pages            num:page_id sfx:brand_id,_dlt_id
raw_meta.facebook_page_follows     num:page_id
raw_meta.facebook_posts            num:post_id,page_id,permalink_url,full_picture text:message
                                   url:link_url
raw_meta.facebook_post_insights    num:post_id,page_id
raw_meta.facebook_comments         num:comment_id,post_id,page_id,parent_id
raw_meta.instagram_accounts        num:ig_user_id sfx:brand_id,_dlt_id
raw_meta.instagram_follower_gains  num:ig_user_id
raw_meta.instagram_media           num:media_id,ig_user_id text:caption sfx:shortcode
                                   ig_permalink:permalink
raw_meta.instagram_media_insights  num:media_id,ig_user_id
raw_meta.instagram_comments        num:comment_id,media_id,ig_user_id,parent_id
raw_linkedin.linkedin_organizations num:organization_id,organization_urn sfx:brand_id
raw_linkedin.linkedin_posts        num:post_urn,organization_id,author_urn,media_urn
                                   num:reshare_parent_urn text:commentary,commentary_text
                                   url:article_url,link_url
raw_linkedin.linkedin_post_statistics num:post_urn,organization_id
raw_linkedin.linkedin_comments     num:comment_urn,comment_id,post_urn,organization_id
                                   num:parent_comment_urn
raw_linkedin.linkedin_follower_facets num:organization_id
raw_linkedin.linkedin_follower_gains num:organization_id
raw_linkedin.linkedin_share_statistics_daily num:organization_id
raw_linkedin.linkedin_post_statistics_daily num:post_urn,organization_id
raw_x.accounts                     num:user_id sfx:brand_id
raw_x.post_metrics                 num:tweet_id,user_id
raw_x.posts                        num:tweet_id,user_id,conversation_id,author_id,quoted_id
                                   num:in_reply_to_user_id,replied_to_id,referenced_tweets
                                   sfx:brand_id text:text url:urls
raw_x.mentions                     num:tweet_id,user_id,conversation_id,author_id,quoted_id
                                   num:in_reply_to_user_id,replied_to_id,referenced_tweets
raw_x.replies                      num:tweet_id,user_id,conversation_id,author_id,quoted_id
                                   num:in_reply_to_user_id,replied_to_id,referenced_tweets
raw_youtube.channels               sfx:channel_id,uploads_playlist_id,brand_id
raw_youtube.videos                 yt:video_id sfx:channel_id text:title,description
raw_youtube.video_stats            yt:video_id sfx:channel_id
raw_youtube.video_daily            yt:video_id sfx:channel_id
raw_youtube.channel_daily          sfx:channel_id
raw_youtube.playlist_items         yt:video_id sfx:playlist_item_id,playlist_id,channel_id
raw_youtube.comments               yt:video_id sfx:comment_id,thread_id,channel_id,parent_id
raw_youtube.comments_disabled      yt:video_id sfx:channel_id,_dlt_id
raw_tiktok.tiktok_accounts         num:open_id sfx:brand_id,union_id
raw_tiktok.tiktok_videos           num:video_id,open_id,cover_image_url,share_url
                                   text:title,video_description
raw_tiktok.tiktok_video_metrics    num:video_id,open_id
""" + "".join(f"raw_{s}.quarantine sfx:record_id,_dlt_id\n" for s in SOURCES)


def _parse_rules(spec: str) -> dict[tuple[str, str], dict[str, str]]:
    """(dataset, table) -> {column: kind}; an indented line continues the table above."""
    rules: dict[tuple[str, str], dict[str, str]] = {}
    for line in spec.strip("\n").splitlines():
        words = line.split()
        if not line.startswith(" "):
            key = tuple(words.pop(0).split("."))
            rules[key] = {}
        for word in words:
            kind, cols = word.split(":")
            rules[key].update(dict.fromkeys(cols.split(","), kind))
    return rules


RULES = _parse_rules(RULES_SPEC)

# Lifetime post metrics: table, post key, posts table, publication date, days re-read.
LI_PUBLISHED = "coalesce(published_at, created_at)"  # as int_linkedin__posts reads it
SNAPSHOTS = (
    ("raw_meta", "facebook_post_insights", "post_id", "facebook_posts", "created_time", 29),
    ("raw_meta", "instagram_media_insights", "media_id", "instagram_media", '"timestamp"', 29),
    ("raw_linkedin", "linkedin_post_statistics", "post_urn", "linkedin_posts", LI_PUBLISHED, 29),
    ("raw_x", "post_metrics", "tweet_id", "posts", "created_at", 8),
    ("raw_youtube", "video_stats", "video_id", "videos", "published_at", 29),
    ("raw_tiktok", "tiktok_video_metrics", "video_id", "tiktok_videos", "create_time", 29),
)
MARTS = ("dim_posts", "fct_post_metrics_daily", "fct_account_daily", "mart_pillar_performance")


def _yt_id(expr: str) -> str:
    """Another 11-character YouTube id for this copy (the length the models' regex reads)."""
    return f"substr(md5({TAG} || ':' || {expr}), 1, 11)"


def _rewrite(kind: str, col: str) -> str:
    """The SQL expression giving column ``col`` (quoted) of copy ``copies.c``."""
    num = f"regexp_replace({col}, '([0-9]{{6,}})', '\\1' || {TAG}, 'g')"

    def text(expr: str) -> str:
        found = f"regexp_extract({expr}, '{YT_URL}', 1)"
        new_id = _yt_id(found)
        return f"case when {found} = '' then {expr} else replace({expr}, {found}, {new_id}) end"

    return {
        "num": num,
        "sfx": f"{col} || '-c' || {TAG}",
        "yt": _yt_id(col),
        "text": text(col),
        "url": text(num),
        "ig_permalink": f"replace({col}, shortcode, shortcode || '-c' || {TAG})",
    }[kind]


def _data_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The social raw tables present in the warehouse (dlt's bookkeeping tables excluded)."""
    return con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in (select unnest(?)) "
        "and table_name not like '\\_dlt%' escape '\\' order by 1, 2",
        [[f"raw_{s}" for s in SOURCES]],
    ).fetchall()


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    """Column name -> DuckDB type, in table order."""
    return dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    )


def add_daily_snapshots(warehouse: Path) -> None:
    """Give each post the daily snapshots of its re-read window before the loaded one.

    Counts (the BIGINT columns) grow linearly to the loaded value, so they stay cumulative and
    ordered (reach <= impressions keeps holding); ratios and text are kept as loaded.
    """
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("set TimeZone = 'UTC'")  # publication dates as the models see them
        for schema, table, key, posts, published, days in SNAPSHOTS:
            cols = _columns(con, schema, table)
            select = ", ".join(
                "p.day"
                if c == "snapshot_date"
                else f'floor(s."{c}" * (p.k + 1) / {days})::bigint'
                if t == "BIGINT"
                else f's."{c}"'
                for c, t in cols.items()
            )
            con.execute(
                f'insert into {schema}."{table}" select {select} from {schema}."{table}" as s '
                f"inner join (select {key}, {published}::date + k::integer as day, k "
                f"from {schema}.{posts}, range({days}) as r(k)) as p on s.{key} = p.{key} "
                "where p.day < s.snapshot_date"
            )
    finally:
        con.close()


def _raw_rows(con: duckdb.DuckDBPyConnection) -> int:
    return sum(
        con.execute(f'select count(*) from {s}."{t}"').fetchone()[0] for s, t in _data_tables(con)
    )


def multiply(warehouse: Path, copies: int) -> None:
    """Insert ``copies`` rewritten copies of every social raw table, in place.

    A table without a rule is an error rather than a verbatim copy: its keys would repeat and
    the figures would be measured on duplicates.
    """
    con = duckdb.connect(str(warehouse))
    try:
        for schema, table in _data_tables(con):
            rules = RULES.get((schema, table))
            if rules is None:
                raise SystemExit(f"no identifier rule for {schema}.{table}: add one to RULES")
            cols = list(_columns(con, schema, table))
            # dlt adds _dlt_id to rows it normalises itself, not to Arrow tables it loads.
            if missing := set(rules) - set(cols) - {"_dlt_id"}:
                raise SystemExit(f"{schema}.{table} has no column {sorted(missing)}")
            select = ", ".join(
                _rewrite(rules[c], f'"{c}"') if c in rules else f'"{c}"' for c in cols
            )
            quoted = ", ".join(f'"{c}"' for c in cols)
            con.execute(
                f'insert into {schema}."{table}" ({quoted}) select {select} '
                f'from {schema}."{table}", range(1, {copies + 1}) as copies(c)'
            )
    finally:
        con.close()


def run_dbt(warehouse: Path, out: Path) -> tuple[float, int, int]:
    """``dbt build`` of the seeds and the five social sources' descendants.

    Returns (wall seconds, exit code, peak RSS in KiB). GNU time gives the dbt process's own
    peak (DuckDB runs inside it); without it, RUSAGE_CHILDREN is the peak of any child so far.
    """
    dbt = Path(sys.executable).parent / "dbt"
    select = ["resource_type:seed", "path:models/registry", *(f"source:{s}+" for s in SOURCES)]
    args = [str(dbt), "build", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)]
    args += ["--target-path", str(out / "target"), "--log-path", str(out / "logs")]
    args += ["--no-partial-parse", "--select", *select]
    gnu_time = Path("/usr/bin/time")
    if gnu_time.exists():
        args = [str(gnu_time), "-v", *args]
    env = os.environ | {
        "PULSE_WAREHOUSE": str(warehouse),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "RUNTIME__DLTHUB_TELEMETRY": "false",
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "GX_ANALYTICS_ENABLED": "false",
    }
    t0 = time.perf_counter()
    with (out / "dbt_stdout.log").open("w") as stdout:
        proc = subprocess.run(args, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)
    secs = time.perf_counter() - t0
    (out / "dbt_stderr.log").write_text(proc.stderr)
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    peak = int(found[1]) if found else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return secs, proc.returncode, peak


def report(out: Path, warehouse: Path, label: str, timings: dict[str, float], peak: int) -> str:
    """Markdown tables: sizes, timings, then the slowest nodes and whatever did not pass."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        counts = {m: con.execute(f"select count(*) from marts.{m}").fetchone()[0] for m in MARTS}
        brands = con.execute("select count(distinct brand_id) from marts.dim_posts").fetchone()[0]
        raw = _raw_rows(con)
    finally:
        con.close()
    run = json.loads((out / "target" / "run_results.json").read_text())
    results = run["results"]
    timings["of which dbt's run of the nodes"] = run["elapsed_time"]
    timings["sum of node execution times (2 threads)"] = sum(r["execution_time"] for r in results)
    lines = [f"{label}, brands with posts: {brands}", "", "| measure | value |"]
    lines += ["|---|---:|", f"| rows in the social raw tables | {raw:,} |"]
    lines += [f"| rows of marts.{m} | {n:,} |" for m, n in counts.items()]
    lines += [f"| {step} (s) | {secs:.1f} |" for step, secs in timings.items()]
    lines += [f"| dbt nodes run | {len(results)} |", f"| peak RSS of dbt | {peak >> 10:,} MiB |"]
    lines += ["", "| slowest nodes | seconds |", "|---|---:|"]
    slowest = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:10]
    lines += [f"| {r['unique_id']} | {r['execution_time']:.1f} |" for r in slowest]
    bad = [r for r in results if r["status"] not in ("success", "pass", "skipped")]
    skipped = sum(r["status"] == "skipped" for r in results)
    lines += [
        "",
        f"not passing: {len(bad)}; skipped: {skipped} (a skipped model keeps the input's rows)",
    ]
    lines += [f"- {r['status']}: {r['unique_id']} ({r.get('failures')})" for r in bad]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", default="/tmp/pulse_bench/warehouse.duckdb")
    parser.add_argument("--copies", type=int, default=17)
    parser.add_argument("--daily-snapshots", action="store_true", help="see the docstring")
    parser.add_argument("--out", default="/tmp/pulse_scale")
    args = parser.parse_args()
    if not 0 <= args.copies <= 999:
        parser.error("--copies must be within 0..999 (the copy tag has 3 digits)")
    out = Path(args.out)
    shutil.rmtree(out / "target", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    warehouse = out / "warehouse.duckdb"
    for stale in (warehouse, out / "warehouse.duckdb.wal"):
        stale.unlink(missing_ok=True)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    shutil.copyfile(args.warehouse, warehouse)
    if Path(f"{args.warehouse}.wal").exists():  # uncheckpointed writes of the input
        shutil.copyfile(f"{args.warehouse}.wal", f"{warehouse}.wal")
    if args.daily_snapshots:
        add_daily_snapshots(warehouse)
    multiply(warehouse, args.copies)
    timings["copy + multiply raw data"] = time.perf_counter() - t0
    secs, code, peak = run_dbt(warehouse, out)
    timings["dbt build (seeds + social sources+)"] = secs
    if not (out / "target" / "run_results.json").exists():
        raise SystemExit(f"dbt exited with {code} before running: see {out / 'dbt_stdout.log'}")
    label = f"copies: {args.copies}, daily snapshots: {'yes' if args.daily_snapshots else 'no'}"
    print(report(out, warehouse, label, timings, peak))
    if code:
        raise SystemExit(f"dbt exited with {code}: see {out / 'dbt_stdout.log'}")


if __name__ == "__main__":
    main()
