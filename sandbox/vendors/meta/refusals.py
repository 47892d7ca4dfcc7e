"""What the Graph API refuses: permissions a token lacks, insights of pre-business IG media.

Permissions. A token is one of the valid tokens, optionally followed by ``-without-<permission>``
(repeatable): ``sandbox-meta-token-without-read_insights`` is a valid token that lacks
``read_insights``. Each request needs the permissions Meta's reference lists for its node, edge
and expanded fields; the first one missing gets Meta's permission error (codes 10 and 200-299,
"Permission is either not granted or has been removed",
developers.facebook.com/docs/graph-api/guides/error-handling). Meta names the permission in
some answers only, so the sandbox does too: the Page endpoints name ``pages_read_engagement``
as Meta does; the others answer with Meta's generic messages.

Media posted before the business conversion. An IG account's ``business_converted_at`` (world
table ``accounts``) is when it last became a business account; Meta refuses the insights of
media posted before it, also inside a multi-id lookup (the whole request fails), with code 100,
subcode 2108006 (body as observed in github.com/airbytehq/airbyte/issues/1814 and
github.com/keboola/ex-facebook-graph-api/issues/35). The media itself, its counts and its
comments stay readable.
"""

from __future__ import annotations

from typing import Any

from sandbox.vendors.meta.context import Ctx, MetaError
from sandbox.vendors.meta.fields import FieldSpec

WITHOUT = "-without-"
PERMISSIONS = frozenset(
    {
        "pages_read_engagement",
        "pages_read_user_content",
        "read_insights",
        "instagram_basic",
        "instagram_manage_comments",
        "instagram_manage_insights",
    }
)
# node kind -> (permission to read it, to read its insights, to read its comments), from the
# references: Page, Page Post, Page Insights, Page Post Comments (pages_read_user_content for
# user content); IG User, IG Media, IG Media Insights, IG Media Comments.
NEEDS = {
    "page": ("pages_read_engagement", "read_insights", "pages_read_user_content"),
    "post": ("pages_read_engagement", "read_insights", "pages_read_user_content"),
    "comment": ("pages_read_engagement", "read_insights", "pages_read_user_content"),
    "iguser": ("instagram_basic", "instagram_manage_insights", "instagram_manage_comments"),
    "media": ("instagram_basic", "instagram_manage_insights", "instagram_manage_comments"),
    "igcomment": ("instagram_basic", "instagram_manage_insights", "instagram_manage_comments"),
}
GENERIC = "(#10) Application does not have permission for this action"
DENIALS = {  # permission -> (HTTP status, code, message)
    # Observed: github.com/sns-sdks/python-facebook/issues/102, restfb/restfb/issues/1190.
    "pages_read_engagement": (
        400,
        10,
        "(#10) This endpoint requires the 'pages_read_engagement' permission or the 'Page "
        "Public Content Access' feature. Refer to https://developers.facebook.com/docs/apps/"
        "review/login-permissions#manage-pages and https://developers.facebook.com/docs/apps/"
        "review/feature#reference-PAGES_ACCESS for details.",
    ),
    # Observed on insights: github.com/arsduo/koala/issues/693 (HTTP 403, no permission named).
    "read_insights": (403, 200, "(#200) Permissions error"),
}
CONVERSION_BODY = {
    "error_data": {"blame_field_specs": [[""]]},
    "is_transient": False,
    "error_user_title": "Media posted before business account conversion",
    "error_user_msg": "The media was posted before the most recent time that the user's "
    "account was converted to a business account from a personal account.",
}


def token_permissions_missing(token: str, valid: frozenset[str] | set[str]) -> frozenset[str]:
    """The permissions a valid token lacks; an unknown token or permission raises code 190."""
    base, *missing = token.split(WITHOUT)
    if base not in valid or not set(missing) <= PERMISSIONS:
        raise MetaError(190, "Invalid OAuth access token - Cannot parse access token")
    return frozenset(missing)


def required(kind: str, edge: str, fields: list[FieldSpec]) -> list[str]:
    """The permissions a request on a node of ``kind`` (its ``edge``, if any) needs."""
    read, insights, comments = NEEDS[kind]
    needed = [read]
    if edge == "insights" or any(f.name == "insights" for f in fields):
        needed.append(insights)
    # The comments themselves (the edge, or its expansion with fields), not a summary count.
    listed = any(f.name in ("comments", "replies") and f.children is not None for f in fields)
    if edge in ("comments", "replies") or listed:
        needed.append(comments)
    return needed


def check_permissions(missing: frozenset[str], kinds: list[str], edge: str, fields: list) -> None:
    """Meta's permission error for the first permission the request needs and the token lacks."""
    if not missing:
        return
    for kind in kinds:
        for permission in required(kind, edge, fields):
            if permission in missing:
                status, code, message = DENIALS.get(permission, (400, 10, GENERIC))
                raise MetaError(code, message, status=status)


def check_business_media(ctx: Ctx, kind: str, row: dict[str, Any]) -> None:
    """Code 100 / subcode 2108006 for insights of IG media posted before the conversion."""
    if kind != "media":
        return
    converted = ctx.account(row["account_id"]).get("business_converted_at")
    if converted is not None and row["created_time"] < converted:
        raise MetaError(100, "Invalid parameter", subcode=2108006, extra=CONVERSION_BODY)
