"""The SQL that collects every inbound text of every source, keyed like the marts.

``item_key`` = platform || ':' || the platform's id of the item (the contract of issue 10):

| platform | raw table | id |
| --- | --- | --- |
| facebook | raw_meta.facebook_comments | comment_id |
| instagram | raw_meta.instagram_comments | comment_id |
| linkedin | raw_linkedin.linkedin_comments | comment_urn |
| x | raw_x.mentions, raw_x.replies | tweet_id |
| youtube | raw_youtube.comments | comment_id |
| google_business | raw_google_business.reviews | review_id |
| trustpilot | raw_trustpilot.reviews | review_id |

The brand's own replies are left out (they are not inbound), and so are items without text
(a star-only Google review). TikTok's API gives no comments, so TikTok has no text here.
A table that does not exist yet (a source never loaded) is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextSource:
    """Where one platform's inbound texts live in the raw layer."""

    platform: str
    schema: str
    table: str
    item_id: str
    text: str
    from_brand: str | None


TEXT_SOURCES: tuple[TextSource, ...] = (
    TextSource(
        "facebook", "raw_meta", "facebook_comments", "comment_id", "message", "is_from_page"
    ),
    TextSource(
        "instagram", "raw_meta", "instagram_comments", "comment_id", "text", "is_from_owner"
    ),
    TextSource(
        "linkedin",
        "raw_linkedin",
        "linkedin_comments",
        "comment_urn",
        "message",
        "is_from_organization",
    ),
    TextSource("x", "raw_x", "mentions", "tweet_id", "text", "is_from_brand"),
    TextSource("x", "raw_x", "replies", "tweet_id", "text", "is_from_brand"),
    TextSource("youtube", "raw_youtube", "comments", "comment_id", "text", "is_from_channel"),
    TextSource("google_business", "raw_google_business", "reviews", "review_id", "comment", None),
    # A Trustpilot review's title is part of what the reviewer says ("À éviter").
    TextSource(
        "trustpilot",
        "raw_trustpilot",
        "reviews",
        "review_id",
        "case when nullif(trim(title), '') is null then text "
        "else title || '. ' || coalesce(text, '') end",
        None,
    ),
)


def _select(source: TextSource) -> str:
    brand = f"and not coalesce({source.from_brand}, false)" if source.from_brand else ""
    return (
        f"select '{source.platform}' || ':' || cast({source.item_id} as varchar) as item_key, "
        f"'{source.platform}' as platform, cast({source.text} as varchar) as text, "
        f"fetched_at from {source.schema}.{source.table} "
        f"where nullif(trim(cast({source.text} as varchar)), '') is not null {brand}"
    )


def texts_sql(existing_tables: set[tuple[str, str]]) -> str | None:
    """One row per item_key (latest fetch wins) with its text and an md5 of the text;
    None when no source table exists yet."""
    parts = [_select(s) for s in TEXT_SOURCES if (s.schema, s.table) in existing_tables]
    if not parts:
        return None
    unioned = "\nunion all\n".join(parts)
    return (
        "select item_key, platform, text, md5(text) as text_hash from (\n"
        f"{unioned}\n) as texts\n"
        "qualify row_number() over (partition by item_key order by fetched_at desc nulls last) = 1"
    )
