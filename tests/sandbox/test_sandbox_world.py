"""The generator: determinism, timing, and the shape of the world it builds."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from sandbox.world.generator import WorldSpec, generate
from sandbox.world.manifest import build_manifest
from sandbox.world.store import world_hash
from tests.sandbox.sandbox_support import SMALL, TODAY


def _hash(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return world_hash(con)


def test_same_seed_same_world_different_seed_different(world: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.duckdb"
    other = tmp_path / "other.duckdb"
    generate(again, spec=SMALL)
    generate(other, spec=WorldSpec(seed=7, start=SMALL.start, days=SMALL.days))
    assert _hash(again) == _hash(world)
    assert _hash(other) != _hash(world)


@pytest.fixture(scope="module")
def year(default_world: tuple[Path, float]) -> tuple[Path, float]:
    """The default world (3 brands, 365 days) and the seconds it took to build."""
    return default_world


def test_world_content(year: tuple[Path, float]) -> None:
    con = duckdb.connect(str(year[0]), read_only=True)
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    formats = dict(
        q("SELECT platform, list(DISTINCT format ORDER BY format) FROM posts GROUP BY 1")
    )
    assert formats["facebook"] == ["carousel", "image", "link", "reel", "text", "video"]
    assert formats["instagram"] == ["carousel", "image", "reel", "video"]
    # ids are unique across the whole world (not only per account)
    assert q("SELECT count(*) - count(DISTINCT post_id) FROM posts") == [(0,)]
    assert q("SELECT count(*) - count(DISTINCT comment_id) FROM comments") == [(0,)]
    pillars = {r[0] for r in q("SELECT DISTINCT pillar FROM posts")}
    assert pillars == {"Preuve", "Pedagogie", "Communaute", "Marque", None}
    assert {r[0] for r in q("SELECT DISTINCT lang FROM comments")} == {"fr", "en"}
    # posts per day per account within 0.5..1.5 on average
    for (rate,) in q("SELECT count(*) / 379.0 FROM posts GROUP BY account_id"):
        assert 0.4 <= rate <= 1.6
    # brand replies come from the account's own id
    bad = q("SELECT count(*) FROM comments WHERE is_brand AND author_id <> account_id")[0][0]
    assert bad == 0
    assert q("SELECT count(*) FROM comments WHERE is_brand AND parent_id IS NOT NULL")[0][0] > 100
    # every comment within 21 days of its post, after it
    late = q(
        "SELECT count(*) FROM comments c JOIN posts p USING (post_id) WHERE "
        "c.created_time <= p.created_time OR c.created_time > p.created_time + "
        "INTERVAL 21 DAY"
    )[0][0]
    assert late == 0
    # a campaign runs on several accounts of its brand
    multi = q(
        "SELECT campaign FROM posts WHERE campaign IS NOT NULL GROUP BY campaign "
        "HAVING count(DISTINCT account_id) > 1"
    )
    assert multi
    # partnerships: disclosed ones carry a disclosure mark, undisclosed ones none
    marks = re.compile(r"#ad\b|#partenariat|Partenariat rémunéré|Paid partnership")
    parts = q("SELECT text, is_disclosed FROM posts WHERE is_partnership")
    assert any(d for _, d in parts) and any(not d for _, d in parts)
    assert all(bool(marks.search(t)) == d for t, d in parts)
    # UTM: utm_content is the post id, except ~5% malformed on purpose
    links = q("SELECT post_id, link_url, utm_malformed FROM posts WHERE link_url IS NOT NULL")
    malformed = [m for _, _, m in links if m]
    assert 0.02 < len(malformed) / len(links) < 0.09
    assert set(malformed) <= {"upper_case", "missing_utm_content", "medium_typo"}
    for post_id, url, defect in links:
        if defect is None:
            assert url.endswith(f"utm_content={post_id}") and "utm_medium=social" in url
    # hashtags are lists
    assert q("SELECT count(*) FROM posts WHERE len(hashtags) > 0")[0][0] > 100


def test_manifest_grows_with_the_clock(world: Path) -> None:
    now = build_manifest(world, TODAY)
    before = build_manifest(world, TODAY - timedelta(days=3))
    assert now["totals"]["posts"] > before["totals"]["posts"]
    assert now["totals"]["comments"] > before["totals"]["comments"]
    grew = 0
    for account_id, account in before["accounts"].items():
        newest = account["post_ids"][0]
        later = now["accounts"][account_id]["posts"][newest]
        for metric, value in account["posts"][newest].items():
            assert later[metric] >= value, (newest, metric)
            grew += later[metric] > value
    assert grew > 0
