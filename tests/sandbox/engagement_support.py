"""Shared by the engagement-truth tests: the seeds' rules in Python (the marts' semantics), the
post texts as the marts read them, and small clients that fetch a post's text from each API.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import duckdb
import requests

from ingestion.linkedin.rows import plain_text
from pulse_config.paths import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"
HASHTAG = re.compile(r"#\w+")  # the marts' #[\p{L}\p{N}_]+ over the lower-cased text
PILLARS = ("Preuve", "Pedagogie", "Communaute", "Marque")


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class Rules:
    """pillar_rules, disclosure_markers and partners, applied as int_post_classification does."""

    pillar: list[dict[str, str]]
    markers: list[dict[str, str]]
    partners: list[str]

    @classmethod
    def load(cls) -> Rules:
        pillar = sorted(read_seed("pillar_rules"), key=lambda r: (int(r["priority"]), r["rule_id"]))
        partners = [r["partner_name"] for r in read_seed("partners")]
        return cls(pillar, read_seed("disclosure_markers"), partners)

    def pillar_of(self, text: str, campaign: str | None = None) -> str:
        """First rule by priority that matches, else 'unclassified'."""
        lower = text.lower()
        tags = set(HASHTAG.findall(lower))
        for rule in self.pillar:
            pattern, kind = rule["pattern"], rule["match_on"]
            if (
                (kind == "hashtag" and pattern in tags)
                or (kind == "keyword" and pattern in lower)
                or (kind == "campaign" and campaign == pattern)
            ):
                return rule["pillar"]
        return "unclassified"

    def is_disclosed(self, text: str) -> bool:
        lower = text.lower()
        tags = set(HASHTAG.findall(lower))
        return any(
            (m["match_on"] == "hashtag" and m["marker"] in tags)
            or (m["match_on"] == "phrase" and m["marker"] in lower)
            for m in self.markers
        )

    def is_partnership(self, text: str) -> bool:
        lower = text.lower()
        return self.is_disclosed(text) or any(p.lower() in lower for p in self.partners)


@dataclass(frozen=True)
class Post:
    """A generated content post: the generator's labels and every text a mart may read."""

    platform: str
    post_id: str
    pillar: str
    texts: tuple[str, ...]  # the mart's post_text first, then the other renderings
    is_partnership: bool
    is_disclosed: bool


SQL = {
    "meta": "SELECT platform, post_id, pillar, [text], is_partnership, is_disclosed FROM posts",
    "linkedin": "SELECT 'linkedin', post_urn, pillar, [text, edited_text], is_partnership, "
    "is_disclosed FROM linkedin_posts",
    "x": "SELECT 'x', t.tweet_id, l.pillar, [t.text], t.is_partnership, t.is_disclosed "
    "FROM x_tweets t "
    "JOIN post_pillars l ON l.platform = 'x' AND l.post_id = t.tweet_id WHERE t.kind = 'post'",
    "youtube": "SELECT 'youtube', video_id, pillar, [title || chr(10) || chr(10) || description, "
    "title, description], is_partnership, is_disclosed FROM yt_videos",
    "tiktok": "SELECT 'tiktok', video_id, pillar, [video_description, title], is_partnership, "
    "is_disclosed "
    "FROM tiktok_videos",
}


def generated_posts(con: duckdb.DuckDBPyConnection) -> Iterator[Post]:
    """Every content post of the six platforms, LinkedIn texts decoded from little text."""
    for sql in SQL.values():
        for platform, post_id, pillar, texts, partnership, disclosed in con.execute(sql).fetchall():
            if platform == "linkedin":
                texts = [plain_text(t) for t in texts]
            yield Post(
                platform,
                post_id,
                pillar or "unclassified",
                tuple(t for t in texts if t is not None),
                bool(partnership),
                bool(disclosed),
            )


class Apis:
    """Fetches post texts from the running sandbox, as each API serves them."""

    def __init__(self, base: str, manifest: dict[str, Any]) -> None:
        self.base, self.http = base, requests.Session()
        tiktok = manifest["sources"]["tiktok"]["accounts"]
        self.tiktok_owner = {v: o for o, acc in tiktok.items() for v in acc["video_ids"]}
        self.x_users = list(manifest["sources"]["x"]["accounts"])

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.http.request(method, self.base + path, timeout=30, **kwargs)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    def texts(self, platform: str, ids: list[str]) -> dict[str, str]:
        """{post id: text} for ``ids`` of one platform."""
        return getattr(self, f"_{platform}")(ids)

    def _meta(self, ids: list[str], field: str) -> dict[str, str]:
        token = {"access_token": "sandbox-meta-token", "fields": field}
        return {i: self._json("GET", f"/meta/v23.0/{i}", params=token).get(field, "") for i in ids}

    def _facebook(self, ids: list[str]) -> dict[str, str]:
        return self._meta(ids, "message")

    def _instagram(self, ids: list[str]) -> dict[str, str]:
        return self._meta(ids, "caption")

    def _linkedin(self, ids: list[str]) -> dict[str, str]:
        headers = {
            "Authorization": "Bearer sandbox-linkedin-token",
            "LinkedIn-Version": "202511",
            "X-Restli-Protocol-Version": "2.0.0",
        }
        path = "/linkedin/rest/posts/{}"
        return {
            i: plain_text(
                self._json("GET", path.format(quote(i, safe="")), headers=headers)["commentary"]
            )
            for i in ids
        }

    def _x(self, ids: list[str]) -> dict[str, str]:
        """The brands' timelines (entities included): text, plus the hashtags X parsed."""
        wanted, out = set(ids), {}
        auth = {"Authorization": "Bearer sandbox-x-token"}
        for user in self.x_users:
            params = {"max_results": 100, "tweet.fields": "entities"}
            while True:
                body = self._json("GET", f"/x/2/users/{user}/tweets", params=params, headers=auth)
                for tweet in body.get("data", []):
                    if tweet["id"] in wanted:
                        tags = tweet.get("entities", {}).get("hashtags", [])
                        parsed = " ".join("#" + t["tag"] for t in tags)
                        out[tweet["id"]] = f"{tweet['text']}\n[entities] {parsed}"
                token = body.get("meta", {}).get("next_token")
                if not token:
                    break
                params["pagination_token"] = token
        return out

    def _youtube(self, ids: list[str]) -> dict[str, str]:
        out = {}
        for at in range(0, len(ids), 50):
            params = {"part": "snippet", "id": ",".join(ids[at : at + 50])}
            params["key"] = "sandbox-youtube-key"
            body = self._json("GET", "/youtube/youtube/v3/videos", params=params)
            out.update({v["id"]: v["snippet"]["description"] for v in body["items"]})
        return out

    def _tiktok(self, ids: list[str]) -> dict[str, str]:
        out = {}
        for video_id in ids:
            owner = self.tiktok_owner[video_id]
            body = self._json(
                "POST",
                "/tiktok/v2/video/query/",
                params={"fields": "id,video_description"},
                headers={"Authorization": f"Bearer sandbox-tiktok-token-{owner}"},
                json={"filters": {"video_ids": [video_id]}},
            )
            out.update({v["id"]: v["video_description"] for v in body["data"]["videos"]})
        return out
