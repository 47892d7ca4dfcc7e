"""The dashboard in a real browser: built from published marts, served on loopback, each page
loaded in headless Chromium (Debian's ``chromium``) with no console message at all, no empty
chart, one figure per page equal to SQL on the published copy, and a screenshot per page kept
under ``reports/screenshots/`` (CI keeps that folder). Each page costs two Chromium starts
(5-8 s on a loaded CI machine): the default suite loads the overview (the smoke slice), the
other pages run under ``-m long``.

Chromium runs as a command (``--dump-dom`` after the page's scripts ran, ``--screenshot``), its
console written to stderr by ``--enable-logging``: no Python browser driver to install.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from dashboard import run
from dashboard.labels import labels
from tests.dashboard.marts import published_marts

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "reports" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGES = ["index", "engagement", "care", "conversion"]
FIRST_BRAND = "a-lumi"  # the first by name (Lumière < Northwind): the page's default

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)


class Panels(HTMLParser):
    """The ``data-*`` attributes of every panel of a dumped page."""

    def __init__(self) -> None:
        super().__init__()
        self.panels: dict[str, dict[str, str]] = {}
        self.rendered = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "body" and found.get("data-rendered") == "yes":
            self.rendered = True
        if "data-panel" in found:
            self.panels[found["data-panel"]] = found


def _chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=4000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


class Site:
    """The pages built from published marts and served; each page loaded once, on demand."""

    def __init__(self, folder: Path, url: str, published: Path) -> None:
        self.folder, self.url, self.published = folder, url, published
        self.loaded: dict[str, dict] = {}

    def page(self, name: str) -> dict:
        if name not in self.loaded:
            done = _chromium("--dump-dom", f"{self.url}/{name}.html")
            _chromium(
                "--window-size=1280,1800",
                f"--screenshot={SCREENSHOTS / name}.png",
                f"{self.url}/{name}.html",
            )
            parser = Panels()
            parser.feed(done.stdout)
            console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
            self.loaded[name] = {
                "panels": parser.panels,
                "rendered": parser.rendered,
                "console": console,
            }
        return self.loaded[name]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("dashboard")
    published = published_marts(folder)
    inputs = run.Inputs(published, folder / "reports", "en", "http://127.0.0.1:3000")
    run.build(inputs, folder / "site")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with run.serving(folder / "site", folder / "reports") as url:
        yield Site(folder, url, published)


def _sql(published: Path, query: str, *params: object) -> object:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(query, list(params)).fetchone()[0]


@pytest.mark.parametrize(
    "page", [PAGES[0], *(pytest.param(p, marks=pytest.mark.long) for p in PAGES[1:])]
)
def test_each_page_renders_without_console_messages_or_empty_charts(site: Site, page: str) -> None:
    """The overview in the default suite (the smoke slice), every page under ``-m long``."""
    loaded = site.page(page)
    assert loaded["rendered"], f"{page}: the page's script did not finish"
    assert loaded["console"] == [], loaded["console"]
    charts = {k: v for k, v in loaded["panels"].items() if v["data-kind"] != "table"}
    assert charts, page
    empty = [k for k, v in charts.items() if v.get("data-points", "0") == "0"]
    assert empty == [], f"{page}: empty charts {empty}"
    assert (SCREENSHOTS / f"{page}.png").stat().st_size > 10_000


def test_overview_posts_equal_the_scorecard_of_the_latest_week(site: Site) -> None:
    expected = _sql(
        site.published,
        "select sum(posts) from marts.mart_kpi_scorecard where brand_id = ? "
        "and period_type = 'week' and period_start = (select max(period_start) "
        "from marts.mart_kpi_scorecard)",
        FIRST_BRAND,
    )
    panels = site.page("index")["panels"]
    assert float(panels["posts"]["data-value"]) == expected


@pytest.mark.long
def test_engagement_names_the_formula_and_fills_the_heatmap(site: Site) -> None:
    cells = _sql(
        site.published,
        "select count(distinct (weekday, hour)) from marts.mart_best_time_to_post "
        "where brand_id = ? and median_er is not null",
        FIRST_BRAND,
    )
    panels = site.page("engagement")["panels"]
    assert int(panels["best_time"]["data-points"]) == cells


@pytest.mark.long
def test_care_share_within_sla_is_summed_from_its_parts(site: Site) -> None:
    expected = _sql(
        site.published,
        "select sum(within_sla_items) / sum(sla_decided_items) from marts.mart_response_sla "
        "where brand_id = ? and channel = 'review'",
        FIRST_BRAND,
    )
    shown = json.loads(site.page("care")["panels"]["sla_share"]["data-series"])
    review = shown["series"][0][1][shown["xs"].index("review")]
    assert review == pytest.approx(float(expected))


@pytest.mark.long
def test_conversion_revenue_follows_the_default_model(site: Site) -> None:
    expected = _sql(
        site.published,
        "select sum(attributed_revenue) from marts.mart_channel_attribution "
        "where brand_id = ? and model = 'last_non_direct' and period_type = 'month'",
        FIRST_BRAND,
    )
    panels = site.page("conversion")["panels"]
    assert float(panels["revenue"]["data-value"]) == pytest.approx(expected)


def test_every_er_figure_names_its_formula(tmp_path: Path) -> None:
    """The formula line under each ER panel, in both languages, from the built pages."""
    published = published_marts(tmp_path)
    for lang in ("en", "fr"):
        words = labels(lang)
        pages = run.build(run.Inputs(published, tmp_path, lang, ""), tmp_path / lang)
        text = "".join(p.read_text() for p in pages)
        assert words["er_by_followers"] in text and f'lang="{lang}"' in text
        assert re.search(r'"er": true', text)
