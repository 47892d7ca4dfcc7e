"""Suites on the raw Meta posts: the gate before dbt builds anything on them.

They are blocking in Dagster: a raw post without an id, with a duplicate id or with a
publication time in the future stops the run before the marts.
"""

from __future__ import annotations

from data_quality.spec import Suite, between, not_in_future, not_null, unique

FACEBOOK_POSTS = Suite(
    name="raw_meta_facebook_posts",
    relation="raw_meta.facebook_posts",
    description="Raw Facebook posts: keyed, owned by a page, published in the past.",
    blocking=True,
    key_columns=("post_id",),
    expectations=(
        *not_null("post_id", "page_id", "created_time", "fetched_at"),
        unique("post_id"),
        not_in_future("created_time"),
    ),
)

INSTAGRAM_MEDIA = Suite(
    name="raw_meta_instagram_media",
    relation="raw_meta.instagram_media",
    description="Raw Instagram media: keyed, owned by an account, published in the past.",
    blocking=True,
    key_columns=("media_id",),
    expectations=(
        *not_null("media_id", "ig_user_id", "timestamp", "fetched_at"),
        unique("media_id"),
        not_in_future("timestamp"),
    ),
)

FACEBOOK_POST_INSIGHTS = Suite(
    name="raw_meta_facebook_post_insights",
    relation="raw_meta.facebook_post_insights",
    description="Lifetime insight snapshots: one value per post, day and metric, never negative.",
    blocking=True,
    key_columns=("post_id", "snapshot_date", "metric"),
    expectations=(
        *not_null("post_id", "snapshot_date", "metric"),
        between("value", min_value=0),
    ),
)

SUITES = (FACEBOOK_POSTS, INSTAGRAM_MEDIA, FACEBOOK_POST_INSIGHTS)
