"""What Matomo's tracker records about where a visit came from, given its landing URL.

The world stores the truth of a visit (its link, its referrer); Matomo records its own reading
of it when the visit starts, and the Live API serves that reading. Emulated here, per site:

- stock Matomo (core ``plugins/Referrers/Columns/Base.php``, ``detectReferrerCampaign`` and
  ``detectCampaignFromString``, matomo-org/matomo 5.x): the campaign *name* is the first
  non-empty parameter of ``[Tracker] campaign_var_name`` (default
  ``pk_cpn,pk_campaign,piwik_campaign,mtm_campaign,matomo_campaign,utm_campaign,utm_source,
  utm_medium``: without ``utm_campaign`` the source names the campaign), the *keyword* the
  first of ``campaign_keyword_var_name`` (``...,utm_term``), else the referrer's host; both
  trimmed, URL-decoded and **lower-cased** (``mb_strtolower``). Parameter names are looked up
  as PHP array keys (``UrlHelper::getParameterFromQueryString``): **case-sensitive**, so
  ``UTM_SOURCE`` is no campaign and the visit falls back to its referrer (website / social /
  search / direct). There are no ``campaignSource`` / ``campaignMedium`` fields;
- with the MarketingCampaignsReporting plugin (matomo-org/plugin-MarketingCampaignsReporting,
  ``Campaign/CampaignDetector.php``, ``MarketingCampaignsReporting.php``,
  ``VisitorDetails.php``, ``Tracker/RequestProcessor.php``): ``campaignName`` / ``Source`` /
  ``Medium`` / ``Content`` / ``Keyword`` / ``Id`` / ``Group`` / ``Placement`` from their own
  parameter lists (``mtm_*``, ``pk_*``, ``utm_*``; case-sensitive names), values lower-cased
  except ``mtm_clid``, cut at 250 characters; every visit of the site carries the eight fields,
  ``''`` when not set; any of them set makes ``referrerType`` ``campaign`` and the plugin's
  name / keyword (when set) replace ``referrerName`` / ``referrerKeyword``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

# core: config/global.ini.php [Tracker] campaign_var_name / campaign_keyword_var_name
CORE_NAME_PARAMS = (
    "pk_cpn",
    "pk_campaign",
    "piwik_campaign",
    "mtm_campaign",
    "matomo_campaign",
    "utm_campaign",
    "utm_source",
    "utm_medium",
)
CORE_KEYWORD_PARAMS = ("pk_kwd", "pk_keyword", "piwik_kwd", "mtm_kwd", "mtm_keyword")
CORE_KEYWORD_PARAMS += ("matomo_kwd", "utm_term")
# plugin: MarketingCampaignsReporting::$CAMPAIGN_*_FIELD_DEFAULT_URL_PARAMS
PLUGIN_PARAMS = {
    "campaignName": (
        "mtm_campaign",
        "matomo_campaign",
        "mtm_cpn",
        "pk_campaign",
        "piwik_campaign",
        "pk_cpn",
        "utm_campaign",
    ),
    "campaignKeyword": ("mtm_keyword", "matomo_kwd", "mtm_kwd", "pk_keyword", "piwik_kwd")
    + ("pk_kwd", "utm_term"),
    "campaignSource": ("mtm_source", "pk_source", "utm_source"),
    "campaignMedium": ("mtm_medium", "pk_medium", "utm_medium"),
    "campaignContent": ("mtm_content", "pk_content", "utm_content"),
    "campaignId": ("mtm_cid", "pk_cid", "utm_id", "mtm_clid"),
    "campaignGroup": ("mtm_group", "pk_group"),
    "campaignPlacement": ("mtm_placement", "pk_placement"),
}


def query_params(query: str) -> dict[str, str]:
    """Name -> raw value, names as sent (case-sensitive), the first occurrence winning."""
    out: dict[str, str] = {}
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name and name not in out:
            out[name] = value
    return out


def _first(params: dict[str, str], names: tuple[str, ...]) -> str:
    """The first non-empty parameter, decoded, trimmed, lower-cased (but a ``mtm_clid``)."""
    for name in names:
        raw = params.get(name)
        if not raw:  # absent or empty: nothing to decode (most names, most visits)
            continue
        value = unquote(raw.replace("+", " ")).strip()
        if value:
            return value if name == "mtm_clid" else value.lower()
    return ""


def referrer(
    query: str, referrer_url: str, plugin: bool, fallback: dict[str, Any]
) -> dict[str, Any]:
    """``referrerType/Name/Keyword/Url`` (+ the plugin's ``campaign*``) of one visit.

    ``fallback`` holds what Matomo records when the landing URL names no campaign (the
    world's referrer reading: search / website / social / direct).
    """
    params = query_params(query)
    host = (urlsplit(referrer_url).hostname or "").lower() if referrer_url else ""
    out = dict(fallback)
    name = _first(params, CORE_NAME_PARAMS)
    if name:
        keyword = _first(params, CORE_KEYWORD_PARAMS) or host
        out.update(referrerType="campaign", referrerName=name, referrerKeyword=keyword)
    if plugin:
        fields = {key: _first(params, names)[:250] for key, names in PLUGIN_PARAMS.items()}
        if any(fields.values()):
            out["referrerType"] = "campaign"
            out["referrerName"] = fields["campaignName"] or out.get("referrerName", "")
            if fields["campaignKeyword"]:
                out["referrerKeyword"] = fields["campaignKeyword"]
        out.update(fields)
    out["referrerUrl"] = referrer_url or None
    return out
