"""Small, self-consistent reputation marts (good rows) for the GX suite tests.

Brand b1 in Paris. Inbound items: two comments and a YouTube comment on posts, an X mention
and two reviews (Trustpilot answered after a day, Google unanswered past its target); the
YouTube comment arrives at 23:30 UTC, the next local day. The daily mart is written out from
per-day inputs by the rules of docs (written here again, in plain Python, as the oracle):
20 days of b1 whose negative volume alternates 1, 0 (mean 0.5, stddev 0.5) and jumps to 8 of
10 on day 16 - a crisis with the default vars (28-day baseline, at least 14 days, z 3, at
least 5 negatives: threshold 0.5 + 3 x 0.5 = 2); and 3 quiet days of b2.
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from data_quality.suites.conversion.formulas import dbt_var
from tests.data_quality.mutations import load_tables

T0 = datetime(2026, 3, 2, 10, 0)


def _item(key: str, channel: str, at: datetime, **extra: Any) -> dict[str, Any]:
    platform = key.split(":")[0]
    row: dict[str, Any] = {
        "item_key": key,
        "channel": channel,
        "platform": platform,
        "brand_id": "b1",
        "account_or_location": "acct-1",
        "post_key": None,
        "author_key": "h-1",
        "received_at": at,
        "received_date_local": at.date(),
        "first_response_at": None,
        "response_minutes": None,
        "sla_target_minutes": 120,
        "within_sla": None,
        "is_unanswered": True,
        "sentiment_score": None,
        "sentiment_label": None,
        "sentiment_method": None,
        "language": "fr",
        "category": "other",
        "priority": "normal",
        "escalation": "none",
        "is_ugc": False,
    }
    row.update(extra)
    if row["first_response_at"] is not None:
        row["is_unanswered"] = False
        row["response_minutes"] = (row["first_response_at"] - at).total_seconds() / 60
    return row


def inbound_items() -> pd.DataFrame:
    h = timedelta(hours=1)
    return pd.DataFrame(
        [
            _item("facebook:c1", "comment", T0, post_key="facebook:p1", sla_target_minutes=60,
                  first_response_at=T0 + h / 2, within_sla=True, sentiment_score=0.5,
                  sentiment_label="positive"),
            _item("instagram:c2", "comment", T0 + h, post_key="instagram:p2",
                  sentiment_score=-0.6, sentiment_label="negative"),
            _item("x:m1", "mention", T0 + 23 * h, first_response_at=T0 + 26 * h,
                  within_sla=False, sentiment_score=0.0, sentiment_label="neutral"),
            _item("trustpilot:r1", "review", T0 + 22 * h, first_response_at=T0 + 46 * h,
                  sla_target_minutes=1440, within_sla=True, sentiment_score=1.0,
                  sentiment_label="positive", sentiment_method="rating"),
            _item("google_business:r2", "review", T0 + 58 * h, sla_target_minutes=1440,
                  within_sla=False, sentiment_score=-1.0, sentiment_label="negative",
                  sentiment_method="rating"),
            _item("youtube:c3", "comment", datetime(2026, 3, 5, 23, 30),
                  received_date_local=date(2026, 3, 6), post_key="youtube:v1",
                  first_response_at=datetime(2026, 3, 6, 0, 15), within_sla=True),
        ]
    )  # fmt: skip


def reviews() -> pd.DataFrame:
    """The two reviews of inbound_items, with their ratings."""
    items = inbound_items().set_index("item_key")
    rows = []
    for key, rating, location in (("trustpilot:r1", 5, "bu-1"), ("google_business:r2", 1, "l-1")):
        item = items.loc[key]
        answered = bool(pd.notna(item["first_response_at"]))
        rows.append(
            {
                "review_key": key,
                "platform": item["platform"],
                "brand_id": "b1",
                "location_id": location,
                "rating": rating,
                "has_text": True,
                "language": "fr",
                "sentiment_score": (rating - 3) / 2,
                "sentiment_label": item["sentiment_label"],
                "text_sentiment_score": 0.8 if rating == 5 else -0.7,
                "text_sentiment_label": "positive" if rating == 5 else "negative",
                "text_sentiment_method": "lexicon",
                "created_at": item["received_at"],
                "created_date_local": item["received_date_local"],
                "responded": answered,
                "first_response_at": item["first_response_at"],
                "response_hours": item["response_minutes"] / 60 if answered else None,
                "within_sla": item["within_sla"],
                "is_edited": False,
            }
        )
    return pd.DataFrame(rows)


# Per day: (volume, negative volume, ratings of the day's reviews).
B1_START = date(2026, 2, 1)
B1_RATINGS = {0: [5, 4], 2: [1], 9: [3, 5, 5], 15: [1, 1, 2], 18: [4]}
B1_DAYS = [
    (10, 8, B1_RATINGS.get(d, [])) if d == 15 else (4, 1 - d % 2, B1_RATINGS.get(d, []))
    for d in range(20)
]
B2_DAYS = [(2, 0, [5]), (3, 0, []), (1, 0, [4])]
CRISIS_DAY = B1_START + timedelta(days=15)


def _mean_sd(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return statistics.fmean(values), statistics.pstdev(values)


def _plus(a: float | None, z: float, b: float | None) -> float | None:
    return None if a is None or b is None else a + z * b


def _days(brand: str, start: date, days: list[tuple[int, int, list[int]]]) -> list[dict]:
    """The mart's rows of one brand, each rolling value from the rows before it."""
    base_n, rating_n = int(dbt_var("reputation_baseline_days")), int(dbt_var("reputation_rating_window_days"))  # fmt: skip  # noqa: E501
    z, min_volume = float(dbt_var("reputation_crisis_z")), int(dbt_var("reputation_crisis_min_volume"))  # fmt: skip  # noqa: E501
    min_days = int(dbt_var("reputation_baseline_min_days"))
    rows: list[dict] = []
    for i, (volume, negative, ratings) in enumerate(days):
        stars = {s: ratings.count(s) for s in range(1, 6)}
        window = [r for _, _, rs in days[max(0, i - rating_n + 1) : i + 1] for r in rs]
        before = rows[max(0, i - base_n) : i]
        vol_mean, vol_sd = _mean_sd([r["negative_volume"] for r in before])
        shares = [r["negative_share"] for r in before if r["negative_share"] is not None]
        share_mean, share_sd = _mean_sd(shares)
        share = negative / volume if volume else None
        mentions = volume - len(ratings)
        neg_mentions = max(0, negative - sum(1 for r in ratings if r <= 2))
        pos_mentions = max(0, mentions - neg_mentions - 1)
        row = {
            "brand_id": brand,
            "date_day": start + timedelta(days=i),
            "reviews": len(ratings),
            "avg_rating": statistics.fmean(ratings) if ratings else None,
            **{f"reviews_{s}_star": n for s, n in stars.items()},
            "reviews_30d": len(window),
            "avg_rating_30d": statistics.fmean(window) if window else None,
            "volume": volume,
            "negative_volume": negative,
            "negative_share": share,
            "comment_mention_items": mentions,
            "scored_comment_mentions": mentions,
            "positive_comment_mentions": pos_mentions,
            "negative_comment_mentions": neg_mentions,
            "net_sentiment": (pos_mentions - neg_mentions) / mentions if mentions else None,
            "baseline_days": len(before),
            "negative_volume_baseline": vol_mean,
            "negative_volume_stddev": vol_sd,
            "negative_volume_threshold": _plus(vol_mean, z, vol_sd),
            "negative_volume_z": (negative - vol_mean) / vol_sd if vol_sd else None,
            "negative_share_baseline": share_mean,
            "negative_share_stddev": share_sd,
            "negative_share_threshold": _plus(share_mean, z, share_sd),
            "negative_share_z": (share - share_mean) / share_sd if share_sd else None,
        }
        judged = len(before) >= min_days and negative >= min_volume
        above_volume = judged and negative > row["negative_volume_threshold"]
        above_share = judged and share_mean is not None and share > row["negative_share_threshold"]  # fmt: skip  # noqa: E501
        row["crisis_signal"] = bool(above_volume or above_share)
        row["crisis_metric"] = (
            "negative_volume" if above_volume else "negative_share" if above_share else None
        )
        rows.append(row)
    return rows


