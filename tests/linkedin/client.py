"""What only the LinkedIn tests need: a tiny LinkedIn client with the required headers, the
source run against the sandbox, and the per-post daily series read back and from the truth."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from tests.sources.support import load_source, query

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
    """Load every LinkedIn resource from the sandbox at ``base`` into ``tmp/w.duckdb``."""
    options = {"api_version": VERSION, **kwargs}
    return load_source("linkedin", base, tmp, f"linkedin_{name}", **options)


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
