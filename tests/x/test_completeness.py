"""``public_metrics.tweet_count``: the sandbox counts every visible post of the account (posts,
replies, quotes and reposts alike, as docs.x.com's user object says "including Retweets"), and
the source stores it.

Oracle: the world's manifest (``vendor_truth``: the post ids a complete load of the timeline
holds today).
"""

from __future__ import annotations

from pathlib import Path

import requests

from tests.sources.support import TODAY, Sandbox, load_source, query, vendor_truth, world_rows

TOKEN = {"Authorization": "Bearer sandbox-x-token"}


def test_tweet_count_counts_every_visible_post_of_the_account(
    sandbox: Sandbox, world: Path
) -> None:
    accounts = vendor_truth(world, "x", TODAY)["accounts"]
    for user_id, account in accounts.items():
        url = f"{sandbox.vendor('x')}/2/users/{user_id}"
        data = requests.get(
            url, params={"user.fields": "public_metrics"}, headers=TOKEN, timeout=30
        ).json()["data"]
        assert data["public_metrics"]["tweet_count"] == len(account["post_ids"]), user_id
    kinds = world_rows(
        world,
        "select count(distinct kind) from x_tweets where author_id in "
        f"({', '.join('?' * len(accounts))})",
        list(accounts),
    )[0][0]
    assert kinds > 1  # the count spans posts and replies, not only original posts


def test_the_source_stores_each_accounts_tweet_count(
    sandbox: Sandbox, world: Path, tmp_path: Path
) -> None:
    db = load_source("x", sandbox.url, tmp_path, "x_totals", resources=("accounts",))
    stored = {
        row[0]: row[1:]
        for row in query(
            db,
            "select account, entity, loaded_table, reported_total, cast(observed_at as date) "
            "from raw_x.reported_totals",
        )
    }
    accounts = vendor_truth(world, "x", TODAY)["accounts"]
    assert stored == {
        uid: ("public_metrics.tweet_count", "posts", len(a["post_ids"]), TODAY)
        for uid, a in accounts.items()
    }
