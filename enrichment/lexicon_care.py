"""Community-care additions to the package lexicons: grammar words and the vocabulary of
customer service, in French and English.

Written from the community-management guide and general usage (orders, delivery, refunds,
support), not from the labelled sample's errors; valences use VADER's scale (-4 to 4).
The grammar lists (negators, boosters, contrast words) are what VADER's English rules need
to work on French too. Kept compact by hand (ruff's formatter would put one entry a line).
"""

from __future__ import annotations

from vaderSentiment.vaderSentiment import BOOSTER_DICT as ENGLISH_BOOSTERS
from vaderSentiment.vaderSentiment import NEGATE as ENGLISH_NEGATORS

B_INCR = 0.293
B_DECR = -0.293

# fmt: off
NEGATORS = frozenset(ENGLISH_NEGATORS) | {
    "no", "cant", "wont", "pas", "jamais", "rien", "aucun", "aucune", "sans", "ni", "ne", "n",
    "nullement", "aucunement", "guère", "personne", "non",
}
"""Words that invert the valence of a sentiment word up to three tokens after them."""

FRENCH_POST_NEGATORS = frozenset({"pas", "jamais", "plus", "rien", "guère"})
"""French negators that follow the verb they negate (``j'aime pas``, ``n'aime plus``)."""

BOOSTERS: dict[str, float] = {
    **ENGLISH_BOOSTERS,
    **dict.fromkeys((
        "très", "trop", "vraiment", "tellement", "super", "hyper", "ultra", "extrêmement",
        "absolument", "complètement", "totalement", "carrément", "franchement", "vachement",
        "grave", "tout", "particulièrement", "incroyablement", "si", "beaucoup", "énormément",
        "vivement", "hautement", "sacrément", "tres", "vraiement", "way", "super-",
    ), B_INCR),
    **dict.fromkeys((
        "peu", "assez", "plutôt", "légèrement", "presque", "moyennement", "un-peu", "quasi",
        "quasiment", "pas-très", "bit", "somewhat", "fairly", "pretty-much",
    ), B_DECR),
}
"""Intensifiers and dampeners: VADER's English ones plus their French counterparts."""

CONTRAST_WORDS = frozenset({
    "but", "however", "though", "yet", "mais", "cependant", "pourtant", "toutefois",
    "néanmoins", "par-contre", "sauf-que", "en-revanche", "sinon",
})
"""After one of these the sentence's weight shifts (VADER's 'but' rule: 0.5 before, 1.5 after)."""

CONCESSIVE_WORDS = frozenset({
    "despite", "malgré", "although", "albeit", "even-though", "bien-que", "même-si", "en-dépit",
})
"""The clause after one of these is conceded, not asserted: its weight is halved."""

PHRASES: dict[str, float] = {
    # French idioms whose words mislead a word-by-word reading.
    "pas mal": 1.5, "pas terrible": -1.6, "pas top": -1.5, "pas génial": -1.5,
    "pas fou": -1.0, "pas ouf": -1.2, "pas folichon": -1.2, "pas au top": -1.5,
    "pas à la hauteur": -1.8, "pas de souci": 0.8, "pas de soucis": 0.8,
    "pas de problème": 0.8, "sans souci": 1.0, "sans problème": 1.0, "rien à redire": 2.0,
    "rien à dire": 1.2, "au top": 2.2, "au rendez-vous": 1.5, "à la hauteur": 1.6,
    "merci pour rien": -2.2, "merci du cadeau": -1.5, "c'est une blague": -1.8,
    "quelle blague": -1.8, "foutage de gueule": -3.0, "se fout de": -2.5,
    "prendre pour des cons": -3.0, "bonjour la": -1.5, "on attend toujours": -1.8,
    "j'attends toujours": -1.8, "toujours pas": -1.5, "toujours rien": -1.8,
    "toujours aucune": -1.8, "jamais reçu": -2.2, "jamais arrivé": -2.2, "ne répond": -1.5,
    "personne ne répond": -2.0, "aucune réponse": -1.8, "sans réponse": -1.8,
    "sans nouvelles": -1.5, "service client": 0.0, "je recommande": 2.0,
    "je ne recommande pas": -2.0, "à éviter": -2.5, "à fuir": -3.0, "coup de cœur": 2.5,
    "coup de coeur": 2.5, "rapport qualité-prix": 0.0, "ça change": 0.5,
    # English idioms.
    "thanks for nothing": -2.2, "so much for": -1.5, "yeah right": -2.0, "oh sure": -1.2,
    "not worth it": -2.0, "not worth": -1.8, "still waiting": -1.8, "still no": -1.5,
    "still not": -1.5, "still haven't": -1.8, "never received": -2.2, "never arrived": -2.2,
    "no answer": -1.8, "no reply": -1.8, "no response": -1.8, "nobody answers": -2.0,
    "nobody picks up": -2.0, "works like a charm": 2.5, "hands down": 1.0,
    "let down": -2.0, "rip off": -2.8, "waste of money": -2.8, "lives up to": 1.6,
    "live up to": 1.6, "lived up to": 1.6, "waste of time": -2.5, "customer service": 0.0,
    "highly recommend": 2.5, "shout out": 1.5, "can't wait": 2.0, "cannot wait": 2.0,
    "hâte de": 2.0, "j'ai hâte": 2.0, "too bad": -1.5, "no issues": 1.2, "no problem": 0.8,
}
"""Multi-word expressions, matched before single words; one holding a negator is not negated
again (``pas terrible`` stays negative in ``vraiment pas terrible``)."""

