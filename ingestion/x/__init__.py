"""dlt source for the X API v2: brand accounts, their posts with public metrics, mentions and
the replies in the brands' conversations.

Loads the ``raw_x`` tables of docs/sources/x.md for every ``x`` account of the brand registry.
Targets https://api.x.com by default; point ``base_url`` (``SOURCES__X__BASE_URL``) at
``http://127.0.0.1:PORT/x`` for the sandbox. Building the source needs no secret: the bearer
token and the pseudonymisation key are checked when data is extracted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion.http import retry_policy
from ingestion.tables import SCHEMA_CONTRACT, arrow_table, merge_resource
from pulse_config.registry import load_registry

from . import settings as s
from .context import XOptions, XRun


def arrow(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Rows -> Arrow table typed by settings.COLUMNS (dlt loads Arrow far faster than dicts)."""
    return arrow_table(s.COLUMNS[table], records)


def _resource(fn: Any, name: str) -> DltResource:
    return merge_resource(fn, name, s.PRIMARY_KEYS[name], s.COLUMNS[name])


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def x_source(
    bearer_token: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    metrics_window_days: int = s.METRICS_WINDOW_DAYS,
    conversation_window_days: int = s.CONVERSATION_WINDOW_DAYS,
    page_size: int = s.PAGE_SIZE,
    max_attempts: int = s.MAX_ATTEMPTS,
    max_total_wait_s: float = s.MAX_TOTAL_WAIT_S,
    backoff_base_s: float = s.BACKOFF_BASE_S,
    backoff_max_s: float = s.BACKOFF_MAX_S,
    request_timeout_s: float = s.REQUEST_TIMEOUT_S,
    registry_path: str | None = None,
) -> Sequence[DltResource]:
    """X accounts of the brand registry, incrementally.

    Args:
        bearer_token: app Bearer token (secret ``sources.x.bearer_token``); checked at extract.
        pseudonymisation_key: HMAC key for user ids of other people (secret, or env
            ``PULSE_PSEUDONYMISATION_KEY``).
        base_url: API host, ``https://api.x.com``; ``http://127.0.0.1:PORT/x`` in the sandbox.
        metrics_window_days: posts younger than this get a public_metrics snapshot each run
            (every post on the first run).
        conversation_window_days: conversations of posts younger than this are searched for
            replies (search/recent reaches 7 days back; replies come within 2 days).
        page_size: ``max_results`` (X max 100).
        max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s:
            retry policy per request (429 waits for ``x-rate-limit-reset``, 5xx backs off).
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
    """
    options = XOptions(
        bearer_token=bearer_token,
        pseudonymisation_key=pseudonymisation_key,
        base_url=base_url,
        metrics_window_days=metrics_window_days,
        conversation_window_days=conversation_window_days,
        page_size=max(5, min(page_size, s.PAGE_SIZE)),
        policy=retry_policy(
            max_attempts, max_total_wait_s, backoff_base_s, backoff_max_s, request_timeout_s
        ),
    )
    run = XRun(options, load_registry(registry_path))

    def accounts() -> Iterator[Any]:
        """Daily snapshot of each brand account (followers, following, tweet and list counts)."""
        out = []
        for brand_id, user_id in run.accounts():
            item = run.account_snapshot(brand_id, user_id)
            if isinstance(item, dict):
                out.append(item)
            else:
                yield item
        if out:
            yield arrow("accounts", out)
        run.quarantine.summary("accounts")

    def posts() -> Iterator[Any]:
        """The brands' own tweets (posts and replies) since the cursor minus the window."""
        for _brand, user_id in run.accounts():
            listing = run.timeline(user_id)
            yield from listing.bad
            if listing.rows:
                yield arrow("posts", listing.rows)
        run.quarantine.summary("posts")

    def post_metrics() -> Iterator[Any]:
        """Lifetime public_metrics of the brands' recent tweets, one snapshot per day."""
        for _brand, user_id in run.accounts():
            snaps = run.timeline(user_id).recent_snapshots()
            if snaps:
                yield arrow("post_metrics", snaps)

    def mentions() -> Iterator[Any]:
        """Tweets of other users mentioning a brand, since the last id seen (authors hashed)."""
        for _brand, user_id in run.accounts():
            good, bad = run.mentions(user_id)
            yield from bad
            if good:
                yield arrow("mentions", good)
        run.quarantine.summary("mentions")

    def replies() -> Iterator[Any]:
        """Replies in the conversations of recent brand posts (fans' and the brand's own)."""
        for _brand, user_id in run.accounts():
            good, bad = run.replies(user_id)
            yield from bad
            if good:
                yield arrow("replies", good)
        run.quarantine.summary("replies")

    return [_resource(fn, fn.__name__) for fn in (accounts, posts, post_metrics, mentions, replies)]
