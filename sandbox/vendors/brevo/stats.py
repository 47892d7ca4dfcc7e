"""What Brevo shows of a campaign at a given now: one SQL for the API and the manifest.

A campaign is listed once sent (``sent_at <= now``); its statistics add up the world's daily
activity up to the clock's day. The list endpoint (``GET /v3/emailCampaigns``) counts only the
events of the last 6 months ("This option only returns data for events that occurred in the
last 6 months. For older campaigns, it is advisable to use the Get Campaign Report endpoint",
https://developers.brevo.com/reference/get-email-campaigns); the single-campaign report counts
them all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

LIST_MONTHS = 6
GLOBAL_STATS = ("uniqueClicks", "clickers", "complaints", "delivered", "sent", "softBounces",
                "hardBounces", "uniqueViews", "trackableViews", "unsubscriptions", "viewed",
                "deferred")  # fmt: skip


def months_back(today: date, months: int) -> date:
    total = today.year * 12 + today.month - 1 - months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(today.day, 28))


def events_since(now: datetime, whole: bool) -> date:
    """First day of events the answer counts: all of them, or the list's last 6 months."""
    return date(1970, 1, 1) if whole else months_back(now.date(), LIST_MONTHS)


def campaigns(cur: Any, brand_id: str, now: datetime) -> list[tuple[Any, ...]]:
    """(campaign_id, name, subject, tag, utm_campaign, created_at, sent_at) of the sent
    campaigns, newest created first (Brevo's default ``sort=desc``)."""
    return cur.execute(
        "SELECT campaign_id, name, subject, tag, utm_campaign, created_at, sent_at "
        "FROM email_campaigns WHERE brand_id = ? AND sent_at <= ? "
        "ORDER BY created_at DESC, campaign_id DESC",
        [brand_id, now],
    ).fetchall()


def global_stats(cur: Any, brand_id: str, campaign_id: int, now: datetime, whole: bool) -> dict:
    """``statistics.globalStats`` of one campaign at ``now``."""
    since = events_since(now, whole)
    row = cur.execute(
        "SELECT c.sent, c.delivered, c.hard_bounces, c.soft_bounces, "
        "coalesce(sum(d.unique_views), 0), coalesce(sum(d.viewed), 0), "
        "coalesce(sum(d.unique_clicks), 0), coalesce(sum(d.clickers), 0), "
        "coalesce(sum(d.unsubscriptions), 0), coalesce(sum(d.complaints), 0) "
        "FROM email_campaigns c LEFT JOIN email_daily d ON d.brand_id = c.brand_id "
        "AND d.campaign_id = c.campaign_id AND d.date <= ? AND d.date >= ? "
        "WHERE c.brand_id = ? AND c.campaign_id = ? GROUP BY ALL",
        [now.date(), since, brand_id, campaign_id],
    ).fetchone()
    sent, delivered, hard, soft, uviews, viewed, uclicks, clickers, unsub, complaints = row
    old = since > row_sent_day(cur, brand_id, campaign_id)
    return {
        "uniqueClicks": int(uclicks),
        "clickers": int(clickers),
        "complaints": int(complaints),
        "delivered": 0 if old else int(delivered),
        "sent": 0 if old else int(sent),
        "softBounces": 0 if old else int(soft),
        "hardBounces": 0 if old else int(hard),
        "uniqueViews": int(uviews),
        "trackableViews": int(uviews),
        "unsubscriptions": int(unsub),
        "viewed": int(viewed),
        "deferred": 0,
    }


def row_sent_day(cur: Any, brand_id: str, campaign_id: int) -> date:
    sent_at = cur.execute(
        "SELECT sent_at FROM email_campaigns WHERE brand_id = ? AND campaign_id = ?",
        [brand_id, campaign_id],
    ).fetchone()[0]
    return sent_at.date()


def links_stats(cur: Any, brand_id: str, campaign_id: int, now: datetime, whole: bool) -> dict:
    """``statistics.linksStats``: clicks per link URL clicked at least once."""
    rows = cur.execute(
        "SELECT url, sum(clicks) FROM email_link_daily WHERE brand_id = ? AND campaign_id = ? "
        "AND date <= ? AND date >= ? GROUP BY url ORDER BY url",
        [brand_id, campaign_id, now.date(), events_since(now, whole)],
    ).fetchall()
    return {url: int(n) for url, n in rows}


def links(cur: Any, brand_id: str, campaign_id: int) -> list[str]:
    """Every link of the campaign's HTML (the world's links, clicked or not)."""
    rows = cur.execute(
        "SELECT url FROM email_links WHERE brand_id = ? AND campaign_id = ? ORDER BY url",
        [brand_id, campaign_id],
    ).fetchall()
    return [r[0] for r in rows]
