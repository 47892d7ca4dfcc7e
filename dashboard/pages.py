"""The four pages: the datasets each reads from the published marts (one SQL query each, on
the ``marts`` schema) and the panels drawn from them.

A dataset names the columns the page filters act on: ``brand`` (always ``brand_id``),
``platform`` and ``date`` when it has them; a page's extra selects (the overview's period, the
conversion page's attribution model) filter the datasets holding their column. Panels say how
to aggregate the filtered rows (``sum``, ``mean``, ``ratio`` of two sums) so a figure over
several weeks is computed from its parts, never averaged from shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ER_FORMULA = "er_formula"


@dataclass(frozen=True)
class Dataset:
    sql: str
    platform: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Page:
    slug: str
    title: str  # a label key
    datasets: dict[str, Dataset]
    panels: list[dict[str, Any]]
    selects: list[dict[str, Any]] = field(default_factory=list)


KPI_SQL = """
select brand_id, platform, period_type || ' ' || strftime(period_start, '%Y-%m-%d') as period,
    posts::bigint as posts, reach::bigint as reach, interactions::bigint as interactions,
    clicks::bigint as clicks, followers_end::bigint as followers_end,
    follower_gain::bigint as follower_gain, er_headline, er_formula, er_formula_version,
    social_sessions::bigint as social_sessions, social_revenue, inbound_items,
    median_response_minutes, share_within_sla, avg_sentiment_score, reviews, avg_rating
