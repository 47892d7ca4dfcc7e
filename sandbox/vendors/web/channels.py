"""Traffic profiles of the visits world and GA4's default channel grouping.

A *profile* is everything two analytics tools say about where one visit came from: GA4's
session source / medium / campaign / content / term (with GA4's placeholder values) and
Matomo's referrer type / name / URL. Visits point at profiles by index, so the generator
builds string columns by fancy indexing instead of per-row Python.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlsplit


class Profile(NamedTuple):
    source: str
    medium: str
    campaign: str
    content: str
    term: str
    referrer_type: str  # Matomo: direct | search | website | social | campaign
    referrer_name: str
    referrer_url: str
    channel_group: str


NOT_SET = "(not set)"
SEARCH = {"google": "Google", "bing": "Bing", "duckduckgo": "DuckDuckGo", "qwant": "Qwant"}
SEARCH_WEIGHTS = [0.85, 0.07, 0.05, 0.03]
REFERRALS = ["lemonde.fr", "marmiton.org", "forum.velotaf.example", "fr.wikipedia.org"]
SOCIAL_REFERRERS = {  # referrer host -> Matomo social network name
    "m.facebook.com": "Facebook",
    "l.instagram.com": "Instagram",
    "lnkd.in": "LinkedIn",
    "t.co": "Twitter",
}
PLATFORM_REFERRER = {"facebook": "m.facebook.com", "instagram": "l.instagram.com"}

# Google's source categories, reduced to what the world can produce (plus common neighbours).
SOURCES_SEARCH = {"google", "bing", "duckduckgo", "qwant", "ecosia", "yahoo", "baidu"}
SOURCES_SOCIAL = {
    "facebook",
    "m.facebook.com",
    "l.facebook.com",
    "instagram",
    "l.instagram.com",
    "linkedin",
    "lnkd.in",
    "t.co",
    "twitter",
    "x.com",
    "x",
    "tiktok",
    "pinterest",
}
SOURCES_VIDEO = {"youtube", "m.youtube.com", "vimeo", "twitch"}
SOURCES_SHOPPING = {"shopping.google.com", "google shopping", "amazon"}
PAID = re.compile(r"^(.*cp.*|ppc|retargeting|paid.*)$")
SHOP = re.compile(r"^(.*(([^a-df-z]|^)shop|shopping).*)$")
SOCIAL_MEDIUMS = {
    "social",
    "social-network",
    "social-media",
    "sm",
    "social network",
    "social media",
}
EMAIL = {"email", "e-mail", "e_mail", "e mail"}


def channel_group(source: str, medium: str, campaign: str) -> str:
    """GA4's default channel group for manual traffic (first matching rule; case-insensitive)."""
    s, m, c = source.lower(), medium.lower(), campaign.lower()
    paid = bool(PAID.match(m))
    if s == "(direct)" and m in ("(not set)", "(none)"):
        return "Direct"
    if "cross-network" in c:
        return "Cross-network"
    if (s in SOURCES_SHOPPING or SHOP.match(c)) and paid:
        return "Paid Shopping"
    for sources, name in ((SOURCES_SEARCH, "Search"), (SOURCES_SOCIAL, "Social")):
        if s in sources and paid:
            return f"Paid {name}"
    if s in SOURCES_VIDEO and paid:
        return "Paid Video"
    if m in ("display", "banner", "expandable", "interstitial", "cpm"):
        return "Display"
    if paid:
        return "Paid Other"
    if s in SOURCES_SHOPPING or SHOP.match(c):
        return "Organic Shopping"
    if s in SOURCES_SOCIAL or m in SOCIAL_MEDIUMS:
        return "Organic Social"
    if s in SOURCES_VIDEO or "video" in m:
        return "Organic Video"
    if s in SOURCES_SEARCH or m == "organic":
        return "Organic Search"
    if m in ("referral", "app", "link"):
        return "Referral"
    if s in EMAIL or m in EMAIL:
        return "Email"
    if m == "affiliate":
        return "Affiliates"
    if m == "audio":
        return "Audio"
    if s == "sms" or m == "sms":
        return "SMS"
    if m.endswith("push") or "mobile" in m or "notification" in m or s == "firebase":
        return "Mobile Push Notifications"
    return "Unassigned"


