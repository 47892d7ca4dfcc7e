"""The benchmark's Markdown table: every figure beside its goal (issue 14, point 6)."""

from __future__ import annotations

from typing import Any

GIB = 1024.0


def goals(bench: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal: figure, target, met or not, what bounds it."""
    ingest, daily, dbt, job = (bench.get(k, {}) for k in ("ingest", "daily", "dbt", "job"))
    rows = [
        _goal("sources' work / DuckDB read_json rate (lowest source)",
              ingest.get("lowest_ratio"), ">= 0.50", lambda v: v >= 0.5, "x",
              f"lowest: {ingest.get('lowest_source', '?')}; at a few thousand records dlt's "
              "fixed cost per run, at more the JSON decoding and each record's Python "
              "(checks, row, pseudonymisation)"),
        _goal("daily run / backfill, API requests", daily.get("requests_ratio"), "<= 5 %",
              lambda v: v <= 0.05, "%", "re-read windows and metric snapshots of recent posts"),
        _goal("daily run / backfill, wall time", daily.get("seconds_ratio"), "<= 5 %",
              lambda v: v <= 0.05, "%", _floor(daily)),
        _goal("dbt incremental / full refresh, wall time", dbt.get("ratio"), "<= 10 %",
              lambda v: v <= 0.10, "%", "data tests over whole tables, per-node overhead, and "
              "the tables rebuilt whole each day (the inbound chain)"),
        _goal("backfill + first build and checks through Dagster (s)",
              job.get("end_to_end_seconds"), "< 900 s", lambda v: v < 900, "s",
              "the world's size: the scale world is the goal's"),
        _goal("peak memory of any process (MiB)", job.get("peak_mib"), "< 4,096 MiB",
              lambda v: v < 4 * GIB, "MiB", f"largest: {job.get('peak_process', '?')}"),
    ]  # fmt: skip
    return rows


def _floor(daily: dict[str, Any]) -> str:
    """What bounds the daily run's time: dlt's fixed cost per run, measured."""
    floor, share = daily.get("dlt_floor_seconds"), daily.get("dlt_floor_share")
    if floor is None:
        return "fixed cost per source run (dlt, DuckDB opens)"
    runs = len(daily.get("per_source", {}))
    return (
        f"dlt's fixed cost: a run with nothing to do takes {floor:.2f} s; x {runs} "
        f"sources = {share * 100:.0f} % of the daily run's time"
    )


def _goal(name: str, value: float | None, target: str, ok: Any, unit: str, bound: str) -> dict:
    met = None if value is None else bool(ok(value))
    return {"goal": name, "figure": value, "target": target, "met": met, "unit": unit,
            "bound": bound}  # fmt: skip


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "not measured"
    if unit == "%":
        return f"{value * 100:.1f} %"
    if unit == "x":
        return f"{value:.2f}"
    return f"{value:,.0f} {unit}"


def markdown(bench: dict[str, Any]) -> str:
    """bench.md: the goals, then each section's table."""
    meta = bench["meta"]
    lines = [
        f"# make bench: {meta['world']} world, median of {meta['runs']} run(s)",
        "",
        f"Machine: {meta['cpus']} CPUs, {meta['memory_gib']:.0f} GiB; load average at start "
        f"{meta['load_at_start']}; {meta['started']}; smoke: {meta['smoke']}.",
        "",
        "| goal | figure | target | met | what bounds it |",
        "|---|--:|---|---|---|",
    ]
    for g in goals(bench):
        met = "n/a" if g["met"] is None else ("yes" if g["met"] else "**no**")
        lines.append(f"| {g['goal']} | {_fmt(g['figure'], g['unit'])} | {g['target']} | {met} "
                     f"| {g['bound']} |")  # fmt: skip
    lines += ["", *_ingest_table(bench.get("ingest", {}), bench.get("daily", {}))]
    lines += ["", *_dbt_table(bench.get("dbt", {}))]
    lines += ["", *_job_table(bench.get("job", {}))]
    return "\n".join(lines) + "\n"


def _ingest_table(ingest: dict[str, Any], daily: dict[str, Any]) -> list[str]:
    lines = [
        "## Sources: end to end, from files, and DuckDB's read_json; the next day's run",
        "",
        "| source | e2e rec/s | API records | replay rec/s | read_json rec/s | ratio "
        "| backfill req | daily req | req % | backfill s | daily s | time % |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, d in daily.get("per_source", {}).items():
        i = ingest.get("per_source", {}).get(name, {})
        b, n = d["backfill"], d["daily"]
        e2e = b["records"] / b["seconds"] if b["seconds"] else 0
        lines.append(
            f"| {name} | {e2e:,.0f} | {i.get('api_records', 0):,} | "
            f"{i.get('replay_rate', 0):,.0f} | {i.get('native_rate', 0):,.0f} | "
            f"{i.get('ratio', 0):.2f} | {b['requests']:,} | {n['requests']:,} | "
            f"{d['requests_ratio'] * 100:.1f} | {b['seconds']:.1f} | {n['seconds']:.1f} | "
            f"{d['seconds_ratio'] * 100:.1f} |"
        )
    if daily:
        lines.append(
            f"| **all** | | | | | | {daily['backfill_requests']:,} | {daily['daily_requests']:,}"
            f" | {daily['requests_ratio'] * 100:.1f} | {daily['backfill_seconds']:.1f} | "
            f"{daily['daily_seconds']:.1f} | {daily['seconds_ratio'] * 100:.1f} |"
        )
    return lines


def _dbt_table(dbt: dict[str, Any]) -> list[str]:
    if not dbt:
        return ["## dbt: not measured"]
    full, inc = dbt["full"], dbt["incremental"]
    lines = [
        f"## dbt build: full refresh {full['seconds']:.1f} s, incremental {inc['seconds']:.1f} s"
        f" ({dbt['ratio'] * 100:.0f} %); dbt peak {max(full['peak_mib'], inc['peak_mib']):,.0f}"
        f" MiB; `dbt parse` before them {dbt['parse_seconds']:.1f} s"
        f"{_steal('full', full)}{_steal('incremental', inc)}",
        "",
        "| layer | nodes | full s | incremental s |",
        "|---|--:|--:|--:|",
    ]
    for layer in sorted(full["layers"]):
        f, i = full["layers"][layer], inc["layers"].get(layer, {"seconds": 0.0})
        lines.append(f"| {layer} | {f['nodes']} | {f['seconds']:.1f} | {i['seconds']:.1f} |")
    lines += ["", "Ten slowest models (full refresh; incremental):", ""]
    slow_inc = {m["model"]: m["seconds"] for m in inc["slowest_models"]}
    for m in full["slowest_models"]:
        inc_s = slow_inc.get(m["model"])
        shown = f"{inc_s:.2f} s" if inc_s is not None else "not among its ten slowest"
        lines.append(f"- `{m['model']}` ({m['layer']}): {m['seconds']:.2f} s; {shown}")
    return lines


def _steal(phase: str, figures: dict[str, Any]) -> str:
    """ "; CPU steal during <phase> n %" when the run recorded it (bench_steal.py), else ""."""
    share = figures.get("cpu_steal_share")
    return "" if share is None else f"; CPU steal during {phase} {share * 100:.0f} %"


def _job_table(job: dict[str, Any]) -> list[str]:
    if not job:
        return ["## Dagster job: not measured"]
    daily = job["daily_build"]
    lines = [
        f"## The daily job through Dagster: {job['daily_job_seconds']:.1f} s "
        f"(ingest {job['daily_ingest']['seconds']:.1f} s, build {daily['seconds']:.1f} s); "
        f"GX on the marts {job['gx_share'] * 100:.1f} % of the job",
        "",
        f"Backfill {job['backfill']['seconds']:.1f} s, first build "
        f"{job['first_build']['seconds']:.1f} s (end to end {job['end_to_end_seconds']:.1f} s). "
        "Build steps of the daily job (s): "
        + ", ".join(f"{k} {v:.1f}" for k, v in sorted(daily["steps"].items()))
        + _steal("daily build", daily),
        "",
        "| process | phase first seen | peak MiB |",
        "|---|---|--:|",
    ]
    for kind, phase, peak in job.get("peaks_by_kind", []):
        lines.append(f"| {kind} | {phase} | {peak:,.0f} |")
    return lines
