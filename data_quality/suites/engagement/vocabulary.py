"""The closed vocabularies of the engagement marts (docs/engagement_marts.md).

A value outside these sets means a platform mapping or a seed drifted from the contract that
BI tools filter on, so the suites reject it rather than let a new label appear in dashboards.
"""

from __future__ import annotations

PLATFORMS = frozenset({"facebook", "instagram", "linkedin", "x", "youtube", "tiktok"})

FORMATS = frozenset(
    {"image", "video", "reel", "carousel", "story", "text", "link", "live", "article"}
)

# The pillars of seeds/pillar_rules.csv, plus the label of posts no rule matches.
PILLARS = frozenset({"Preuve", "Pedagogie", "Communaute", "Marque", "unclassified"})

RECOMMENDATIONS = frozenset({"scale", "keep", "stop"})

ER_FORMULAS = frozenset({"by_reach", "by_followers", "by_impressions"})
