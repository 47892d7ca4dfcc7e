"""Write the dashboard: one static HTML page per ``pages.PAGES`` entry, each holding the rows of
its datasets (read once from the published marts) and the panels' description, drawn in the
browser by ``app.js`` with ECharts (``node_modules/echarts``, pinned by package-lock.json).

Reading the published copy here, with this project's DuckDB, keeps the browser free of any
database engine: the pages work from disk or any static server, offline.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from dashboard.labels import labels
from dashboard.pages import PAGES, Page

DASHBOARD_DIR = Path(__file__).resolve().parent
ASSETS = {
    "echarts.min.js": DASHBOARD_DIR / "node_modules" / "echarts" / "dist" / "echarts.min.js",
    "app.js": DASHBOARD_DIR / "app.js",
    "style.css": DASHBOARD_DIR / "style.css",
}
REPORT_LINKS = {"dbt_docs": "reports/dbt_docs/index.html", "quality": "reports/gx/"}


def _plain(value: Any) -> Any:
    """A JSON value for a DuckDB one: dates as ISO text, decimals as floats."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10] if type(value) is dt.date else value.isoformat(sep=" ")
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    result = con.execute(sql)
    columns = [d[0] for d in result.description]
    return {"columns": columns, "rows": [[_plain(v) for v in r] for r in result.fetchall()]}


def page_spec(con: duckdb.DuckDBPyConnection, page: Page, words: dict[str, str]) -> dict:
    """What ``app.js`` needs to draw ``page``: datasets, filters, panels, labels."""
    datasets = {}
    for name, dataset in page.datasets.items():
        datasets[name] = {
            **_rows(con, dataset.sql),
            "platform": dataset.platform,
            "date": dataset.date,
        }
    brands = con.execute(
        "select distinct brand_id, brand_name from marts.dim_accounts order by brand_name"
    ).fetchall()
    platforms = sorted(
        {
            row[d["columns"].index(d["platform"])]
            for d in datasets.values()
            if d["platform"]
            for row in d["rows"]
        }
    )
    selects = []
    for select in page.selects:
        options = select.get("options") or [r[0] for r in con.execute(select["sql"]).fetchall()]
        selects.append({**{k: v for k, v in select.items() if k != "sql"}, "options": options})
    return {
        "lang": words["_lang"],
        "labels": words,
        "brands": brands,
        "platforms": platforms,
        "selects": selects,
        "datasets": datasets,
        "panels": page.panels,
    }


def _html(page: Page, spec: dict, words: dict[str, str], dagster_url: str) -> str:
    nav = " ".join(
        f'<a href="{p.slug}.html"{" class=current" if p is page else ""}>{words[p.title]}</a>'
        for p in PAGES
    )
    links = " · ".join(
        [f'<a href="{href}" target="_blank">{words[key]}</a>' for key, href in REPORT_LINKS.items()]
        + [f'<a href="{html.escape(dagster_url)}" target="_blank">{words["dagster"]}</a>']
    )
    data = json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="{spec["lang"]}"><head><meta charset="utf-8">
<title>{words["title"]}: {words[page.title]}</title>
<link rel="stylesheet" href="assets/style.css"></head>
<body data-page="{page.slug}">
<header><strong>{words["title"]}</strong> <nav>{nav}</nav></header>
<h1>{words[page.title]}</h1>
<section id="filters"></section>
<main id="panels"></main>
<footer>{words["links"]}: {links}</footer>
<script id="spec" type="application/json">{data}</script>
<script src="assets/echarts.min.js"></script>
<script src="assets/app.js"></script>
</body></html>
"""


def build(published: Path, out: Path, lang: str = "en", dagster_url: str = "") -> list[Path]:
    """Write every page and its assets into ``out`` (replaced); the pages written."""
    words = {**labels(lang), "_lang": lang}
    missing = [str(p) for p in ASSETS.values() if not p.exists()]
    if missing:
        raise FileNotFoundError(f"run `npm ci` in dashboard/ first; missing: {missing}")
    shutil.rmtree(out, ignore_errors=True)
    (out / "assets").mkdir(parents=True)
    for name, source in ASSETS.items():
        shutil.copyfile(source, out / "assets" / name)
    written = []
    with duckdb.connect(str(published), read_only=True) as con:
        for page in PAGES:
            spec = page_spec(con, page, words)
            target = out / f"{page.slug}.html"
            target.write_text(_html(page, spec, words, dagster_url or "http://localhost:3000"))
            written.append(target)
    return written
