"""Accuracy guard on the labelled sample (enrichment/eval/labelled_texts.csv).

The floors are the figures measured when the method was fixed (docs/sentiment.md), minus
nothing: a change that loses one text on any split fails here. The oracle is the hand-written
labels of the sample, never the scorer.
"""

from __future__ import annotations

import pytest

from enrichment.evaluation import LABELS, evaluate, read_sample
from enrichment.sentiment import analyse

MEASURED = {"all": (186, 216), "tune": (126, 144), "holdout": (60, 72)}
"""Correct labels / texts per split, as measured (86.1 %, 87.5 %, 83.3 %)."""


@pytest.fixture(scope="module")
def predictions() -> dict[int, str]:
    sample = read_sample()
    return {
        e.text_id: s.label for e, s in zip(sample, analyse([e.text for e in sample]), strict=True)
    }


def test_sample_is_as_documented() -> None:
    sample = read_sample()
    assert len(sample) >= 200
    assert sum(e.language == "fr" for e in sample) == sum(e.language == "en" for e in sample)
    assert {e.label for e in sample} == set(LABELS)
    # The held-out third was fixed up front: every third text.
    assert all((e.split == "holdout") == (e.text_id % 3 == 0) for e in sample)
    assert {"negation", "irony", "emoji", "mixed", "question", "spam"} <= {e.kind for e in sample}


@pytest.mark.parametrize("split", ["all", "tune", "holdout"])
def test_accuracy_does_not_drop(predictions: dict[int, str], split: str) -> None:
    subset = [e for e in read_sample() if split == "all" or e.split == split]
    report = evaluate([e.label for e in subset], [predictions[e.text_id] for e in subset])
    correct, n = MEASURED[split]
    assert report.n == n
    assert report.accuracy >= correct / n, f"{split}: {report.accuracy:.3f} < {correct}/{n}"


def test_metrics_against_a_hand_computed_case() -> None:
    """evaluate(): 3 of 4 right; F1 negative 1, neutral 2/3, positive 2/3 -> macro 7/9."""
    report = evaluate(
        ["negative", "neutral", "positive", "positive"],
        ["negative", "neutral", "positive", "neutral"],
    )
    assert report.accuracy == 0.75
    assert report.macro_f1 == pytest.approx(7 / 9)
    assert report.confusion["positive"]["neutral"] == 1
