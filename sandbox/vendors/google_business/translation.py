"""Google's machine translation inside a review's ``comment``, as the v4 API serves it.

The Review resource has one ``comment`` string and no language field
(https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews). A
review written in another language than the business's comes back with Google's translation
first and the reviewer's words after a marker, in one string:

    (Translated by Google) <translation>\\n\\n(Original)\\n<original>

That shape is what client code written against the live API splits (e.g. the
``parseGoogleReviewComment`` fixtures of public GBP integrations: ``'(Translated by Google)
Ok\\n\\n(Original)\\nОк'``; the same envelope on Google Maps reviews:
https://github.com/serpapi/public-roadmap/issues/923). Google documents neither the rule
(which target language; every foreign review or only some) nor the shape, so the sandbox takes
the strict reading: every texted review whose language differs from its location's is served
translated into the location's language.
The owner's reply, written in the reviewer's language, is wrapped the same way (public GBP
integrations split ``reviewReply.comment`` too). The world keeps the original only; the
translation is the world's own text in the other language, paired by position within the same
star rating (review texts) or reply kind (reply templates): a stand-in, not a word-for-word
translation.
"""

from __future__ import annotations

import re

from sandbox.world.text import BRAND_REPLIES

from .world import CRISIS_REVIEWS, REVIEWS

TRANSLATED = "(Translated by Google)"
ORIGINAL = "(Original)"


def _pairs() -> dict[tuple[str, str], str]:
    """(text, target language) -> the aligned text of the other language."""
    pairs: dict[tuple[str, str], str] = {}
    aligned = [(REVIEWS["fr"][s], REVIEWS["en"][s]) for s in REVIEWS["fr"]]
    aligned.append((CRISIS_REVIEWS["fr"], CRISIS_REVIEWS["en"]))
    for french, english in aligned:
        for fr, en in zip(french, english, strict=True):
            pairs[(fr, "en")] = en
            pairs[(en, "fr")] = fr
    return pairs


def _reply_patterns() -> list[tuple[re.Pattern[str], str, str]]:
    """(pattern of a reply template, its language, the aligned template of the other one)."""
    patterns = []
    for kind, french in BRAND_REPLIES["fr"].items():
        for fr, en in zip(french, BRAND_REPLIES["en"][kind], strict=True):
            for template, lang, other in ((fr, "fr", en), (en, "en", fr)):
                regex = re.escape(template).replace(re.escape("{first}"), "(?P<first>.+)")
                patterns.append((re.compile(f"^{regex}$"), lang, other))
    # the longest template first: "Merci {first} !" also matches "Merci pour votre retour X !"
    return sorted(patterns, key=lambda p: -len(p[0].pattern))


PAIRS = _pairs()
REPLY_PATTERNS = _reply_patterns()


def _envelope(translation: str, original: str) -> str:
    return f"{TRANSLATED} {translation}\n\n{ORIGINAL}\n{original}"


def served_comment(comment: str | None, review_lang: str, location_lang: str) -> str | None:
    """The ``comment`` as the API shows it: the original, or Google's envelope around it when
    the review is in another language than the location's (None stays None: rating only)."""
    if comment is None or review_lang == location_lang:
        return comment
    translation = PAIRS.get((comment, location_lang))
    if translation is None:  # a text without a pair: Google's translation is not emulated
        return comment
    return _envelope(translation, comment)


def served_reply(comment: str, review_lang: str, location_lang: str) -> str:
    """The owner's reply as the API shows it: wrapped like the review it answers (a reply
    that reads the same in both languages, such as an emoji, is left alone)."""
    if review_lang == location_lang:
        return comment
    for pattern, lang, other in REPLY_PATTERNS:
        found = pattern.match(comment)
        if lang == review_lang and found:
            translation = other.format(**found.groupdict())
            return comment if translation == comment else _envelope(translation, comment)
    return comment
