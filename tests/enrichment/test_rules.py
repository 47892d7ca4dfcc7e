"""The scorer's rules on hand-written texts: negation, emoji, mixed language, spam.

Expectations are written by hand from what the text means, not read off the scorer; each rule
is also checked against the same text without the cue, so a broken rule fails here.
"""

from __future__ import annotations

import pytest

from enrichment.language import detect
from enrichment.sentiment import analyse, label_of, score_text, tokenize


def labels(*texts: str) -> list[str]:
    return [s.label for s in analyse(list(texts))]


def test_french_elisions_are_split() -> None:
    assert tokenize("J'adore, c’est top") == ["J", "adore", ",", "c", "est", "top"]


@pytest.mark.parametrize(
    ("positive", "negated"),
    [
        ("Je recommande cette boutique.", "Je ne recommande pas cette boutique."),
        ("Le vendeur est aimable.", "Le vendeur n'est pas aimable."),
        ("J'aime la nouvelle formule.", "J'aime pas la nouvelle formule."),
        ("The staff were friendly.", "The staff were not friendly."),
        ("I would recommend this shop.", "I wouldn't recommend this shop."),
    ],
)
def test_negation_turns_praise_into_complaint(positive: str, negated: str) -> None:
    assert labels(positive, negated) == ["positive", "negative"]


@pytest.mark.parametrize(
    "text",
    ["Je n'ai jamais eu de problème avec vous.", "Pas de souci, merci !", "No issues at all."],
)
def test_negated_complaint_is_not_a_complaint(text: str) -> None:
    assert labels(text) == ["positive"]


def test_french_idioms_are_read_as_a_whole() -> None:
    # Word by word "terrible" is ambiguous and "mal" negative; the idioms are not.
    assert labels("Pas terrible ce service.", "Pas mal du tout !") == ["negative", "positive"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Commande reçue 😍", "positive"),
        ("Commande reçue 😡", "negative"),
        ("Commande reçue", "neutral"),
        ("Order received 👍", "positive"),
    ],
)
def test_emoji_carries_the_sentiment(text: str, expected: str) -> None:
    assert labels(text) == [expected]


def test_an_emoji_is_not_negated_by_the_sentence() -> None:
    # "ne changez rien" negates "changez", not the heart.
    assert score_text("Ne changez rien ❤️", "fr") > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le service client is terrible, j'attends toujours.", "negative"),
        ("Super produit, exactly what I needed.", "positive"),
        ("Customer service nul, aucun suivi.", "negative"),
    ],
)
def test_mixed_language(text: str, expected: str) -> None:
    assert labels(text) == [expected]


def test_false_friends_are_not_read_in_the_other_language() -> None:
    # In an English text "pain" is English (negative) even though French "pain" is bread.
    assert score_text("Such a pain to return an item", "en") < 0


def test_contrast_and_concession() -> None:
    assert labels("Prix élevé mais la qualité est au rendez-vous.") == ["positive"]
    assert labels("Still a good product despite the late delivery.") == ["positive"]
    assert labels("Nice design but way too expensive.") == ["negative"]


def test_spam_is_neutral_whatever_its_words() -> None:
    assert labels("Win a free iPhone, amazing deal 👉 link in bio") == ["neutral"]
    assert labels("Amazing deal, I love it") == ["positive"]


def test_questions_without_opinion_are_neutral() -> None:
    assert labels("Vous livrez en Belgique ?", "Do you ship to Canada?") == ["neutral", "neutral"]


def test_neutral_band() -> None:
    assert [label_of(x) for x in (-0.5, -0.05, 0.0, 0.05, 0.5)] == [
        "negative",
        "neutral",
        "neutral",
        "neutral",
        "positive",
    ]


def test_language_detection_offline() -> None:
    assert detect(
        ["Je ne suis pas content du tout", "I am not happy at all", "😍", "J'adore 😍"]
    ) == ["fr", "en", "und", "fr"]
