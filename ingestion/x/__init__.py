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

from ingestion import completeness
from ingestion.accounts import AccountLoop, declared
from ingestion.quarantine import Quarantine
from ingestion.tables import SCHEMA_CONTRACT, arrow_table
from pulse_config.registry import load_registry

from . import settings as s
from .context import XOptions, XRun


def arrow(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Rows -> Arrow table typed by settings.COLUMNS (dlt loads Arrow far faster than dicts)."""
    return arrow_table(s.COLUMNS[table], records)


def accounts(run: XRun, brand_id: str, user_id: str) -> Iterator[Any]:
    """Daily snapshot of each brand account (followers, following, tweet and list counts)."""
    yield run.account_snapshot(brand_id, user_id)
    page = run.user(user_id)
    data = page.body.get("data") if isinstance(page.body, dict) else None
    metrics = data.get("public_metrics") if isinstance(data, dict) else None
    yield from completeness.reported(  # every post ever, replies and reposts included
        user_id,
        "public_metrics.tweet_count",
        metrics.get("tweet_count") if isinstance(metrics, dict) else None,
        page.fetched_at,
        "posts",
        brand_id=brand_id,
        scope="all posts of the account; the timeline lists the 3,200 most recent",
    )


def posts(run: XRun, _brand: str, user_id: str) -> Iterator[Any]:
    """The brands' own tweets (posts and replies) since the cursor minus the window."""
    listing = run.timeline(user_id)
    yield from listing.bad
    yield from listing.rows


def post_metrics(run: XRun, _brand: str, user_id: str) -> Iterator[Any]:
    """Lifetime public_metrics of the brands' recent tweets, one snapshot per day."""
    yield from run.timeline(user_id).recent_snapshots()


def mentions(run: XRun, _brand: str, user_id: str) -> Iterator[Any]:
    """Tweets of other users mentioning a brand, since the last id seen (authors hashed)."""
    yield from run.mentions(user_id)


def replies(run: XRun, _brand: str, user_id: str) -> Iterator[Any]:
    """Replies in the conversations of recent brand posts (fans' and the brand's own)."""
    yield from run.replies(user_id)


@dlt.source(
    name=s.SOURCE_NAME, section=s.SOURCE_NAME, max_table_nesting=0, schema_contract=SCHEMA_CONTRACT
)
def x_source(
    bearer_token: str | None = dlt.secrets.value,
    pseudonymisation_key: str | None = dlt.secrets.value,
    base_url: str = s.DEFAULT_BASE_URL,
    metrics_window_days: int = s.METRICS_WINDOW_DAYS,
    conversation_window_days: int = s.CONVERSATION_WINDOW_DAYS,
    registry_path: str | None = None,
    _http: s.XHttp | None = None,
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
        registry_path: brand registry file (default ``PULSE_BRANDS`` or config/brands.yaml).
        _http: retry policy per request (429 waits for ``x-rate-limit-reset``, 5xx backs off),
            ``run_wait_budget_s`` (all waits of the run) and ``page_size``, the
            ``max_results`` (5-100): ``settings.XHttp``, set as ``sources.x.max_attempts`` etc.
            A 429 of the monthly post cap (``UsageCapExceeded``) fails at once.
    """
    http = _http or s.XHttp()
    options = XOptions(
        bearer_token=bearer_token,
        pseudonymisation_key=pseudonymisation_key,
        base_url=base_url,
        metrics_window_days=metrics_window_days,
        conversation_window_days=conversation_window_days,
        page_size=http.page_size_within(s.PAGE_SIZE, minimum=5),
        policy=http.policy(),
        run_wait_budget_s=http.run_wait_budget_s,
    )
    run = XRun(options, load_registry(registry_path))
    tables = {**declared(s.PRIMARY_KEYS, s.COLUMNS), **completeness.DECLARED}
    loop = AccountLoop(run.accounts(), Quarantine(s.SOURCE_NAME, s.REVIEWED_FIELDS), arrow, tables)
    functions = (accounts, posts, post_metrics, mentions, replies)
    return loop.resources(run, functions, {"accounts": (completeness.TABLE,)})