from marts.mart_kpi_scorecard
where platform <> 'email'  -- the e-mail rows carry only email_* figures (not shown here yet)
"""

OVERVIEW = Page(
    slug="index",
    title="overview",
    datasets={"kpi": Dataset(KPI_SQL, platform="platform")},
    selects=[
        {
            "name": "period",
            "label": "period",
            "column": "period",
            "sql": "select distinct period_type || ' ' || strftime(period_start, '%Y-%m-%d') "
            "from marts.mart_kpi_scorecard order by 1 desc",
        }
    ],
    panels=[
        {"id": f, "kind": "kpi", "dataset": "kpi", "y": f, "agg": "sum", "title": f}
        for f in ("posts", "reach", "interactions", "social_revenue", "inbound_items", "reviews")
    ]
    + [
        {
            "id": "er_by_platform",
            "kind": "bar",
            "dataset": "kpi",
            "x": "platform",
            "y": "er_headline",
            "agg": "mean",
            "title": "er_by_platform",
            "er": True,
        },
        {
            "id": "scorecard",
            "kind": "table",
            "dataset": "kpi",
            "title": "scorecard",
            "er": True,
            "sort": "platform",
            "columns": [
                ["platform", "platform", "text"],
                ["posts", "posts", "int"],
                ["reach", "reach", "int"],
                ["interactions", "interactions", "int"],
                ["er_headline", "er", "num2"],
                ["followers_end", "followers_end", "int"],
                ["follower_gain", "follower_gain", "int"],
                ["clicks", "clicks", "int"],
                ["social_sessions", "social_sessions", "int"],
                ["social_revenue", "social_revenue", "num2"],
                ["median_response_minutes", "median_response_minutes", "num1"],
                ["share_within_sla", "share_within_sla", "pct1"],
                ["avg_sentiment_score", "avg_sentiment_score", "num2"],
                ["avg_rating", "avg_rating", "num2"],
            ],
        },
    ],
)

ENGAGEMENT = Page(
    slug="engagement",
    title="engagement",
    datasets={
        "posts": Dataset(
            "select brand_id, platform, date_trunc('week', published_date_local)::date as week,"
            " er_headline, er_formula, er_formula_version from marts.fct_post_performance"
            " where er_headline is not null",
            platform="platform",
            date="week",
        ),
        "pillars": Dataset(
            "select brand_id, platform, pillar, format, week_start, posts, median_er,"
            " baseline_median_er, lift, coalesce(recommendation, '-') as recommendation,"
            " er_formula, er_formula_version from marts.mart_pillar_performance"
            " where lift is not null",
            platform="platform",
            date="week_start",
        ),
        "best_time": Dataset(
            "select brand_id, platform, weekday, hour, posts, median_er, er_formula,"
            " er_formula_version from marts.mart_best_time_to_post",
            platform="platform",
        ),
        "ab": Dataset(
            "select experiment_id, variant, brand_id, platform, posts, rate, control_rate, lift,"
            " p_value, is_significant, winner_variant, experiment_start"
            " from marts.mart_ab_tests",
            platform="platform",
            date="experiment_start",
        ),
    },
    panels=[
        {
            "id": "er_trend",
            "kind": "line",
            "dataset": "posts",
            "x": "week",
            "series": "platform",
            "y": "er_headline",
            "agg": "mean",
            "title": "er_trend",
            "er": True,
        },
        {
            "id": "pillar_lift",
            "kind": "table",
            "dataset": "pillars",
            "title": "pillar_lift",
            "er": True,
            "sort": "week_start",
            "desc": True,
            "limit": 30,
            "columns": [
                ["week_start", "week_start", "text"],
                ["platform", "platform", "text"],
                ["pillar", "pillar", "text"],
                ["format", "format", "text"],
                ["posts", "posts", "int"],
                ["median_er", "median_er", "num2"],
                ["baseline_median_er", "baseline", "num2"],
                ["lift", "lift", "num2"],
                ["recommendation", "recommendation", "text"],
            ],
        },
        {
            "id": "best_time",
            "kind": "heatmap",
            "dataset": "best_time",
            "x": "hour",
            "y": "weekday",
            "value": "median_er",
            "title": "best_time",
            "er": True,
        },
        {
            "id": "ab_tests",
            "kind": "table",
            "dataset": "ab",
            "title": "ab_tests",
            "sort": "experiment_id",
            "columns": [
                ["experiment_id", "experiment", "text"],
                ["variant", "variant", "text"],
                ["platform", "platform", "text"],
                ["posts", "posts", "int"],
                ["rate", "rate", "num4"],
                ["control_rate", "control_rate", "num4"],
                ["lift", "lift", "num2"],
                ["p_value", "p_value", "num4"],
                ["is_significant", "significant", "text"],
                ["winner_variant", "winner", "text"],
            ],
        },
    ],
)

CARE = Page(
    slug="care",
    title="care",
    datasets={
        "sla": Dataset(
            "select brand_id, channel, platform, week_start, items,"
            " median_response_minutes, sla_decided_items::bigint as sla_decided_items,"
            " within_sla_items::bigint as within_sla_items from marts.mart_response_sla",
            platform="platform",
            date="week_start",
        ),
        "queue": Dataset(
            "select brand_id, channel, platform, strftime(received_at, '%Y-%m-%d %H:%M')"
            " as received_at, received_date_local, priority, category, sentiment_label"
            " from marts.fct_inbound_items where is_unanswered"
            " qualify row_number() over (partition by brand_id order by received_at) <= 300",
            platform="platform",
            date="received_date_local",
        ),
        "reputation": Dataset(
            "select brand_id, date_day, avg_rating_30d, net_sentiment, crisis_signal"
            " from marts.mart_reputation_daily",
            date="date_day",
        ),
        "alerts": Dataset(
            "select brand_id, alert_date, alert_type, coalesce(channel, '-') as channel,"
            " metric, value, threshold from marts.mart_reputation_alerts",
            date="alert_date",
        ),
    },
    panels=[
        {
            "id": "response_time",
            "kind": "line",
            "dataset": "sla",
            "x": "week_start",
            "series": "channel",
            "y": "median_response_minutes",
            "agg": "mean",
            "title": "response_time",
        },
        {
            "id": "sla_share",
            "kind": "bar",
            "dataset": "sla",
            "x": "channel",
            "num": "within_sla_items",
            "den": "sla_decided_items",
            "agg": "ratio",
            "title": "sla_share",
            "fmt": "pct1",
        },
        {
            "id": "rating_trend",
            "kind": "line",
            "dataset": "reputation",
            "x": "date_day",
            "ys": ["avg_rating_30d", "net_sentiment"],
            "markers": "crisis_signal",
            "agg": "mean",
            "title": "rating_trend",
        },
        {
            "id": "unanswered",
            "kind": "table",
            "dataset": "queue",
            "title": "unanswered",
            "sort": "received_at",
            "limit": 25,
            "columns": [
                ["received_at", "received_at", "text"],
                ["channel", "channel", "text"],
                ["platform", "platform", "text"],
                ["priority", "priority", "text"],
                ["category", "category", "text"],
                ["sentiment_label", "sentiment", "text"],
            ],
        },
        {
            "id": "alerts",
            "kind": "table",
            "dataset": "alerts",
            "title": "alerts",
            "sort": "alert_date",
            "desc": True,
            "limit": 15,
            "columns": [
                ["alert_date", "alert_date", "text"],
                ["alert_type", "alert_type", "text"],
                ["channel", "channel", "text"],
                ["metric", "metric", "text"],
                ["value", "value", "num2"],
                ["threshold", "threshold", "num2"],
            ],
        },
    ],
)

MODELS = ["last_non_direct", "last_touch", "first_touch", "linear", "position_based", "time_decay"]
_UNPIVOT = """(
    unpivot marts.{table}
    on (conversions_first_touch, revenue_first_touch) as first_touch,
       (conversions_last_touch, revenue_last_touch) as last_touch,
       (conversions_last_non_direct, revenue_last_non_direct) as last_non_direct,
       (conversions_linear, revenue_linear) as linear,
       (conversions_position_based, revenue_position_based) as position_based,
       (conversions_time_decay, revenue_time_decay) as time_decay
    into name model value conversions, revenue)"""

CONVERSION = Page(
    slug="conversion",
    title="conversion",
    datasets={
        "channels": Dataset(
            "select brand_id, channel_group, model, period_start, attributed_conversions,"
            " attributed_revenue from marts.mart_channel_attribution where period_type = 'month'",
            date="period_start",
        ),
        "posts": Dataset(
            "select brand_id, platform, post_id, published_date, pillar, format, sessions,"
            " model, conversions, revenue from " + _UNPIVOT.format(table="mart_post_conversions"),
            platform="platform",
            date="published_date",
        ),
        "pillars": Dataset(
            "select brand_id, platform, pillar, month_start, model, conversions, revenue from "
            + _UNPIVOT.format(table="mart_pillar_conversions"),
            platform="platform",
            date="month_start",
        ),
        "utm": Dataset(
            "select brand_id, week_start, subject, issue, occurrences, example_ids"
            " from marts.mart_utm_quality",
            date="week_start",
        ),
    },
    selects=[
        {"name": "model", "label": "model", "column": "model", "options": MODELS},
    ],
    panels=[
        {
            "id": "revenue",
            "kind": "kpi",
            "dataset": "channels",
            "y": "attributed_revenue",
            "agg": "sum",
            "title": "revenue",
            "fmt": "num2",
        },
        {
            "id": "attribution",
            "kind": "bar",
            "dataset": "channels",
            "x": "channel_group",
            "y": "attributed_revenue",
            "agg": "sum",
            "title": "attribution",
        },
        {
            "id": "pillar_revenue",
            "kind": "bar",
            "dataset": "pillars",
            "x": "pillar",
            "y": "revenue",
            "agg": "sum",
            "title": "pillar_revenue",
        },
        {
            "id": "top_posts",
            "kind": "table",
            "dataset": "posts",
            "title": "top_posts",
            "sort": "revenue",
            "desc": True,
            "limit": 15,
            "columns": [
                ["post_id", "post", "text"],
                ["platform", "platform", "text"],
                ["published_date", "published", "text"],
                ["pillar", "pillar", "text"],
                ["sessions", "sessions", "int"],
                ["conversions", "conversions", "num2"],
                ["revenue", "revenue", "num2"],
            ],
        },
        {
            "id": "utm_errors",
            "kind": "table",
            "dataset": "utm",
            "title": "utm_errors",
            "sort": "occurrences",
            "desc": True,
            "limit": 20,
            "columns": [
                ["week_start", "week_start", "text"],
                ["subject", "subject", "text"],
                ["issue", "issue", "text"],
                ["occurrences", "occurrences", "int"],
                ["example_ids", "examples", "text"],
            ],
        },
    ],
)

PAGES = [OVERVIEW, ENGAGEMENT, CARE, CONVERSION]