def reputation_daily() -> pd.DataFrame:
    return pd.DataFrame(_days("b1", B1_START, B1_DAYS) + _days("b2", B1_START, B2_DAYS))


TYPES = {
    **dict.fromkeys(("received_at", "first_response_at", "created_at"), "timestamp"),
    **dict.fromkeys(("received_date_local", "created_date_local", "date_day"), "date"),
    **dict.fromkeys(
        ("within_sla", "is_unanswered", "is_ugc", "has_text", "responded", "is_edited",
         "crisis_signal"),
        "boolean",
    ),
    **dict.fromkeys(
        ("response_minutes", "sentiment_score", "text_sentiment_score", "response_hours",
         "avg_rating", "avg_rating_30d", "negative_share", "net_sentiment",
         "negative_volume_baseline", "negative_volume_stddev", "negative_volume_threshold",
         "negative_volume_z", "negative_share_baseline", "negative_share_stddev",
         "negative_share_threshold", "negative_share_z"),
        "double",
    ),
    **dict.fromkeys(
        ("sla_target_minutes", "rating", "reviews", "reviews_30d", "volume", "negative_volume",
         "comment_mention_items", "scored_comment_mentions", "positive_comment_mentions",
         "negative_comment_mentions", "baseline_days",
         *(f"reviews_{s}_star" for s in range(1, 6))),
        "bigint",
    ),
}  # fmt: skip

TABLES = {
    "marts.fct_inbound_items": inbound_items,
    "marts.fct_reviews": reviews,
    "marts.mart_reputation_daily": reputation_daily,
}


def load(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write each frame as its relation with the marts' column types (text unless typed)."""
    load_tables(path, tables, TYPES)