CARE_LEXICON: dict[str, float] = {
    # French: orders, delivery, support, product quality.
    "retard": -1.6, "retards": -1.6, "retardée": -1.6, "retardé": -1.6, "lent": -1.2,
    "lente": -1.2, "lenteur": -1.4, "rapide": 1.4, "rapidement": 1.0, "rapidité": 1.5,
    "efficace": 1.8, "efficacité": 1.6, "réactif": 1.8, "réactive": 1.8, "réactivité": 1.8,
    "injoignable": -2.0, "remboursement": -0.6, "remboursez": -1.5, "rembourser": -0.6,
    "abîmé": -2.0, "abîmée": -2.0, "abimé": -2.0, "abimée": -2.0, "endommagé": -2.0,
    "endommagée": -2.0, "cassé": -2.0, "cassée": -2.0, "défectueux": -2.2,
    "défectueuse": -2.2, "perdu": -1.5, "perdue": -1.5, "rupture": -0.8, "annulée": -1.2,
    "annulé": -1.2, "bug": -1.5, "bugue": -1.5, "plante": -0.8, "lassant": -1.6,
    "inadmissible": -2.6, "honteux": -2.5, "honte": -2.3, "scandale": -2.5,
    "scandaleux": -2.6, "arnaque": -3.0, "arnaqué": -3.0, "escroquerie": -3.2,
    "catastrophique": -3.0, "catastrophe": -2.8, "nul": -2.2, "nulle": -2.2, "nuls": -2.2,
    "bof": -1.0, "moyen": -0.4, "décevant": -2.0, "décevante": -2.0, "déception": -2.2,
    "déçu": -2.0, "déçue": -2.0, "déçus": -2.0, "dommage": -1.2, "cher": -0.8,
    "chère": -0.6, "chers": -0.8, "inutilisable": -2.4, "impossible": -1.0,
    "top": 2.0, "nickel": 2.2, "parfait": 2.8, "parfaite": 2.8, "impeccable": 2.6,
    "génial": 2.8, "géniale": 2.8, "super": 2.4, "excellent": 3.0, "excellente": 3.0,
    "magnifique": 3.0, "superbe": 2.8, "sublime": 3.0, "adore": 2.8, "adoré": 2.8,
    "j'adore": 3.0, "kiffe": 2.4, "ravi": 2.6, "ravie": 2.6, "content": 2.0, "contente": 2.0,
    "satisfait": 2.0, "satisfaite": 2.0, "merci": 1.5, "bravo": 2.4, "félicitations": 2.6,
    "recommande": 2.2, "conseille": 1.0, "soigné": 1.6, "soignée": 1.6, "pro": 1.4,
    "professionnel": 1.8, "sympa": 1.8, "aimable": 1.8, "adorable": 2.4, "merveille": 3.0,
    "fan": 1.8, "top-qualité": 2.5, "beau": 2.2, "belle": 2.2, "beaux": 2.2,
    "belles": 2.2, "bon": 1.6, "bonne": 1.6, "bien": 1.2, "correct": 0.3, "correcte": 0.3,
    "conforme": 0.4, "fonctionne": 0.3, "marche": 0.0, "pire": -2.8, "meilleur": 2.6,
    "meilleure": 2.6, "meilleurs": 2.6, "aime": 2.0, "aimé": 2.0, "valide": 1.2,
    "inquiéter": -1.2, "inquiète": -1.2, "inquiet": -1.2, "prévenir": 0.0,
    # English additions for the same domain.
    "delayed": -1.6, "late": -1.0, "slow": -1.2, "fast": 1.2, "quick": 1.2, "damaged": -2.0,
    "broken": -2.0, "refund": -0.6, "unreachable": -2.0, "crashes": -1.8, "crash": -1.6,
    "pricey": -0.8, "expensive": -0.8, "tiresome": -1.6, "nightmare": -2.8, "scam": -3.0,
    "flawless": 3.0, "obsessed": 2.2, "gem": 2.6, "stunning": 3.0, "gorgeous": 3.0,
    "professional": 1.8, "lovely": 2.6, "friendly": 2.2, "worst": -3.1, "awful": -2.8,
    "average": -0.3, "meh": -1.0, "wrong": -1.4, "cancelled": -1.2, "canceled": -1.2,
    "unacceptable": -2.6, "worry": -1.2, "issue": -1.0, "issues": -1.0, "letdown": -2.0,
    "rip-off": -2.8, "shoutout": 1.5, "go-to": 1.5,
    # Aspect and object nouns: what an opinion is about, not an opinion (the package
    # lexicons give some of them a valence: "cadeau", "qualité", "gift").
    **dict.fromkeys((
        "qualité", "service", "prix", "livraison", "produit", "produits", "commande", "colis",
        "cadeau", "cadeaux", "équipe", "boutique", "magasin", "article", "offre", "promo",
        "quality", "price", "delivery", "product", "products", "order", "parcel", "package",
        "gift", "gifts", "team", "shop", "store", "item", "offer", "deal",
    ), 0.0),
}
"""Domain valences that override the package lexicons (``cher`` is *expensive* in a review,
not *dear*; ``top`` and ``nickel`` are praise in French; delivery words are complaints)."""

