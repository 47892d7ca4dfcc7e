"""End to end: the A/B test mart finds the uplifts the generator planted, and only those.

``make demo``'s replay (tests/e2e/conftest.py). The generator (sandbox/world/experiments.py)
redraws the interactions of every variant post at one shared rate, times a true uplift for
variant b in about half the experiments; its truth lists each experiment's variants, posts and
uplift (``manifest["engagement"]["experiments"]``). The mart compares b with the control a by
a pooled two-proportion z-test of interactions per unit of exposure (docs/engagement_marts.md:
reach where the platform has it, else impressions, else video views) at alpha 0.05.

The oracle: the planted uplifts, and the same z-test worked by hand on the world's own counts,
which says whether the world's draws carry a planted uplift far enough to be seen at all
(a variant of one or two posts often does not).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from sandbox.world.manifest import build_manifest
from tests.e2e.conftest import LAST, SIMULATED, read_warehouse
from tests.e2e.post_truth import WorldTruth

pytestmark = pytest.mark.e2e

ALPHA = 0.05  # the documented level of is_significant (mart_ab_tests' column description)
# The exposure each platform's experiments are tested on (docs/engagement_marts.md's
# availability matrix: X has impressions but no reach; YouTube and TikTok only views).
EXPOSURE = {
    "facebook": "reach",
    "instagram": "reach",
    "linkedin": "reach",
    "x": "impressions",
    "youtube": "views",
    "tiktok": "views",
}


def _two_proportion_p(control: tuple[int, int], variant: tuple[int, int]) -> float:
    """Two-sided p-value of the pooled z-test of (successes, trials) of b against a."""
    (x1, n1), (x2, n2) = control, variant
    pooled = (x1 + x2) / (n1 + n2)
    z = (x2 / n2 - x1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


def _planted(truth: WorldTruth) -> dict[str, dict[str, Any]]:
    """Per experiment visible on the last day with both variants: the planted uplift and the
    world's (interactions, exposure) of each variant on the days the snapshot schedule last
    read its posts (tests/e2e/post_truth.py, ``read_day``)."""
    latest = truth.latest(SIMULATED)
    experiments: dict[str, dict[str, Any]] = {}
    for e in build_manifest(truth.world, LAST)["engagement"]["experiments"]:
        counts = [latest[p][1] for p in e["posts"]]
        exposure = sum(getattr(c, EXPOSURE[e["platform"]]) for c in counts)
        experiment = experiments.setdefault(e["experiment_id"], {"uplift": 1.0})
        experiment[e["variant"]] = (sum(c.interactions for c in counts), exposure)
        experiment["uplift"] = max(experiment["uplift"], e["true_uplift"])
    return {k: v for k, v in experiments.items() if "a" in v and "b" in v}


def test_winners_are_the_planted_uplifts_the_world_makes_visible(
    replay: dict[str, Any], replay_truth: WorldTruth
) -> None:
    planted = _planted(replay_truth)
    rows = read_warehouse(
        replay,
        "select experiment_id, p_value, is_significant, winner_variant, lift "
        "from marts.mart_ab_tests where variant = 'b'",
    )
    got = {r[0]: r[1:] for r in rows}
    assert set(planted) <= set(got)
    visible = set()
    for experiment_id, e in planted.items():
        p_value, significant, winner, lift = got[experiment_id]
        expected_p = _two_proportion_p(e["a"], e["b"])
        assert p_value == pytest.approx(expected_p, abs=1e-5), (experiment_id, p_value)
        if e["uplift"] > 1:
            # The planted direction holds even where too few posts make it significant.
            assert lift > 0, (experiment_id, e, lift)
            if expected_p < ALPHA:
                visible.add(experiment_id)
        assert significant == (expected_p < ALPHA), (experiment_id, e, p_value)
        # b wins exactly where it was planted and the world's counts show it; an experiment
        # without a planted uplift has no winner.
        assert winner == ("b" if experiment_id in visible else None), (experiment_id, e, winner)
    # At least one planted uplift is strong enough to be found; no other experiment has a winner.
    assert visible, planted
    assert {k for k, v in got.items() if v[2] is not None} == visible