def _profile(
    source: str,
    medium: str,
    campaign: str,
    referrer_type: str,
    referrer_name: str = "",
    referrer_url: str = "",
    content: str = NOT_SET,
    term: str = NOT_SET,
) -> Profile:
    group = channel_group(source, medium, campaign)
    return Profile(
        source, medium, campaign, content, term, referrer_type, referrer_name, referrer_url, group
    )


def organic(engine: str) -> Profile:
    return _profile(
        engine,
        "organic",
        "(organic)",
        "search",
        SEARCH[engine],
        f"https://www.{engine}.com/",
        term="(not provided)",
    )


def direct() -> Profile:
    return _profile("(direct)", "(none)", "(direct)", "direct")


def referral(host: str) -> Profile:
    """A link from another site; social hosts are Matomo ``social`` and GA4 Organic Social."""
    kind = "social" if host in SOCIAL_REFERRERS else "website"
    name = SOCIAL_REFERRERS.get(host, host)
    return _profile(host, "referral", "(referral)", kind, name, f"https://{host}/")


def tagged(source: str, medium: str, campaign: str, content: str = NOT_SET, term: str = NOT_SET):
    """A UTM-tagged visit: Matomo's ``campaign`` referrer, named after the campaign."""
    return _profile(source, medium, campaign, "campaign", campaign, "", content, term)


def from_link(url: str, platform: str) -> tuple[Profile, str]:
    """The profile of a click on a post link, and its landing path.

    GA4 and Matomo read lower-case ``utm_*`` names only: an upper-cased link falls back to the
    referrer (the platform's link shim), a missing utm_content is ``(not set)``, a typo'd
    medium is kept as typed.
    """
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    path = parts.path or "/"
    if "utm_source" not in params:
        return referral(PLATFORM_REFERRER.get(platform, "m.facebook.com")), path
    return (
        tagged(
            params["utm_source"],
            params.get("utm_medium", NOT_SET),
            params.get("utm_campaign", NOT_SET),
            params.get("utm_content", NOT_SET),
        ),
        path,
    )


LINK_REFERRERS = {  # where a click on a post link comes from (the platform's link shim)
    "facebook": "https://l.facebook.com/",
    "instagram": "https://l.instagram.com/",
    "linkedin": "https://www.linkedin.com/",
    "x": "https://t.co/",
    "youtube": "https://www.youtube.com/",
}
PAID_REFERRERS = {"google": "https://www.google.com/", "facebook": "https://m.facebook.com/"}
PAID_REFERRERS["instagram"] = "https://l.instagram.com/"


def utm_query(profile: Profile) -> str:
    """The UTM query string of a tagged email / paid landing URL ('' when untagged)."""
    if profile.referrer_type != "campaign":
        return ""
    pairs = [("utm_source", profile.source), ("utm_medium", profile.medium)]
    pairs.append(("utm_campaign", profile.campaign))
    if profile.term != NOT_SET:
        pairs.append(("utm_term", profile.term))
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in pairs)


def base_profile(kind: str, sub: int, campaign: str | None, sub_rng: int) -> Profile:
    """Base traffic; tagged visits carry the referrer Matomo records (none for email)."""
    if kind == "organic":
        return organic(list(SEARCH)[sub % len(SEARCH)])
    if kind == "direct":
        return direct()
    if kind == "referral":
        return referral(REFERRALS[sub % len(REFERRALS)])
    if kind == "social_ref":
        return referral(list(SOCIAL_REFERRERS)[sub % len(SOCIAL_REFERRERS)])
    if kind == "email":
        return tagged("newsletter", "email", campaign or "newsletter-hebdo")
    if kind == "paid_search":
        profile = tagged("google", "cpc", campaign or "marque", term="marque")
        return profile._replace(referrer_url=PAID_REFERRERS["google"])
    network = "facebook" if sub_rng % 2 == 0 else "instagram"
    profile = tagged(network, "paid_social", campaign or "always-on")
    return profile._replace(referrer_url=PAID_REFERRERS[network])
