"""The comments of the LinkedIn world in memory, for ``GET /rest/socialActions/{urn}/comments``.

Clients ask one post's comments, then one comment's replies, per request: hundreds of small
pages. The world is read-only, so the comments are read once and every page is a slice of the
index (see ``sandbox.world.index``), in the order of the query it replaces
(``ORDER BY created_at, comment_id``).
"""

from __future__ import annotations

from typing import Any

from sandbox.world.index import Groups
from sandbox.world.store import rows


class CommentIndex:
    """Every comment of the world in page order (``sandbox.world.index``): top-level ones by
    post, replies by parent; and the activity URN of every post (post URNs are unique)."""

    def __init__(self, con: Any) -> None:
        cur = con.cursor()
        try:
            found = rows(cur, "SELECT * FROM linkedin_comments")
            self.activity = dict(
                cur.execute("SELECT post_urn, activity_urn FROM linkedin_posts").fetchall()
            )
        finally:
            cur.close()
        tops = [c for c in found if c["parent_id"] is None]
        self.tops = Groups(tops, "post_urn", "created_at", "comment_id")
        self.replies = Groups(found, "parent_id", "created_at", "comment_id")
