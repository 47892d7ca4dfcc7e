"""Ground truth for the engagement marts: ``manifest["engagement"]``.

What the marts must find in a complete load as of ``today``, read from the world store with the
APIs' visibility rules (a post is served once published; X serves undeleted tweets), post ids as
the APIs expose them, and formats mapped as docs/engagement_marts.md says. Only content posts
count: the brand's X replies to other people are conversation, not content.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from sandbox.vendors import discover
from sandbox.world.store import now_of, rows

# One SELECT per platform: brand_id, platform, post_id, pillar, format (canonical),
# is_partnership, is_disclosed of the content posts visible at $now.
CONTENT = {
    "meta": """
        SELECT a.brand_id, p.platform, p.post_id, p.pillar, p.format,
               p.is_partnership, p.is_disclosed
        FROM posts p JOIN accounts a USING (account_id) WHERE p.created_time <= $now""",
    "linkedin": """
        SELECT o.brand_id, 'linkedin', p.post_urn, p.pillar,
               CASE WHEN p.format IN ('multi_image', 'document') THEN 'carousel'
                    WHEN p.format = 'article' THEN 'link' ELSE p.format END,
               p.is_partnership, p.is_disclosed
        FROM linkedin_posts p JOIN linkedin_organizations o USING (organization_id)
        WHERE p.published_at <= $now""",
    "x": """
        SELECT a.brand_id, 'x', t.tweet_id, l.pillar,
               CASE WHEN t.link_url IS NOT NULL THEN 'link' ELSE 'text' END,
               t.is_partnership, t.is_disclosed
        FROM x_tweets t JOIN x_accounts a ON a.user_id = t.author_id
        LEFT JOIN post_pillars l ON l.platform = 'x' AND l.post_id = t.tweet_id
        WHERE t.kind = 'post' AND t.created_at <= $now
          AND (t.deleted_at IS NULL OR t.deleted_at > $now)""",
    "youtube": """
        SELECT brand_id, 'youtube', video_id, pillar,
               CASE WHEN is_short THEN 'reel' ELSE 'video' END, is_partnership, is_disclosed
        FROM yt_videos WHERE published_at <= $now""",
    "tiktok": """
        SELECT brand_id, 'tiktok', video_id, pillar, 'reel', is_partnership, is_disclosed
        FROM tiktok_videos WHERE create_time <= $now""",
}
COLUMNS = "brand_id, platform, post_id, pillar, format, is_partnership, is_disclosed"


def _content_sql() -> str:
    """The visible content posts of Meta and of every served social vendor, as one CTE."""
    served = {"meta"} | {v.name for v in discover()}
    parts = [sql for name, sql in CONTENT.items() if name in served]
    return f"WITH content ({COLUMNS}) AS ({' UNION ALL '.join(parts)})"


def engagement_manifest(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str, Any]:
    """posts_by_pillar_format, experiments, parents and partnerships as of ``today``."""
    content = _content_sql()
    now = {"now": now_of(today)}
    by_pillar = rows(
        cur,
        f"""{content}
        SELECT brand_id, platform, coalesce(pillar, 'unclassified') AS pillar, format,
               count(*) AS posts
        FROM content GROUP BY ALL ORDER BY ALL""",
        now,
    )
    experiments = rows(
        cur,
        f"""{content}
        SELECT e.brand_id || '/' || e.platform || '/' || e.dimension || '_' || e.experiment
                   AS experiment_id,
               e.experiment, e.dimension, e.brand_id, e.platform, e.variant,
               '#ab_' || e.dimension || '_' || e.experiment || '_' || e.variant AS hashtag,
               max(e.uplift) AS true_uplift, list(e.post_id ORDER BY e.post_id) AS posts
        FROM experiment_posts e JOIN content c USING (platform, post_id)
        GROUP BY ALL ORDER BY experiment_id, variant""",
        now,
    )
    parents = rows(
        cur,
        f"""{content}
        SELECT l.post_id, l.platform, l.parent_post_id, l.parent_platform
        FROM parent_links l JOIN content c USING (platform, post_id)
        ORDER BY l.platform, l.post_id""",
        now,
    )
    partnerships = rows(
        cur,
        f"""{content}
        SELECT brand_id, platform,
               count(*) FILTER (WHERE is_partnership) AS partnerships,
               count(*) FILTER (WHERE is_partnership AND is_disclosed) AS disclosed
        FROM content GROUP BY ALL ORDER BY ALL""",
        now,
    )
    return {
        "posts_by_pillar_format": by_pillar,
        "experiments": experiments,
        "parents": parents,
        "partnerships": partnerships,
    }
