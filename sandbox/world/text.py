"""French and English vocabulary of the synthetic world.

Templates are per content pillar and language so that pillar classification, language
detection and sentiment in the marts have something real-looking to work on.
"""

from __future__ import annotations

import random

PILLARS = ("Preuve", "Pedagogie", "Communaute", "Marque")

POST_TEMPLATES: dict[str, dict[str, list[str]]] = {
    "fr": {
        "Preuve": [
            "{n} clients nous ont fait confiance ce mois-ci. Merci pour vos avis sur {product} !",
            "Ils en parlent mieux que nous : retour d'expérience sur {product}.",
            "Résultat après 6 mois avec {product} : la preuve en images.",
            "Avant / après : ce que {product} a changé pour {name}.",
        ],
        "Pedagogie": [
            "3 astuces pour bien choisir votre {product}.",
            "Le saviez-vous ? Tout ce qu'il faut savoir sur {product}, expliqué simplement.",
            "Tuto : entretenir votre {product} en 5 minutes.",
            "Les erreurs à éviter avec {product} (on les a toutes faites).",
        ],
        "Communaute": [
            "Merci à {name} pour cette superbe photo ! Partagez les vôtres avec {tag}.",
            "Question du jour : comment utilisez-vous {product} ?",
            "Rendez-vous samedi à notre atelier, on vous attend nombreux !",
            "Vous avez voté : voici le {product} préféré de la communauté.",
        ],
        "Marque": [
            "Nouveau : découvrez {product}, fabriqué en France.",
            "Dans les coulisses de l'atelier : comment naît {product}.",
            "Notre engagement : des matériaux durables pour chaque {product}.",
            "Notre équipe s'agrandit, bienvenue à {name} !",
        ],
    },
    "en": {
        "Preuve": [
            "{n} customers trusted us this month. Thanks for your reviews of {product}!",
            "Don't take our word for it: a real story about {product}.",
            "Six months with {product}: here is the proof.",
            "Before and after: what {product} changed for {name}.",
        ],
        "Pedagogie": [
            "3 tips to choose the right {product}.",
            "Did you know? Everything about {product}, explained simply.",
            "How to look after your {product} in 5 minutes.",
            "Mistakes to avoid with {product} (we made them all).",
        ],
        "Communaute": [
            "Thanks {name} for this lovely photo! Share yours with {tag}.",
            "Question of the day: how do you use your {product}?",
            "Join us on Saturday for our workshop!",
            "You voted: here is the community's favourite {product}.",
        ],
        "Marque": [
            "New: meet {product}, made locally.",
            "Behind the scenes: how {product} is made.",
            "Our promise: sustainable materials in every {product}.",
            "Our team is growing, welcome {name}!",
        ],
    },
}

GENERIC_POSTS = {
    "fr": ["Bonne semaine à tous !", "C'est le week-end 🎉", "Petite pause café ☕"],
    "en": ["Have a great week!", "Weekend mode 🎉", "Coffee break ☕"],
}

PRODUCTS = {
    "maison-lumiere": ["lampe Aurore", "suspension Nova", "applique Lune", "guirlande Étoile"],
    "velo-vert": ["vélo Urbain", "VAE Colline", "cadenas Solide", "panier Marché"],
    "northwind-coffee": ["Ethiopia roast", "cold brew", "espresso blend", "oat flat white"],
}
DEFAULT_PRODUCTS = ["produit phare", "nouvelle collection", "édition limitée"]

HASHTAGS = {
    "fr": [
        "#faitmain",
        "#madeinfrance",
        "#astuce",
        "#nouveauté",
        "#communauté",
        "#design",
        "#durable",
        "#ecoresponsable",
        "#inspiration",
        "#conseil",
    ],
    "en": [
        "#handmade",
        "#tips",
        "#new",
        "#community",
        "#design",
        "#sustainable",
        "#inspiration",
        "#howto",
        "#behindthescenes",
        "#coffeelover",
    ],
}

PARTNERS = ["Atelier Brun", "Studio Kiwi", "La Belle Route", "Green Lane Co", "Julie Voyage"]

COMMENTS = {
    "fr": {
        "positive": [
            "Magnifique !",
            "J'adore 😍",
            "Super qualité, très contente de mon achat.",
            "Bravo à toute l'équipe 👏",
            "Trop beau, je veux le même !",
            "Livraison rapide, merci !",
        ],
        "negative": [
            "Toujours pas reçu ma commande, c'est inadmissible.",
            "Déçu par la qualité, ça s'est cassé au bout d'une semaine.",
            "Service client injoignable depuis 10 jours…",
            "Trop cher pour ce que c'est.",
        ],
        "question": [
            "C'est disponible en quelle couleur ?",
            "Vous livrez en Belgique ?",
            "Quel est le prix ?",
            "Il reste des places pour l'atelier ?",
        ],
        "neutral": ["@camille regarde ça", "Intéressant.", "On en parlait hier !"],
    },
    "en": {
        "positive": [
            "Gorgeous!",
            "Love it 😍",
            "Great quality, very happy with my order.",
            "Well done team 👏",
            "So beautiful, I want one!",
            "Fast delivery, thanks!",
        ],
        "negative": [
            "Still haven't received my order, unacceptable.",
            "Disappointed, it broke after a week.",
            "Customer service hasn't replied in 10 days…",
            "Way too expensive.",
        ],
        "question": [
            "Does it come in other colours?",
            "Do you ship to Ireland?",
            "How much is it?",
            "Any spots left for the workshop?",
        ],
        "neutral": ["@sam look at this", "Interesting.", "We talked about this yesterday!"],
    },
}

