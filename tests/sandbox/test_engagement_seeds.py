"""The seeds the marts classify with recover what the generator wrote, on all six platforms.

Pillar rules (dbt_project/seeds/pillar_rules.csv) applied as int_post_classification does
must give back the generator's pillar of every post ('unclassified' for the generic posts);
disclosure markers and partners must give back its partnership and disclosure flags.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from sandbox.world import text
from tests.sandbox.engagement_support import PILLARS, Post, Rules, generated_posts, read_seed


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules.load()


@pytest.fixture(scope="module")
def posts(default_world: tuple[Path, float]) -> list[Post]:
    with duckdb.connect(str(default_world[0]), read_only=True) as con:
        return list(generated_posts(con))


def test_pillar_rules_seed_is_well_formed() -> None:
    found = read_seed("pillar_rules")
    assert list(found[0]) == ["rule_id", "priority", "match_on", "pattern", "pillar", "note"]
    assert len({r["rule_id"] for r in found}) == len(found)
    assert len({int(r["priority"]) for r in found}) == len(found), "ties would hang on rule_id"
    for rule in found:
        assert rule["match_on"] in ("hashtag", "keyword", "campaign"), rule
        assert rule["pillar"] in PILLARS, rule
        assert rule["pattern"] == rule["pattern"].lower().strip(), rule
        if rule["match_on"] == "hashtag":
            assert re.fullmatch(r"#\w+", rule["pattern"]), rule
        else:  # used in `like '%pattern%'`: no wildcard may hide in it
            assert not set(rule["pattern"]) & {"%", "_"}, rule
    assert {r["pillar"] for r in found if r["match_on"] == "hashtag"} == set(PILLARS)


def test_every_template_and_every_filling_gives_its_pillar(rules: Rules) -> None:
    products = [p for ps in text.PRODUCTS.values() for p in ps] + text.DEFAULT_PRODUCTS
    tags = ["#" + brand.replace("-", "") for brand in text.PRODUCTS]
    for lang, pillars in text.POST_TEMPLATES.items():
        for pillar, templates in pillars.items():
            for template in templates:
                for product in products:
                    for name in text.FIRST_NAMES[lang]:
                        body = template.format(n=137, product=product, name=name, tag=tags[0])
                        assert rules.pillar_of(body) == pillar, body
                        # the disclosure sentence some partnerships put first
                        paid = f"Partenariat rémunéré avec {text.PARTNERS[0]}. {body}"
                        assert rules.pillar_of(paid) == pillar, paid
        for generic in text.GENERIC_POSTS[lang]:
            assert rules.pillar_of(generic) == "unclassified", generic
    for tag in [t for ts in text.HASHTAGS.values() for t in ts] + tags:
        assert rules.pillar_of(f"Bonne semaine à tous ! {tag}") == "unclassified", tag


def test_rules_recover_the_pillar_of_every_generated_post(rules: Rules, posts: list[Post]) -> None:
    """Every rendering a mart may read: captions, tweets (cut at 180 characters), decoded
    LinkedIn commentaries (and their edits), YouTube title + description, title alone,
    description alone, TikTok description and title (cut at 80 characters)."""
    assert {p.platform for p in posts} == {
        "facebook",
        "instagram",
        "linkedin",
        "x",
        "youtube",
        "tiktok",
    }
    wrong = [
        (p.platform, p.post_id, p.pillar, rules.pillar_of(t), t)
        for p in posts
        for t in p.texts
        if rules.pillar_of(t) != p.pillar
    ]
    assert not wrong, wrong[:5]
    # every pillar and the generic posts occur on every platform: the check covers them all
    seen = Counter((p.platform, p.pillar) for p in posts)
    for platform in {p.platform for p in posts}:
        for pillar in (*PILLARS, "unclassified"):
            assert seen[platform, pillar] > 0, (platform, pillar)
    # ... and so do the texts the rules must see through
    bodies = [p.texts[0] for p in posts]
    assert any("Partenariat rémunéré avec" in b for b in bodies)
    assert any("#ab_" in b for b in bodies) and any("youtu" in b for b in bodies)


def test_hashtag_rules_match_whole_hashtags(rules: Rules) -> None:
    for rule in rules.pillar:
        if rule["match_on"] == "hashtag":
            post = f"Nouvelle vidéo {rule['pattern']} !"
            assert rules.pillar_of(post) == rule["pillar"], rule
            assert rules.pillar_of(post.replace(rule["pattern"], rule["pattern"] + "x")) == (
                "unclassified"
            ), rule


def test_disclosure_markers_and_partners_recover_partnerships(
    rules: Rules, posts: list[Post]
) -> None:
    markers = {(m["marker"], m["match_on"]) for m in rules.markers}
    for required in ("#ad", "#partenariat", "#sponsored", "#sponsorise"):
        assert (required, "hashtag") in markers
    for required in ("partenariat rémunéré", "paid partnership"):
        assert (required, "phrase") in markers
    assert set(rules.partners) == set(text.PARTNERS)
    # whole hashtags only: neither a longer tag nor a generated one discloses anything
    assert not rules.is_disclosed("Sunday #adventure #advent #adorable")
    generated = [t for ts in text.HASHTAGS.values() for t in ts] + ["#fyp", "#pourtoi"]
    assert not rules.is_disclosed(" ".join(generated))
    wrong = [
        (p.platform, p.post_id, p.texts[0])
        for p in posts
        if rules.is_disclosed(p.texts[0]) != p.is_disclosed
        or rules.is_partnership(p.texts[0]) != p.is_partnership
    ]
    assert not wrong, wrong[:5]
    flags = Counter((p.is_partnership, p.is_disclosed) for p in posts)
    assert flags[True, True] > 0 and flags[True, False] > 0