EMOJI_SUPPLEMENT: dict[str, float] = {
    "🥰": 0.8, "🤩": 0.75, "🥳": 0.7, "🫶": 0.75, "🤗": 0.6, "🙌": 0.6, "🔥": 0.5,
    "💯": 0.5, "✨": 0.4, "🙏": 0.45, "🙄": -0.6, "🤬": -0.85, "🤮": -0.8, "🤢": -0.6,
    "😤": -0.5, "😡": -0.75, "😠": -0.65, "🥲": -0.1, "🤡": -0.5, "👎": -0.6, "🤔": 0.0,
}
"""Emojis missing from the 2015 ranking or whose 2015 use (🔥 ✨ 🙏) predates their current
meaning in brand comments; in the ranking's [-1, 1] scale."""

SPAM_MARKERS = (
    r"https?://", r"\bwww\.", r"\blink in (my )?bio\b", r"\blien dans (ma )?bio\b",
    r"\bf4f\b", r"\bfollow ?4 ?follow\b", r"\bfollow me\b", r"\bsuivez[- ]moi\b",
    r"\bdm me\b", r"\bcheck (out )?my\b", r"\bgagnez\b", r"\bwin a free\b",
    r"\bearn money\b", r"\bgagner de l'argent\b", r"\bcliquez ici\b", r"\bclick here\b",
    r"\bcrypto\b", r"\bbitcoin\b", r"\bfollowers\b",
)
"""Promotional patterns: a text that matches one is spam and carries no opinion of the brand."""

FALSE_FRIENDS = frozenset({"pain", "sale", "cher", "content", "rate", "four", "plus", "but"})
"""Words whose meaning differs between French and English: never read in the other language."""
# fmt: on
