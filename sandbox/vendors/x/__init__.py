"""The X API v2 vendor of the sandbox: brand timelines, mentions and conversation replies.

World tables (prefix ``x_``) are written by :mod:`.world`, served by :mod:`.api` under ``/x``
and summarised for tests by :mod:`.truth`. Contract: docs/sources/x.md.
"""

from __future__ import annotations

from sandbox.vendors.plugin import Plugin

from .api import XApi
from .truth import manifest as _manifest
from .world import generate as _generate

DDL = """
CREATE TABLE x_accounts (user_id VARCHAR, brand_id VARCHAR, username VARCHAR, name VARCHAR,
    created_at TIMESTAMP, followers_start BIGINT, daily_gain BIGINT, following_count BIGINT,
    listed_count BIGINT);
CREATE TABLE x_tweets (tweet_id VARCHAR, id_num BIGINT, account_id VARCHAR, author_id VARCHAR,
    author_username VARCHAR, author_name VARCHAR, kind VARCHAR, created_at TIMESTAMP,
    deleted_at TIMESTAMP, text VARCHAR, lang VARCHAR, conversation_id VARCHAR,
    in_reply_to_user_id VARCHAR, replied_to_id VARCHAR, mentions_brand BOOLEAN,
    hashtags VARCHAR[], link_url VARCHAR, tco_url VARCHAR, campaign VARCHAR, sentiment VARCHAR,
    is_partnership BOOLEAN, is_disclosed BOOLEAN, final_retweets BIGINT, final_likes BIGINT,
    final_quotes BIGINT, final_bookmarks BIGINT, final_impressions BIGINT, quoted_id VARCHAR,
    retweeted_id VARCHAR);
"""


VENDOR = Plugin(
    name="x",
    order=10,
    generate=_generate,
    manifest=_manifest,
    api=XApi,
    ddl=DDL,
    table_keys={"x_accounts": "user_id", "x_tweets": "tweet_id"},
)
