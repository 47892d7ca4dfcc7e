"""manifest["engagement"]: A/B tests, parent posts and the content counts the marts must find.

Checked against the world store (and, for the small world, against what the APIs serve), and
for locality: the experiments and parent links change nothing but their own posts.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion.linkedin.rows import plain_text
from sandbox.world import experiments, parents
from sandbox.world.generator import DEFAULT_DAYS, DEFAULT_START, HORIZON_DAYS, generate
from sandbox.world.manifest import build_manifest
from tests.sandbox.engagement_support import PILLARS, Apis
from tests.sandbox.sandbox_support import SMALL, Graph

TODAY = DEFAULT_START + timedelta(days=DEFAULT_DAYS - 1)
LAST = DEFAULT_START + timedelta(days=DEFAULT_DAYS + HORIZON_DAYS - 1)  # every post visible
PLATFORMS = {"facebook", "instagram", "linkedin", "x", "youtube", "tiktok"}
FORMATS = {
    "facebook": {"image", "video", "reel", "carousel", "text", "link"},
    "instagram": {"image", "video", "reel", "carousel"},
    "linkedin": {"image", "video", "carousel", "link", "text"},
    "x": {"link", "text"},
    "youtube": {"reel", "video"},
    "tiktok": {"reel"},
}
AB_TAG = re.compile(r"#ab_(hook|format|cta|slot)_([a-z0-9]+)_([a-z])\b")
YT_URL = "(?:https://www\\.youtube\\.com/watch\\?v=|https://youtu\\.be/)"
# Per platform: table, id, time, text column, exposure, interactions, format expression.
WORLD = {
    "facebook": ("posts", "post_id", "created_time", "text", "final_reach",
                 "final_likes + final_shares + final_saves", "format"),
    "linkedin": ("linkedin_posts", "post_urn", "published_at", "text", "final_impressions",
                 "final_likes + final_shares", "format"),
    "x": ("x_tweets", "tweet_id", "created_at", "text", "final_impressions",
          "final_likes + final_retweets + final_quotes + final_bookmarks",
          "CASE WHEN link_url IS NULL THEN 'text' ELSE 'link' END"),
    "youtube": ("yt_videos", "video_id", "published_at", "description", "final_views",
                "final_likes + final_shares", "is_short"),
    "tiktok": ("tiktok_videos", "video_id", "create_time", "video_description", "final_views",
               "final_likes + final_comments + final_shares", "'reel'"),
}  # fmt: skip
WORLD["instagram"] = WORLD["facebook"]


@pytest.fixture(scope="module")
def year(default_world: tuple[Path, float]) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(default_world[0]), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def truth(year: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    return build_manifest(year, LAST)["engagement"]


def _post(con: duckdb.DuckDBPyConnection, platform: str, post_id: str) -> dict[str, Any]:
    table, key, at, column, exposure, interactions, fmt = WORLD[platform]
    sql = f"SELECT {at}, {column}, {exposure}, {interactions}, {fmt} FROM {table} WHERE {key} = ?"
    row = con.execute(sql, [post_id]).fetchone()
    assert row is not None, (platform, post_id)
    post = dict(zip(("at", "text", "exposure", "interactions", "format"), row, strict=True))
    if platform == "linkedin":
        post["text"] = plain_text(post["text"])  # as the pipeline decodes it
    return post


def _count(con: duckdb.DuckDBPyConnection, pattern: str) -> int:
    """Posts of every platform whose stored text matches ``pattern``."""
    tables = {w[0]: w[3] for w in WORLD.values()}
    return sum(
        con.execute(f"SELECT count(*) FROM {t} WHERE regexp_matches({c}, ?)", [pattern]).fetchone()[
            0
        ]
        for t, c in tables.items()
    )


def test_content_counts_agree_with_the_rest_of_the_manifest(
    year: duckdb.DuckDBPyConnection,
) -> None:
    manifest = build_manifest(year, TODAY)
    part, sources = manifest["engagement"], manifest["sources"]
    assert set(part) == {"posts_by_pillar_format", "experiments", "parents", "partnerships"}
    counted: Counter[str] = Counter()
    formats: dict[str, set[str]] = defaultdict(set)
    for row in part["posts_by_pillar_format"]:
        assert row["pillar"] in (*PILLARS, "unclassified") and row["posts"] > 0, row
        counted[row["platform"]] += row["posts"]
        formats[row["platform"]].add(row["format"])
    assert dict(formats) == FORMATS
    expected: Counter[str] = Counter()
    for acc in manifest["accounts"].values():
        expected[acc["platform"]] += len(acc["post_ids"])
    expected["linkedin"] = sum(
        len(o["post_urns"]) for o in sources["linkedin"]["organizations"].values()
    )
    own = [i for a in sources["x"]["accounts"].values() for i in a["post_ids"]]
    posts = {
        r[0] for r in year.execute("SELECT tweet_id FROM x_tweets WHERE kind = 'post'").fetchall()
    }
    expected["x"] = len(set(own) & posts)  # the brands' replies are not content
    expected["youtube"] = len(sources["youtube"]["video_ids"])
    expected["tiktok"] = sum(len(a["video_ids"]) for a in sources["tiktok"]["accounts"].values())
    assert counted == expected
    deals = {(r["brand_id"], r["platform"]): r for r in part["partnerships"]}
    assert {p for _, p in deals} == PLATFORMS
    for row in deals.values():
        assert row["partnerships"] > row["disclosed"] > 0  # both cases on every platform


def test_experiments_are_well_formed_and_written_in_the_posts(
    year: duckdb.DuckDBPyConnection, truth: dict[str, Any]
) -> None:
    variants: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in truth["experiments"]:
        assert row["experiment_id"] == (
            f"{row['brand_id']}/{row['platform']}/{row['dimension']}_{row['experiment']}"
        )
        assert AB_TAG.fullmatch(row["hashtag"]) and 1 <= len(row["posts"]) <= 4, row
        variants[row["experiment_id"]][row["variant"]] = row
        for post_id in row["posts"]:
            text = _post(year, row["platform"], post_id)["text"]
            assert AB_TAG.findall(text) == [
                (row["dimension"], row["experiment"], row["variant"])
            ], (post_id, text)
    assert all(set(v) == {"a", "b"} for v in variants.values())
    per_account = Counter(tuple(k.split("/")[:2]) for k in variants)
    assert {p for _, p in per_account} == PLATFORMS
    assert all(4 <= n <= 6 for n in per_account.values()), per_account
    assert {v["a"]["dimension"] for v in variants.values()} == {"hook", "format", "cta", "slot"}
    tagged = sum(len(r["posts"]) for r in truth["experiments"])
    assert _count(year, "ab_(hook|format|cta|slot)_") == tagged  # no other post carries one
    for v in variants.values():
        if v["a"]["dimension"] == "format":
            platform = v["a"]["platform"]
            sides = [{_post(year, platform, i)["format"] for i in v[s]["posts"]} for s in "ab"]
            assert len(sides[0]) == len(sides[1]) == 1 and sides[0] != sides[1], v


def test_experiments_have_real_winners_and_real_nulls(
    year: duckdb.DuckDBPyConnection, truth: dict[str, Any]
) -> None:
    """A two-proportion z-test on interactions over exposure finds most true uplifts and
    (almost) none where there is none."""
    pooled: dict[str, dict[str, list[float]]] = defaultdict(dict)
    for row in truth["experiments"]:
        posts = [_post(year, row["platform"], i) for i in row["posts"]]
        pooled[row["experiment_id"]][row["variant"]] = [
            sum(p["exposure"] for p in posts),
            sum(p["interactions"] for p in posts),
            row["true_uplift"],
        ]
    found = {"winner": [], "null": []}
    for exp in pooled.values():
        (na, ka, _), (nb, kb, uplift) = exp["a"], exp["b"]
        p = (ka + kb) / (na + nb)
        z = (kb / nb - ka / na) / math.sqrt(p * (1 - p) * (1 / na + 1 / nb))
        found["winner" if uplift > 1 else "null"].append(z > 1.96)
    assert len(found["winner"]) >= 10 and len(found["null"]) >= 10, found
    assert sum(found["winner"]) >= 0.7 * len(found["winner"])
    assert sum(found["null"]) <= 0.15 * len(found["null"])


def test_parents_are_earlier_long_videos_named_in_the_text(
    year: duckdb.DuckDBPyConnection, truth: dict[str, Any]
) -> None:
    children = Counter(r["platform"] for r in truth["parents"])
    assert set(children) == {"youtube", "facebook", "instagram", "tiktok"}, children
    brands = dict(
        year.execute(
            "SELECT post_id, a.brand_id FROM posts JOIN accounts a USING (account_id) UNION ALL "
            "SELECT video_id, brand_id FROM tiktok_videos UNION ALL "
            "SELECT video_id, brand_id FROM yt_videos"
        ).fetchall()
    )
    for row in truth["parents"]:
        child = _post(year, row["platform"], row["post_id"])
        parent = _post(year, "youtube", row["parent_post_id"])
        assert parent["format"] is False, row  # a long-form video (not a Short)
        assert parent["at"] < child["at"] <= parent["at"] + parents.WINDOW, row
        assert child["format"] in ("reel", True), row  # a reel, a Short, a TikTok video
        assert brands[row["post_id"]] == brands[row["parent_post_id"]], row
        named = re.findall(YT_URL + r"([A-Za-z0-9_-]{11})", child["text"])
        assert named == [row["parent_post_id"]], (row, child["text"])
    assert _count(year, YT_URL) == len(truth["parents"])  # no other post names a video


def test_experiments_and_parents_reach_the_apis(
    graph: Graph, base_url: str, reset_clock: None
) -> None:
    """Served by every API, as the pipelines read them (X: in the text and its entities)."""
    last = SMALL.start + timedelta(days=SMALL.span - 1)
    graph.control("POST", "/clock/set", params={"today": last.isoformat()})
    manifest = graph.control("GET", "/manifest", params={"today": last.isoformat()})
    apis, part = Apis(base_url, manifest), manifest["engagement"]
    wanted: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in part["experiments"]:
        for post_id in row["posts"]:
            wanted[row["platform"]][post_id].append(re.escape(row["hashtag"]) + r"\b")
    for row in part["parents"]:
        wanted[row["platform"]][row["post_id"]].append(YT_URL + re.escape(row["parent_post_id"]))
    assert set(wanted) == PLATFORMS
    for platform, posts in wanted.items():
        texts = apis.texts(platform, sorted(posts))
        for post_id, patterns in posts.items():
            for pattern in patterns:
                times = 2 if platform == "x" and "ab_" in pattern else 1  # text and entities
                assert len(re.findall(pattern, texts[post_id])) == times, (
                    platform,
                    post_id,
                    texts[post_id],
                )


def test_only_variants_and_children_change(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The world without experiments and parent links differs only in those posts' text,
    hashtags and interaction counts: ids, times, comments and everything else are the same."""
    monkeypatch.setattr(experiments, "run", lambda *args: [])
    monkeypatch.setattr(parents, "link_shorts", lambda *args: [])
    monkeypatch.setattr(parents, "link_micro_contents", lambda *args: [])
    plain = tmp_path / "plain.duckdb"
    generate(plain, spec=SMALL)
    may_change = {
        "posts": {"text", "hashtags", "final_likes", "final_shares", "final_saves"},
        "linkedin_posts": {"text", "edited_text", "hashtags", "final_likes", "final_shares"},
        "x_tweets": {"text", "hashtags", "final_likes", "final_retweets", "final_quotes",
                     "final_bookmarks"},
        "yt_videos": {"description", "tags", "final_likes", "final_shares"},
        "tiktok_videos": {"video_description", "hashtags", "final_likes", "final_comments",
                          "final_shares"},
    }  # fmt: skip
    con = duckdb.connect(str(world), read_only=True)
    con.execute(f"ATTACH '{plain}' AS plain (READ_ONLY)")
    decorated = {
        r[0]
        for r in con.execute(
            "SELECT post_id FROM experiment_posts UNION SELECT post_id FROM parent_links"
        ).fetchall()
    }
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'world'"
        ).fetchall()
    ]
    for table in tables:
        if table in ("experiment_posts", "parent_links"):
            assert con.execute(f"SELECT count(*) FROM plain.{table}").fetchone()[0] == 0
            continue
        names = [r[0] for r in con.execute(f"DESCRIBE world.{table}").fetchall()]
        keep = ", ".join(n for n in names if n not in may_change.get(table, set()))
        for a, b in (("world", "plain"), ("plain", "world")):
            extra = con.execute(
                f"SELECT count(*) FROM (SELECT {keep} FROM {a}.{table} "
                f"EXCEPT ALL SELECT {keep} FROM {b}.{table})"
            ).fetchone()[0]
            assert extra == 0, (table, a, b)
        if table in may_change:
            key = names[0]
            changed = con.execute(
                f"SELECT {key} FROM (SELECT * FROM world.{table} EXCEPT ALL "
                f"SELECT * FROM plain.{table})"
            ).fetchall()
            assert changed and {r[0] for r in changed} <= decorated, table
            text = sorted(may_change[table] & {"text", "description", "video_description"})[0]
            pairs = con.execute(
                f"SELECT w.{text}, p.{text} FROM world.{table} w JOIN plain.{table} p "
                f"USING ({key}) WHERE w.{text} <> p.{text}"
            ).fetchall()
            for new, old in pairs:  # words are only added (the A/B tag, the parent's link)
                assert not Counter(old.split()) - Counter(new.split()), (old, new)
    con.close()


def test_same_seed_same_engagement_truth(world: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.duckdb"
    generate(again, spec=SMALL)
    day = SMALL.start + timedelta(days=SMALL.days - 1)
    first, second = build_manifest(world, day), build_manifest(again, day)
    assert first["engagement"]["experiments"] and first["engagement"]["parents"]
    assert first == second
