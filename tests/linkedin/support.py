"""Shared by the LinkedIn tests: the small world, a tiny LinkedIn client, a pipeline runner.

(A module of its own, not conftest, so that other test folders' helpers cannot shadow it.)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dlt
import duckdb
import requests

from sandbox.world.generator import WorldSpec

SMALL = WorldSpec(seed=42, start=date(2025, 11, 1), days=45)
TODAY = date(2025, 12, 15)  # start + days - 1
TOKEN = "sandbox-linkedin-token"
VERSION = "202511"
ORG = "80100001"
ORG_URN = f"urn:li:organization:{ORG}"
HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "LinkedIn-Version": VERSION,
    "X-Restli-Protocol-Version": "2.0.0",
}


def enc(urn: str) -> str:
    return quote(urn, safe="")


class LinkedIn:
    """GETs against the sandbox's LinkedIn API with the required headers."""

    def __init__(self, base: str) -> None:
        self.base = base  # http://127.0.0.1:PORT
        self.http = requests.Session()

    def get(self, path_and_query: str, headers: dict[str, str] | None = None) -> requests.Response:
        merged = {**HEADERS, **(headers or {})}
        merged = {k: v for k, v in merged.items() if v is not None}
        return self.http.get(f"{self.base}/linkedin{path_and_query}", headers=merged, timeout=30)

    def ok(self, path_and_query: str) -> dict[str, Any]:
        response = self.get(path_and_query)
        assert response.status_code == 200, response.text
        return response.json()

    def walk(self, path_and_query: str) -> list[dict[str, Any]]:
        """Every element of an offset-paged finder, following ``rel: next``."""
        out: list[dict[str, Any]] = []
        body = self.ok(path_and_query)
        while True:
            out.extend(body["elements"])
            nxt = [link for link in body["paging"]["links"] if link["rel"] == "next"]
            if not nxt:
                assert body["paging"]["start"] + len(body["elements"]) == body["paging"]["total"]
                return out
            body = self.ok(nxt[0]["href"])

    def control(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.http.request(method, f"{self.base}/_sandbox{path}", timeout=60, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def manifest(self, today: date | None = None) -> dict[str, Any]:
        params = {"today": today.isoformat()} if today else {}
        return self.control("GET", "/manifest", params=params)["sources"]["linkedin"]


def run_source(base: str, tmp: Path, name: str = "li", **kwargs: Any) -> Path:
    """Load every LinkedIn resource from the sandbox into ``tmp/<name>.duckdb``."""
    from ingestion.linkedin import linkedin_source

    db = tmp / f"{name}.duckdb"
    pipeline = dlt.pipeline(
        f"linkedin_{name}",
        destination=dlt.destinations.duckdb(str(db)),
        pipelines_dir=str(tmp / "pipelines"),
        dataset_name="raw_linkedin",
    )
    options = {
        "access_token": TOKEN,
        "pseudonymisation_key": "test-key",
        "base_url": f"{base}/linkedin",
        "api_version": VERSION,
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
        "max_total_wait_s": 10.0,
        **kwargs,
    }
    pipeline.run(linkedin_source(**options)).raise_on_failed_jobs()
    return db


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """One read-only query on a test warehouse (DuckDB allows one writer)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.cursor()
        return cur.execute(sql).fetchall()
    finally:
        con.close()


def has_table(db: Path, table: str) -> bool:
    return bool(
        query(
            db,
            "select 1 from information_schema.tables where table_schema = 'raw_linkedin' "
            f"and table_name = '{table}'",
        )
    )


# totalShareStatistics key -> column of linkedin_post_statistics_daily.
POST_DAILY_COLUMNS = {
    "impressionCount": "impression_count",
    "uniqueImpressionsCount": "unique_impressions_count",
    "clickCount": "click_count",
    "likeCount": "like_count",
    "commentCount": "comment_count",
    "shareCount": "share_count",
}


def post_daily(db: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """linkedin_post_statistics_daily as {(post_urn, day): {API key: value}}."""
    cols = ", ".join(POST_DAILY_COLUMNS.values())
    found = query(
        db,
        f"select post_urn, date::varchar, {cols} from raw_linkedin.linkedin_post_statistics_daily",
    )
    out = {(r[0], r[1]): dict(zip(POST_DAILY_COLUMNS, r[2:], strict=True)) for r in found}
    assert len(out) == len(found), "a (post_urn, date) loaded twice"
    return out


def expected_post_daily(manifest: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The manifest's per-post days (the world's numbers), in the shape of ``post_daily``."""
    return {
        (urn, day): {key: values[key] for key in POST_DAILY_COLUMNS}
        for org in manifest["organizations"].values()
        for urn, days in org["post_statistics_daily"].items()
        for day, values in days.items()
    }
