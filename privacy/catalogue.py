"""Where personal data lives: the one statement retention and erasure read.

Raw side, per table a source loads (``raw_<source>``, and dlt's ``raw_<source>_staging`` copy of
the last merge load, same columns): which columns hold a person's pseudonym (the keyed HMAC of
``ingestion.privacy``), which hold free text in clear, which timestamp dates the row, and the key
the dbt models give the row downstream (``item_key`` 'facebook:<comment_id>', ``session_key``
'<site_id>-<visit_id>', ...). Tables whose text-like columns are the brand's own (its posts, its
account names) are listed in ``BRAND_TABLES`` with the reason. Every source's ``quarantine``
table holds rejected payloads (pseudonymised, but with text): ``QUARANTINE``.

Derived side (dbt's staging views, intermediate, marts and restricted tables, the enrichment
table, the published copy of marts): a person is found by the column names the models carry
their pseudonym under (``DERIVED_PERSON_COLUMNS``: the raw names plus the names staging gives
them) and by the row keys above (``LINK_COLUMNS``). Which derived tables exist is read from the
warehouse at run time (``information_schema``), and ``tests/privacy/test_catalogue.py`` checks
the dbt manifest against these names, so a new derived person column fails a test.

Platforms (``PLATFORMS``): how a platform's user id becomes the pseudonym its source stores:
which source (and so which key), and the exact input the source hashes (LinkedIn hashes the
actor URN, Google Business Profile the reviewer's display name: its API gives no reviewer id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ingestion.privacy import WEB_IDENTITY_PURPOSE


@dataclass(frozen=True)
class RawTable:
    """One raw table holding people's data. ``retention``: "null" keeps the row (its counts,
    ratings and dates feed the marts) and blanks the personal columns; "delete" drops it.
    ``not_personal``: columns named like personal data that are not (the brand's own ids and
    texts, a type). ``authored_by``: the person columns that make a row the person's own
    (erasure deletes it); a person found only in the others (a reply *to* them) is blanked
    there, with the row's text. Default: every person column. ``name_columns``: the person
    columns holding a hashed display name or username, which namesakes share: erasure matches
    them only in rows without an id (an Instagram comment may come with a username only).
    ``refers_to``: SQL of the key (``key_sql`` format) of the person's row this row links to
    (a deal's association to a contact): erasure deletes the link with the person's row.
    ``expands``: id columns of the person's row that are the same person's pseudonyms too (a
    contact's e-mail, phone and web key): erasure adds them to the ids it looks for."""

    source: str
    table: str
    dated_by: str
    person_columns: tuple[str, ...]
    text_columns: tuple[str, ...] = ()
    key_sql: str | None = None
    retention: str = "null"
    not_personal: tuple[str, ...] = field(default=())
    authored_by: tuple[str, ...] | None = None
    name_columns: tuple[str, ...] = ()
    refers_to: str | None = None
    expands: tuple[str, ...] = ()

    @property
    def author_columns(self) -> tuple[str, ...]:
        return self.person_columns if self.authored_by is None else self.authored_by

    @property
    def personal_columns(self) -> tuple[str, ...]:
        return self.person_columns + self.text_columns


def _comments(
    source: str,
    table: str,
    dated_by: str,
    people: tuple[str, ...],
    text: str,
    key_sql: str,
    not_personal: tuple[str, ...] = (),
) -> RawTable:
    """A comments table: people columns (those ending ``name_hash`` hold a hashed display
    name or username), one text column."""
    return RawTable(
        source,
        table,
        dated_by,
        people,
        (text,),
        key_sql,
        not_personal=not_personal,
        name_columns=tuple(c for c in people if c.endswith("name_hash")),
    )


RAW_TABLES: tuple[RawTable, ...] = (
    _comments(
        "meta",
        "facebook_comments",
        "created_time",
        ("author_id_hash", "author_name_hash"),
        "message",
        "'facebook:' || comment_id",
    ),
    _comments(
        "meta",
        "instagram_comments",
        "timestamp",
        ("author_id_hash", "author_username_hash"),
        "text",
        "'instagram:' || comment_id",
        not_personal=("ig_user_id",),  # the brand's account
    ),
    _comments(
        "linkedin",
        "linkedin_comments",
        "created_at",
        ("author_urn_hash", "agent_urn_hash"),
        "message",
        "'linkedin:' || comment_urn",
        not_personal=("author_type",),  # person or organization
    ),
    _comments(
        "youtube",
        "comments",
        "published_at",
        ("author_channel_id_hash", "author_display_name_hash"),
        "text",
        "'youtube:' || comment_id",
    ),
    # X: a brand account's id stays in clear (ingestion/x/rows.py), anyone else's is hashed;
    # user_id is the brand account whose timeline or mentions the row came from.
    RawTable(
        "x",
        "mentions",
        "created_at",
        ("author_id", "in_reply_to_user_id"),
        ("text",),
        "'x:' || tweet_id",
        not_personal=("user_id",),
        authored_by=("author_id",),
    ),
    RawTable(
        "x",
        "replies",
        "created_at",
        ("author_id", "in_reply_to_user_id"),
        ("text",),
        "'x:' || tweet_id",
        not_personal=("user_id",),
        authored_by=("author_id",),
    ),
    # The brand's own tweets: its text is the brand's, the replied-to user may be a person.
    RawTable(
        "x",
        "posts",
        "created_at",
        ("in_reply_to_user_id",),
        (),
        "'x:' || tweet_id",
        not_personal=("user_id", "author_id", "text", "hashtags", "urls"),
        authored_by=(),
    ),
    RawTable(
        "google_business",
        "reviews",
        "create_time",
        ("reviewer_name_hash",),
        ("comment", "comment_translation", "reply_comment"),
        "'google_business:' || review_id",
        not_personal=("review_name", "location_name"),
    ),
    RawTable(
        "trustpilot",
        "reviews",
        "created_at",
        ("consumer_id_hash", "consumer_name_hash", "reply_author_hash"),
        ("title", "text", "reply_text"),
        "'trustpilot:' || review_id",
        authored_by=("consumer_id_hash", "consumer_name_hash"),  # replies: the brand's staff
        name_columns=("consumer_name_hash",),
    ),
    RawTable(
        "matomo",
        "visits",
        "first_action_at",
        ("visitor_id_hash", "user_id_hash"),
        ("referrer_url", "referrer_keyword"),  # a search or a referring page can name someone
        "site_id || '-' || cast(visit_id as varchar)",
        # the brand's campaigns and landing pages, referring sites, a visitor type
        not_personal=(
            "referrer_name",
            "campaign_name",
            "campaign_keyword",
            "entry_url",
            "visitor_type",
        ),
    ),
    RawTable(
        "matomo",
        "conversions",
        "converted_at",
        ("visitor_id_hash",),
        (),
        "site_id || '-' || conversion_id",
        not_personal=("goal_name",),
    ),
    # HubSpot contacts are people: name, e-mail, phone, the site's user id (keyed hashes); the
    # first page URL may carry what a form put in its query string. Deals come without a name.
    # Names (first and last apart) are shared by namesakes: matched only without an id.
    RawTable(
        "hubspot",
        "contacts",
        "created_at",
        ("firstname_hash", "lastname_hash", "email_hash", "phone_hash", "web_user_key"),
        ("first_url",),
        "portal_id || ':' || contact_id",
        name_columns=("firstname_hash", "lastname_hash"),
        expands=("email_hash", "phone_hash", "web_user_key"),
    ),
    # A deal's link to its contact: no person column, but erased with the contact (the deal
    # itself stays: its amount is the brand's revenue, docs/privacy.md). key_sql: the deal's
    # key in fct_crm_deals and mart_deal_attribution, whose rows of the deal go until the next
    # dbt build brings the deal back without its contact.
    RawTable(
        "hubspot",
        "deal_contacts",
        "fetched_at",
        (),
        (),
        "portal_id || '-' || deal_id",
        refers_to="portal_id || ':' || contact_id",
    ),
)

QUARANTINE = RawTable(
    "*", "quarantine", "quarantined_at", (), ("payload", "reason"), retention="delete"
)
"""Every source's rejected records: the payload is pseudonymised but keeps the text; a
pseudonym is found in it with ``like``. Retention deletes old rows (they feed no count)."""

BRAND_TABLES: dict[tuple[str, str], str] = {
    ("meta", "facebook_pages"): "the brand's Page: its name and username",
    ("meta", "instagram_accounts"): "the brand's account: its name and username",
    ("meta", "facebook_posts"): "the brand's posts: text the brand wrote",
    ("meta", "instagram_media"): "the brand's media: its caption and username",
    ("meta", "instagram_follower_gains"): "the brand's account's follower series",
    ("meta", "instagram_media_insights"): "metrics of the brand's media",
    ("linkedin", "linkedin_organizations"): "the brand's organization and vanity names",
    ("linkedin", "linkedin_posts"): "the brand's posts: author is the organization",
    ("x", "accounts"): "the brand's X accounts",
    ("x", "post_metrics"): "metrics of the brand's tweets, user_id the brand's",
    ("youtube", "channels"): "the brand's channels",
    ("youtube", "videos"): "the brand's videos: title, description, caption flag",
    ("youtube", "comments_disabled"): "Google's error message for a video, no person",
    ("tiktok", "tiktok_accounts"): "the brand's account: display name",
    ("tiktok", "tiktok_videos"): "the brand's videos: title and description",
    ("trustpilot", "business_units"): "the brand's business unit: display name",
    ("ga4", "traffic_daily"): "aggregate traffic by campaign: no visitor",
    ("google_business", "location_review_stats"): "the brand's locations: aggregate ratings",
    ("brevo", "campaigns"): "the brand's e-mail campaigns: name and subject it wrote, no list",
    ("brevo", "campaign_links"): "links of the brand's campaigns: its pages and UTMs",
    ("brevo", "link_stats"): "aggregate clicks per campaign link: no recipient",
    ("search_console", "page_daily"): "aggregate search figures per page of the brand's site",
    ("search_console", "search_analytics"): (
        "aggregate search figures per page and query; Google withholds rare (anonymized) "
        "queries, docs/sources/search_console.md"
    ),
}

# Names the dbt models carry a pseudonym under, beyond the raw names (staging renames).
_STAGED_PERSON_NAMES = (
    "author_key",  # comments, mentions, reviews (intermediate and marts)
    "consumer_key",  # stg_trustpilot__reviews
    "in_reply_to_user_key",  # stg_x__mentions / replies / posts
    "visitor_key",  # Matomo visitors (stg_matomo__*, fct_sessions, fct_conversions)
    "cookie_visitor_key",  # int_web_visitor_stitching, fct_sessions
    "user_key",  # Matomo user id (stg_matomo__visits, fct_sessions)
    "stitched_user_key",  # int_web_visitor_stitching
)
DERIVED_PERSON_COLUMNS: frozenset[str] = frozenset(
    [c for t in RAW_TABLES for c in t.person_columns if c != "author_id"]
    + list(_STAGED_PERSON_NAMES)
)
"""A derived column with one of these names holds a pseudonym (X's raw ``author_id`` is left
out: downstream it is ``author_key``, and ``author_id`` alone names a brand's id elsewhere)."""

DERIVED_TEXT_COLUMNS: frozenset[str] = frozenset({"item_text"})
"""Free text of people in derived tables (restricted.rst_inbound_texts)."""

LINK_COLUMNS: tuple[str, ...] = (
    "item_key",
    "review_key",
    "message_key",
    "session_key",
    "conversion_key",
    "contact_key",  # '<portal_id>:<contact_id>' of a HubSpot contact (fct_crm_deals)
    "deal_key",  # '<portal_id>-<deal_id>': a deal whose link to an erased contact went
)
"""Derived row keys built from a raw row's ``key_sql`` (same format): what ties a derived
row without a pseudonym (a text, a category, a sentiment score) to the person's raw row."""

DERIVED_SCHEMAS: tuple[str, ...] = ("intermediate", "marts", "restricted", "enrichment")
"""Schemas holding derived tables (dbt's ``staging`` is views: it stores nothing)."""


@dataclass(frozen=True)
class Platform:
    """How a platform's user id becomes its source's pseudonym: ``source`` (whose raw tables
    hold it and whose secret holds the master key), ``hashed_input`` (the exact value the
    source hashes) and ``purpose`` (the key's purpose: the source's own unless it is a shared
    one, ingestion.privacy.WEB_IDENTITY_PURPOSE for the site's user id). ``also``: the other
    sources holding the same person under the shared purpose (the web identity join), erased
    in the same run, after ``source``."""

    name: str
    source: str
    hashed_input: Callable[[str], str | tuple[str, ...]] = str
    purpose: str = ""
    also: tuple[str, ...] = ()

    @property
    def key_purpose(self) -> str:
        return self.purpose or self.source

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source, *self.also)


def _linkedin_urn(user_id: str) -> str:
    """LinkedIn hashes the comment's ``actor`` URN (ingestion/linkedin/rows.py)."""
    return user_id if user_id.startswith("urn:li:") else f"urn:li:person:{user_id}"


def _email(address: str) -> tuple[str, str]:
    """HubSpot's ``email`` property, hashed as HubSpot returns it (ingestion/hubspot/rows.py):
    the address as given and in lower case (forms and imports may keep the case a person typed,
    or not), both exact forms of the one address, so no one else's row can match."""
    return address.strip(), address.strip().lower()


PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform("facebook", "meta"),
        Platform("instagram", "meta"),
        Platform("linkedin", "linkedin", _linkedin_urn),
        Platform("youtube", "youtube"),  # the author's channel id
        Platform("x", "x"),
        # The Business Profile API gives a reviewer's displayName, no id: that is the "id".
        Platform("google_business", "google_business"),
        Platform("trustpilot", "trustpilot"),  # consumer id
        Platform("matomo", "matomo"),  # visitorId (the cookie)
        # The site's login id: Matomo's userId and HubSpot's web_user_id, one shared purpose.
        Platform("site_user", "matomo", purpose=WEB_IDENTITY_PURPOSE, also=("hubspot",)),
        # A HubSpot contact by e-mail; its web key (found on its row) erases its visits too.
        Platform("hubspot", "hubspot", _email, also=("matomo",)),
    )
}


def raw_tables_of(source: str) -> tuple[RawTable, ...]:
    return tuple(t for t in RAW_TABLES if t.source == source)


def datasets_of(source: str) -> tuple[str, ...]:
    """The raw dataset and dlt's staging dataset of the last merge load."""
    return (f"raw_{source}", f"raw_{source}_staging")
