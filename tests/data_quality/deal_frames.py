"""Small, self-consistent CRM deal marts (good rows) beside the sessions of
conversion_frames.py, whose visitor ``u1`` has three sessions of brand b1 (Organic Social at
T0, Direct at T0 + 5 days with consent unknown, Paid Search at T0 + 9 days), a denied visitor
``c9`` and a one-session visitor ``c5`` (granted, T0 + 11 days).

Deals of portal p1 (brand b1), written out by hand:

- p1-1, won at T0 + 9 days, 900.00 EUR, contact 11 with web key u1: linked, 3 eligible
  sessions; its path is u1's three sessions, 9, 4 and 0 days before the close. Time decay,
  weights 2^(-d/7) = 0.410167678, 0.672950096, 1 -> 0.196900858, 0.323049472, 0.480049670;
  last non-direct is the last touch (Paid Search); position based 0.4 / 0.2 / 0.4;
- p1-2, won at T0 + 12 days, 250.50 EUR, contact 12 without a web key: one fallback touch
  from the contact's original source (Organic Search), created 20 days before the close;
- p1-3, open, 100.00 EUR, no contact; p1-4, lost at T0 + 12 days, 40.00 EUR, contact 14 with
  web key c5: linked (session 1-105), not attributed (not won).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from tests.data_quality.conversion_frames import T0, TYPES, sessions
from tests.data_quality.mutations import load_tables

WON_1, WON_2 = T0 + timedelta(days=9), T0 + timedelta(days=12)


def _deal(n: int, amount: float, closed: datetime | None, won: bool, **extra: Any):
    row: dict[str, Any] = {
        "deal_key": f"p1-{n}",
        "portal_id": "p1",
        "deal_id": str(n),
        "brand_id": "b1",
        "created_at": T0 - timedelta(days=10),
        "closed_at": closed,
        "close_date": closed.date() if closed else None,
        "amount": amount,
        "currency": "EUR",
        "pipeline_id": "default",
        "deal_stage_id": "closedwon" if won else ("closedlost" if closed else "qualifiedtobuy"),
        "is_closed": closed is not None,
        "is_closed_won": won,
        "contact_key": f"p1:{10 + n}",
        "contact_id": str(10 + n),
        "associated_contacts": 1,
        "contact_created_at": T0 - timedelta(days=8),
        "web_user_key": None,
        "is_linked": False,
        "linked_sessions": 0,
        "first_linked_session_at": None,
        "original_source": "ORGANIC_SEARCH",
        "original_source_detail_1": "google",
        "original_utm_source": None,
        "original_utm_medium": None,
        "original_utm_campaign": None,
        "original_utm_content": None,
    }
    row.update(extra)
    return row


def crm_deals() -> pd.DataFrame:
    return pd.DataFrame(
        [
            _deal(1, 900.0, WON_1, True, web_user_key="u1", is_linked=True, linked_sessions=3,
                  first_linked_session_at=T0, original_source="SOCIAL_MEDIA"),
            _deal(2, 250.5, WON_2, True),
            _deal(3, 100.0, None, False, contact_key=None, contact_id=None,
                  associated_contacts=0, contact_created_at=None, original_source=None,
                  original_source_detail_1=None),
            _deal(4, 40.0, WON_2, False, web_user_key="c5", is_linked=True, linked_sessions=1,
                  first_linked_session_at=T0 + timedelta(days=11)),
        ]
    )  # fmt: skip


# p1-1's touches: (session, channel, source, medium, is_direct, days before the close, consent)
PATH_1 = [
    ("1-101", "Organic Social", "facebook", "social", False, 9.0, "granted"),
    ("1-102", "Direct", "(direct)", "(none)", True, 4.0, "unknown"),
    ("1-103", "Paid Search", "google", "cpc", False, 0.0, "granted"),
]
CREDITS_1 = {
    "first_touch": [1, 0, 0],
    "last_touch": [0, 0, 1],
    "last_non_direct": [0, 0, 1],
    "linear": [1 / 3, 1 / 3, 1 / 3],
    "position_based": [0.4, 0.2, 0.4],
    "time_decay": [0.196900858, 0.323049472, 0.480049670],
}
MODELS = tuple(CREDITS_1)


def _touch(deal: dict[str, Any], model: str, credit: float, **values: Any) -> dict[str, Any]:
    return {
        "deal_key": deal["deal_key"],
        "model": model,
        "credit": credit,
        "attributed_revenue": credit * deal["amount"],
        "deal_amount": deal["amount"],
        "currency": "EUR",
        "portal_id": "p1",
        "deal_id": deal["deal_id"],
        "brand_id": "b1",
        "closed_at": deal["closed_at"],
        "close_date": deal["close_date"],
        "is_linked": deal["is_linked"],
        **values,
    }


def deal_attribution() -> pd.DataFrame:
    deals = crm_deals().set_index("deal_key", drop=False)
    first, second = deals.loc["p1-1"].to_dict(), deals.loc["p1-2"].to_dict()
    rows = []
    for model, credits in CREDITS_1.items():
        total = sum(credits)  # the time-decay credits above are rounded to 9 places
        for i, (session, channel, source, medium, direct, days, consent) in enumerate(PATH_1):
            rows.append(
                _touch(first, model, credits[i] / total, touch_key=session, session_key=session,
                       is_original_source_fallback=False, touch_number=i + 1, touch_count=3,
                       touch_at=WON_1 - timedelta(days=days), days_before_close=days,
                       is_direct=direct, channel_group=channel, source=source, medium=medium,
                       campaign="(not set)", consent=consent,
                       post_key="facebook:123" if session == "1-101" else None)
            )  # fmt: skip
        rows.append(
            _touch(second, model, 1.0, touch_key="p1-2:original_source", session_key=None,
                   is_original_source_fallback=True, touch_number=1, touch_count=1,
                   touch_at=T0 - timedelta(days=8), days_before_close=20.0, is_direct=False,
                   channel_group="Organic Search", source="google", medium=None,
                   campaign="(not set)", consent=None, post_key=None)
        )  # fmt: skip
    return pd.DataFrame(rows)


DEAL_TYPES = {
    **TYPES,
    **dict.fromkeys(("created_at", "closed_at", "contact_created_at"), "timestamp"),
    "first_linked_session_at": "timestamp",
    "close_date": "date",
    **dict.fromkeys(("amount", "deal_amount", "days_before_close"), "double"),
    **dict.fromkeys(("is_closed", "is_closed_won", "is_linked"), "boolean"),
    "is_original_source_fallback": "boolean",
    **dict.fromkeys(("associated_contacts", "linked_sessions"), "bigint"),
}

TABLES = {
    "marts.fct_sessions": sessions,
    "marts.fct_crm_deals": crm_deals,
    "marts.mart_deal_attribution": deal_attribution,
}


def load(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write each frame as its relation with the marts' column types (text unless typed)."""
    load_tables(path, tables, DEAL_TYPES)