BRAND_REPLIES = {
    "fr": {
        "positive": ["Merci beaucoup {first} ! 💛", "Merci pour votre retour {first} !"],
        "negative": [
            "Bonjour {first}, désolés pour ce désagrément. Pouvez-vous nous écrire en "
            "message privé avec votre numéro de commande ?",
            "{first}, nous sommes navrés. Notre équipe vous recontacte aujourd'hui.",
        ],
        "question": [
            "Bonjour {first}, oui ! Toutes les infos sont sur notre site.",
            "Bonne question {first} : nous vous répondons en message privé.",
        ],
        "neutral": ["😊", "Merci {first} !"],
    },
    "en": {
        "positive": ["Thank you so much {first}! 💛", "Thanks for the kind words {first}!"],
        "negative": [
            "Hi {first}, sorry about this. Could you DM us your order number?",
            "{first}, we're sorry. Our team will get back to you today.",
        ],
        "question": [
            "Hi {first}, yes! All the details are on our website.",
            "Good question {first}, we'll reply by DM.",
        ],
        "neutral": ["😊", "Thanks {first}!"],
    },
}

CRISIS_COMMENTS = {
    "fr": [
        "Ma {product} a surchauffé et fait fondre la prise, c'est dangereux ! Aucune réponse.",
        "Scandaleux : {product} défectueuse, rappel produit annoncé et personne ne répond.",
        "Honteux, ma {product} a grillé au bout de deux jours. Je veux être remboursé.",
        "Arnaque : {product} en panne, service client injoignable, je déconseille.",
    ],
    "en": [
        "My {product} overheated and melted the plug, this is dangerous! No answer at all.",
        "Disgraceful: faulty {product}, a recall announced and nobody replies.",
        "Terrible, my {product} burnt out after two days. I want a refund.",
        "Awful: {product} broken, customer service unreachable, avoid.",
    ],
}

FOLLOW_UPS = {
    "fr": [
        "{first}, nous vous avons aussi écrit en message privé 🙏",
        "Petite précision {first} : l'équipe reste disponible au service client.",
    ],
    "en": [
        "{first}, we've also sent you a DM 🙏",
        "One more thing {first}: the team is on hand at customer service.",
    ],
}

FIRST_NAMES = {
    "fr": [
        "Camille",
        "Léa",
        "Hugo",
        "Manon",
        "Lucas",
        "Chloé",
        "Nathan",
        "Inès",
        "Louis",
        "Jade",
        "Gabriel",
        "Emma",
        "Arthur",
        "Zoé",
        "Jules",
        "Sarah",
    ],
    "en": [
        "Olivia",
        "Jack",
        "Amelia",
        "Harry",
        "Isla",
        "George",
        "Ava",
        "Noah",
        "Mia",
        "Leo",
        "Grace",
        "Oscar",
        "Freya",
        "Charlie",
        "Ella",
        "Alfie",
    ],
}
LAST_NAMES = {
    "fr": [
        "Martin",
        "Bernard",
        "Dubois",
        "Thomas",
        "Robert",
        "Richard",
        "Petit",
        "Durand",
        "Leroy",
        "Moreau",
        "Simon",
        "Laurent",
    ],
    "en": [
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Evans",
        "Walker",
        "Wright",
        "Green",
    ],
}

SENTIMENT_WEIGHTS = {"positive": 0.5, "question": 0.2, "negative": 0.15, "neutral": 0.15}


def post_text(rng: random.Random, lang: str, pillar: str | None, brand_id: str) -> str:
    """A post caption for one pillar (or a generic one when the post has no pillar)."""
    if pillar is None:
        return rng.choice(GENERIC_POSTS[lang])
    template = rng.choice(POST_TEMPLATES[lang][pillar])
    lang_names = FIRST_NAMES[lang]
    return template.format(
        n=rng.randint(20, 500),
        product=rng.choice(PRODUCTS.get(brand_id, DEFAULT_PRODUCTS)),
        name=rng.choice(lang_names),
        tag="#" + brand_id.replace("-", ""),
    )


def comment_text(
    rng: random.Random, lang: str, weights: dict[str, float] | None = None
) -> tuple[str, str]:
    """A fan comment and its sentiment (``weights``: a brand's own sentiment mix; same draws)."""
    weights = weights or SENTIMENT_WEIGHTS
    kinds = list(SENTIMENT_WEIGHTS)
    kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
    return rng.choice(COMMENTS[lang][kind]), kind


def crisis_text(rng: random.Random, lang: str, brand_id: str) -> str:
    """A clearly negative comment or mention of the crisis (a faulty product, no answer)."""
    product = rng.choice(PRODUCTS.get(brand_id, DEFAULT_PRODUCTS))
    return rng.choice(CRISIS_COMMENTS[lang]).format(product=product)


def follow_up(rng: random.Random, lang: str, first_name: str) -> str:
    """The brand's second reply in a thread it already answered."""
    return rng.choice(FOLLOW_UPS[lang]).format(first=first_name)


def brand_reply(rng: random.Random, lang: str, kind: str, first_name: str) -> str:
    """The brand's answer to a comment of sentiment ``kind``."""
    return rng.choice(BRAND_REPLIES[lang][kind]).format(first=first_name)
