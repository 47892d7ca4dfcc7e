"""French and English review vocabulary: titles and texts by star band, company replies.

Star bands (1-2 negative, 3 mixed, 4-5 positive) keep rating-derived sentiment in the marts
consistent with what the text says.
"""

from __future__ import annotations

import random

CITIES = {
    "fr": ["Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux", "Rennes"],
    "en": ["London", "Manchester", "Bristol", "Leeds", "Edinburgh", "Cardiff", "York"],
}

TITLES = {
    "fr": {
        "neg": ["Très déçu", "Livraison en retard", "Service client injoignable", "À éviter"],
        "mid": ["Correct sans plus", "Peut mieux faire", "Bon produit, livraison lente"],
        "pos": ["Parfait !", "Je recommande", "Très satisfaite", "Excellent service"],
    },
    "en": {
        "neg": ["Very disappointed", "Late delivery", "No answer from support", "Avoid"],
        "mid": ["Okay, nothing special", "Could be better", "Good product, slow delivery"],
        "pos": ["Perfect!", "Highly recommend", "Really happy", "Great service"],
    },
}

TEXTS = {
    "fr": {
        "neg": [
            "Ma commande ({product}) est arrivée avec deux semaines de retard et abîmée.",
            "Aucune réponse à mes mails au sujet de ma commande ({product}), très déçu.",
            "L'article ({product}) ne correspond pas à la description, remboursement compliqué.",
        ],
        "mid": [
            "Article ({product}) conforme mais la livraison a pris du temps.",
            "Qualité correcte pour le prix, emballage à revoir.",
            "Bon produit ({product}), service client un peu lent à répondre.",
        ],
        "pos": [
            "Très contente de ma commande ({product}), livrée rapidement et bien emballé.",
            "Deuxième commande, toujours aussi satisfait ({product}).",
            "Équipe à l'écoute et produit ({product}) de grande qualité. Merci !",
        ],
    },
    "en": {
        "neg": [
            "My {product} arrived two weeks late and damaged.",
            "No reply to my emails about the {product}, very disappointed.",
            "The {product} is not as described and the refund is a struggle.",
        ],
        "mid": [
            "The {product} is fine but delivery took a while.",
            "Decent quality for the price, packaging could be better.",
            "Good {product}, support was a bit slow to answer.",
        ],
        "pos": [
            "Love my {product}, delivered quickly and well packed.",
            "Second order and still very happy with the {product}.",
            "Helpful team and a great {product}. Thank you!",
        ],
    },
}

REPLIES = {
    "fr": {
        "neg": "Bonjour {name}, nous sommes désolés de cette expérience. Notre équipe vous "
        "contacte par mail pour trouver une solution.",
        "mid": "Bonjour {name}, merci pour votre retour, nous en tenons compte pour progresser.",
        "pos": "Merci beaucoup {name} pour votre avis, à très bientôt !",
    },
    "en": {
        "neg": "Hi {name}, we are sorry about this. Our team is emailing you to put it right.",
        "mid": "Hi {name}, thanks for the feedback, we are working on it.",
        "pos": "Thank you so much {name}, see you soon!",
    },
}

UPDATES = {
    "fr": {
        "up": "Mise à jour : problème résolu par le service client.",
        "down": "Mise à jour : toujours pas de nouvelles.",
    },
    "en": {"up": "Update: support sorted it out.", "down": "Update: still waiting for news."},
}


def band(stars: int) -> str:
    return "neg" if stars <= 2 else "mid" if stars == 3 else "pos"


def review(rng: random.Random, lang: str, stars: int, product: str) -> tuple[str, str]:
    """(title, text) of a review with ``stars``."""
    b = band(stars)
    return rng.choice(TITLES[lang][b]), rng.choice(TEXTS[lang][b]).format(product=product)


def reply(rng: random.Random, lang: str, stars: int, first_name: str) -> str:
    """The company's reply, addressed to the reviewer by first name."""
    return REPLIES[lang][band(stars)].format(name=first_name)


def update_note(rng: random.Random, lang: str, raised: bool) -> str:
    """The line a consumer appends when editing the review."""
    return UPDATES[lang]["up" if raised else "down"]
