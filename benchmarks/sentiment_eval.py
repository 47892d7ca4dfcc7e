"""Sentiment accuracy on the labelled sample: our method against plain VADER and VADER-fr.

    .venv/bin/python -m benchmarks.sentiment_eval [--split all|tune|holdout] [--calibrate]

Prints, for the whole sample, the tuning split and the held-out third separately, accuracy,
macro F1 and the confusion matrix of: this project's method (enrichment.sentiment), plain
VADER (vaderSentiment, English lexicon, on every text), VADER's French port (vaderSentiment-fr,
on every text) and the two routed by language (each text to the VADER of its language, the
strongest plain baseline). Plain baselines use VADER's own ±0.05 neutral band. ``--calibrate``
searches the neutral band on the tuning split only. Numbers go to docs/sentiment.md.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable

from enrichment import sentiment
from enrichment.evaluation import Example, markdown, read_sample, report_for
from enrichment.language import detect

VADER_BAND = 0.05


def _vader_en() -> Callable[[str], float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return lambda text: analyzer.polarity_scores(text)["compound"]


def _vader_fr() -> Callable[[str], float]:
    with warnings.catch_warnings():  # fuzzywuzzy warns it has no C speed-up
        warnings.simplefilter("ignore")
        from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return lambda text: analyzer.polarity_scores(text)["compound"]


def labellers() -> dict[str, Callable[[list[str]], list[str]]]:
    en, fr = _vader_en(), _vader_fr()

    def plain(score: Callable[[str], float]) -> Callable[[list[str]], list[str]]:
        return lambda texts: [sentiment.label_of(score(t), VADER_BAND) for t in texts]

    def routed(texts: list[str]) -> list[str]:
        langs = detect(texts)
        return [
            sentiment.label_of((fr if lang == "fr" else en)(t), VADER_BAND)
            for t, lang in zip(texts, langs, strict=True)
        ]

    return {
        f"this method ({sentiment.METHOD})": lambda texts: [
            s.label for s in sentiment.analyse(texts)
        ],
        "plain VADER (vaderSentiment 3.3.2)": plain(en),
        "VADER-fr (vaderSentiment-fr 1.3.4)": plain(fr),
        "VADER routed by language (en / fr)": routed,
    }


def calibrate(examples: list[Example]) -> None:
    """Accuracy on the tuning split for each neutral band: the band is the only threshold."""
    tune = [e for e in examples if e.split == "tune"]
    texts = [e.text for e in tune]
    langs = detect(texts)
    scores = [sentiment.score_text(t, lang) for t, lang in zip(texts, langs, strict=True)]
    for band in [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]:
        hits = sum(
            sentiment.label_of(s, band) == e.label for s, e in zip(scores, tune, strict=True)
        )
        print(f"band {band:.2f}: tuning accuracy {hits / len(tune):.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["all", "tune", "holdout"], default=None)
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args()
    examples = read_sample()
    if args.calibrate:
        calibrate(examples)
        return
    splits = [args.split] if args.split else ["all", "tune", "holdout"]
    for name, labeller in labellers().items():
        for split in splits:
            subset = [e for e in examples if split == "all" or e.split == split]
            print(markdown(f"{name}, {split}", report_for(subset, labeller)), end="\n\n")


if __name__ == "__main__":
    main()
