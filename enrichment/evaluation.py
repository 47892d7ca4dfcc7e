"""Accuracy, macro F1 and confusion matrix of a labeller on the labelled sample.

The sample (enrichment/eval/labelled_texts.csv) was written for this purpose; its ``split``
column was fixed before any tuning: ``holdout`` = every third row (text_id divisible by 3),
never used to choose a parameter, and reported separately.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

LABELS = ("negative", "neutral", "positive")
SAMPLE = Path(__file__).resolve().parent / "eval" / "labelled_texts.csv"


@dataclass(frozen=True)
class Example:
    text_id: int
    split: str
    language: str
    label: str
    kind: str
    text: str


@dataclass(frozen=True)
class Report:
    n: int
    accuracy: float
    macro_f1: float
    confusion: dict[str, dict[str, int]]
    """confusion[truth][predicted]."""


def read_sample(path: Path = SAMPLE) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Example(int(r["text_id"]), r["split"], r["language"], r["label"], r["kind"], r["text"])
            for r in csv.DictReader(handle)
        ]


def evaluate(truth: Sequence[str], predicted: Sequence[str]) -> Report:
    """Accuracy, macro F1 over the three labels, and the confusion matrix."""
    confusion = {t: {p: 0 for p in LABELS} for t in LABELS}
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    n = len(truth)
    correct = sum(confusion[label][label] for label in LABELS)
    f1s = []
    for label in LABELS:
        tp = confusion[label][label]
        predicted_n = sum(confusion[t][label] for t in LABELS)
        actual_n = sum(confusion[label].values())
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / actual_n if actual_n else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return Report(n, correct / n if n else 0.0, sum(f1s) / len(f1s), confusion)


def report_for(examples: Sequence[Example], labeller: Callable[[list[str]], list[str]]) -> Report:
    return evaluate([e.label for e in examples], labeller([e.text for e in examples]))


def markdown(name: str, report: Report) -> str:
    """A compact Markdown block: the headline figures and the confusion matrix."""
    lines = [
        f"**{name}**: n={report.n}, accuracy {report.accuracy:.1%}, macro F1 {report.macro_f1:.3f}",
        "",
        "| truth \\ predicted | " + " | ".join(LABELS) + " |",
        "| --- | " + " | ".join("---:" for _ in LABELS) + " |",
    ]
    for t in LABELS:
        lines.append(f"| {t} | " + " | ".join(str(report.confusion[t][p]) for p in LABELS) + " |")
    return "\n".join(lines)
