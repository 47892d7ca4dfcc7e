"""Small, self-consistent conversion marts (good rows) and a loader into a DuckDB file.

One brand, one visitor with three sessions (Organic Social, Direct, Paid Search), a denied
Email session and a one-session buyer. The goal on the Direct session and the order on the
Paid Search session have paths of 2 and 3 touches; the denied session converts but has no
path. Credits are written out by hand per model (time decay: weights 2^(-d/7) normalised,
d = days before the conversion). The channel mart is the attribution summed by hand, with a
spend of 200 on Paid Search on Monday 2026-03-02 (the order, on Sunday 2026-03-01, falls in
the ISO week of 2026-02-23).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from tests.data_quality.mutations import load_tables

T0 = datetime(2026, 2, 20, 10, 0)


def _session(n: int, at: datetime, source: str, medium: str, channel: str, **extra: Any):
    row: dict[str, Any] = {
        "session_key": f"1-{n}",
        "site_id": "1",
        "visit_id": n,
        "brand_id": "b1",
        "site": "www.b1.example",
        "visitor_key": "u1",
        "cookie_visitor_key": "c1",
        "user_key": None,
        "is_stitched": True,
        "started_at": at,
        "ended_at": at + timedelta(minutes=5),
        "session_date": at.date(),
        "landing_page": "/",
        "source": source,
        "medium": medium,
        "campaign": "(not set)",
        "channel_group": channel,
        "consent": "granted",
        "pageviews": 3,
        "duration_s": 300,
        "is_engaged": True,
        "converted": False,
        "conversions": 0,
        "revenue": 0.0,
        "currency": "EUR",
        "post_key": None,
        "post_id": None,
        "post_platform": None,
    }
    row.update(extra)
    return row


def sessions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            _session(101, T0, "facebook", "social", "Organic Social", post_key="facebook:123",
                     post_id="123", post_platform="facebook"),
            _session(102, T0 + timedelta(days=5), "(direct)", "(none)", "Direct", pageviews=1,
                     duration_s=0, converted=True, conversions=1, consent="unknown"),
            _session(103, T0 + timedelta(days=9), "google", "cpc", "Paid Search",
                     converted=True, conversions=1, revenue=80.0),
            _session(104, T0 + timedelta(days=10), "newsletter", "email", "Email",
                     consent="denied", visitor_key="c9", cookie_visitor_key="c9",
                     is_stitched=False, pageviews=1, duration_s=5, converted=True, conversions=1),
            _session(105, T0 + timedelta(days=11), "google", "organic", "Organic Search",
                     visitor_key="c5", cookie_visitor_key="c5", is_stitched=False,
                     pageviews=1, duration_s=12, converted=True, conversions=1, revenue=40.5),
        ]
    )  # fmt: skip


CONVERSIONS = {  # key -> (session, minutes after its start, type, revenue)
    "1-102-1": ("1-102", 3, "goal", 0.0),
    "1-103-0": ("1-103", 4, "order", 80.0),
    "1-104-1": ("1-104", 1, "goal", 0.0),
    "1-105-0": ("1-105", 2, "order", 40.5),
}


def conversions() -> pd.DataFrame:
    starts = sessions().set_index("session_key")["started_at"]
    return pd.DataFrame(
        [
            {
                "conversion_key": key,
                "session_key": session,
                "visitor_key": "u1",
                "brand_id": "b1",
                "site_id": "1",
                "converted_at": starts[session] + timedelta(minutes=minutes),
                "conversion_type": kind,
                "revenue": revenue,
                "currency": "EUR",
                "consent": "granted",
            }
            for key, (session, minutes, kind, revenue) in CONVERSIONS.items()
        ]
    )


# Paths: conversion -> touches (session, channel, is_direct, days before the conversion).
PATHS = {
    "1-102-1": [("1-101", "Organic Social", False, 5.0), ("1-102", "Direct", True, 0.0)],
    "1-103-0": [
        ("1-101", "Organic Social", False, 9.0),
        ("1-102", "Direct", True, 4.0),
        ("1-103", "Paid Search", False, 0.0),
    ],
    "1-105-0": [("1-105", "Organic Search", False, 0.0)],
}
# Credits per model, in touch order. Time decay, weights 2^(-d/7):
#   2 touches, d = 5, 0: 0.609507, 1 -> 0.378692, 0.621308
#   3 touches, d = 9, 4, 0: 0.410168, 0.672950, 1 -> 0.196901, 0.323049, 0.480050
CREDITS = {
    "1-102-1": {
        "first_touch": [1, 0], "last_touch": [0, 1], "last_non_direct": [1, 0],
        "linear": [0.5, 0.5], "position_based": [0.5, 0.5],
        "time_decay": [0.378692, 0.621308],
    },
    "1-103-0": {
        "first_touch": [1, 0, 0], "last_touch": [0, 0, 1], "last_non_direct": [0, 0, 1],
        "linear": [1 / 3, 1 / 3, 1 / 3], "position_based": [0.4, 0.2, 0.4],
        "time_decay": [0.196901, 0.323049, 0.480050],
    },
    "1-105-0": {m: [1] for m in ("first_touch", "last_touch", "last_non_direct", "linear",
                                 "position_based", "time_decay")},
}  # fmt: skip
MODELS = tuple(CREDITS["1-105-0"])


def attribution() -> pd.DataFrame:
    convs = conversions().set_index("conversion_key")
    starts = sessions().set_index("session_key")["started_at"]
    rows = []
    for key, touches in PATHS.items():
        conv = convs.loc[key]
        for model, credits in CREDITS[key].items():
            # The time-decay credits above are rounded to 6 places: renormalise to sum 1.
            total = sum(credits)
            for i, ((session, channel, direct, days), credit) in enumerate(
                zip(touches, credits, strict=True)
            ):
                share = credit / total
                rows.append(
                    {
                        "conversion_key": key,
                        "session_key": session,
                        "model": model,
                        "credit": share,
                        "attributed_revenue": share * conv["revenue"],
                        "conversion_revenue": conv["revenue"],
                        "currency": "EUR",
                        "touch_number": i + 1,
                        "touch_count": len(touches),
                        "days_before_conversion": days,
                        "touch_at": starts[session],
                        "converted_at": conv["converted_at"],
                        "conversion_type": conv["conversion_type"],
                        "brand_id": "b1",
                        "site_id": "1",
                        "is_conversion_session": session == conv["session_key"],
                        "is_direct": direct,
                        "channel_group": channel,
                        "campaign": "(not set)",
                        "post_key": "facebook:123" if session == "1-101" else None,
                        "consent": "unknown" if session == "1-102" else "granted",
                    }
                )
    return pd.DataFrame(rows)


SPEND = [("b1", date(2026, 3, 2), "Paid Search", "(not set)", 200.0)]


def _period_start(day: date, period_type: str) -> date:
    if period_type == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def _period_end(start: date, period_type: str) -> date:
    if period_type == "iso_week":
        return start + timedelta(days=6)
    next_month = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return next_month - timedelta(days=1)


def channel_attribution() -> pd.DataFrame:
    """fct_attribution summed per period, channel, campaign and model, beside the spend
    (repeated on each model's row); ROAS and CPA from their definitions."""
    cells: dict[tuple[Any, ...], dict[str, Any]] = {}

    def cell(period_type: str, day: date, channel: str, campaign: str, model: str):
        start = _period_start(day, period_type)
        key = (period_type, start, "b1", channel, campaign, model)
        return cells.setdefault(
            key, {"attributed_conversions": 0.0, "attributed_revenue": 0.0, "spend": None}
        )

    for period_type in ("month", "iso_week"):
        for r in attribution().itertuples():
            c = cell(period_type, r.converted_at.date(), r.channel_group, r.campaign, r.model)
            c["attributed_conversions"] += r.credit
            c["attributed_revenue"] += r.attributed_revenue
        for _brand, day, channel, campaign, spend in SPEND:
            for model in MODELS:
                c = cell(period_type, day, channel, campaign, model)
                c["spend"] = (c["spend"] or 0.0) + spend
    rows = []
    for (period_type, start, brand, channel, campaign, model), c in sorted(cells.items()):
        spend, conv, rev = c["spend"], c["attributed_conversions"], c["attributed_revenue"]
        rows.append(
            {
                "period_type": period_type,
                "period_start": start,
                "period_end": _period_end(start, period_type),
                "brand_id": brand,
                "channel_group": channel,
                "campaign": campaign,
                "model": model,
                "attributed_conversions": conv,
                "attributed_revenue": rev,
                "spend": spend,
                "roas": rev / spend if spend else None,
                "cpa": spend / conv if spend is not None and conv > 0 else None,
                "currency": "EUR",
                "spend_currency": "EUR" if spend is not None else None,
            }
        )
    return pd.DataFrame(rows)


TYPES = {
    "visit_id": "bigint",
    **dict.fromkeys(("started_at", "ended_at", "converted_at", "touch_at"), "timestamp"),
    **dict.fromkeys(("session_date", "period_start", "period_end"), "date"),
    **dict.fromkeys(("is_stitched", "is_engaged", "converted", "is_direct"), "boolean"),
    "is_conversion_session": "boolean",
    **dict.fromkeys(("pageviews", "duration_s", "conversions"), "bigint"),
    **dict.fromkeys(("touch_number", "touch_count"), "bigint"),
    **dict.fromkeys(
        ("revenue", "credit", "attributed_revenue", "conversion_revenue", "spend", "roas", "cpa",
         "attributed_conversions", "days_before_conversion"),
        "double",
    ),
}  # fmt: skip

TABLES = {
    "marts.fct_sessions": sessions,
    "marts.fct_conversions": conversions,
    "marts.fct_attribution": attribution,
    "marts.mart_channel_attribution": channel_attribution,
}


def load(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write each frame as its relation with the marts' column types (text unless typed)."""
    load_tables(path, tables, TYPES)
