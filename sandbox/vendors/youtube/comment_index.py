"""The comments of the YouTube world in memory, for the first pages of ``commentThreads`` and
``comments``.

Clients ask one video's threads, then one thread's replies, per request: hundreds of small
pages. The world is read-only, so the comments are read once and a first page is a slice of the
index (``sandbox.world.index``) in the order of the query it replaces; pages after a
``pageToken`` are still queries.
"""

from __future__ import annotations

from typing import Any

from sandbox.world.index import Groups

from . import queries as q


class CommentIndex:
    """Every comment of the world by what ``commentThreads`` and ``comments`` filter on, in
    their page order (``sandbox.world.index``): top-level ones by video and by channel, replies
    by thread and by parent."""

    def __init__(self, con: Any) -> None:
        cur = con.cursor()
        try:
            found = q.rows(cur, "SELECT * FROM yt_comments")
        finally:
            cur.close()
        tops = [c for c in found if c["parent_id"] is None]
        replies = [c for c in found if c["parent_id"] is not None]
        self.tops = {
            column: Groups(tops, column, "published_at", "comment_id")
            for column in ("video_id", "channel_id")
        }
        self.replies = Groups(replies, "thread_id", "published_at", "comment_id")
        self.parents = Groups(replies, "parent_id", "published_at", "comment_id")
