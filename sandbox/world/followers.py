"""Ground truth of every social account's followers on every day of the world.

Each vendor emulation serves ``sandbox.world.store.followers_on`` of its own account rows (with
the vendor's own rounding or history limits); this module lists the true end-of-day count for
all six platforms, keyed the way the warehouse keys accounts, so tests can measure how close
each followers basis of the marts comes to the truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import duckdb

from sandbox.world.store import days_between, followers_on, rows, world_info

# platform -> (SQL of the world's accounts as account_id, wobble key, followers_start, daily_gain)
_ACCOUNTS = {
    "facebook": "SELECT account_id, account_id AS wobble_id, followers_start, daily_gain "
    "FROM accounts WHERE platform = 'facebook'",
    "instagram": "SELECT account_id, account_id AS wobble_id, followers_start, daily_gain "
    "FROM accounts WHERE platform = 'instagram'",
    # LinkedIn's wobble is keyed by the organization URN-like id (vendors/linkedin/stats.py).
    "linkedin": "SELECT organization_id AS account_id, "
    "'linkedin:' || organization_id AS wobble_id, "
    "followers_start, daily_gain FROM linkedin_organizations",
    "x": "SELECT user_id AS account_id, user_id AS wobble_id, followers_start, daily_gain "
    "FROM x_accounts",
    "youtube": "SELECT channel_id AS account_id, channel_id AS wobble_id, "
    "subscribers_start AS followers_start, daily_gain FROM yt_channels",
    "tiktok": "SELECT open_id AS account_id, open_id AS wobble_id, followers_start, daily_gain "
    "FROM tiktok_accounts",
}


def true_followers(
    cur: duckdb.DuckDBPyConnection, first: date, last: date
) -> Iterator[tuple[str, str, date, int]]:
    """(platform, account_id, day, followers at the end of the day) for each day of the range."""
    start = world_info(cur)["start_date"]
    for platform, sql in _ACCOUNTS.items():
        for acc in rows(cur, sql):
            account = {**acc, "account_id": acc["wobble_id"]}
            for day in days_between(first, last):
                yield platform, str(acc["account_id"]), day, followers_on(account, start, day)
