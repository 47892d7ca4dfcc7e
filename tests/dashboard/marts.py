"""A small warehouse whose ``marts`` schema has every mart and column the dashboard reads,
filled with deterministic rows (two brands, two platforms, four weeks), published with the
project's own publication so the pages read what BI tools read.

The columns are those of the dbt marts (dbt_project/models/marts/**); the values are made up
and only the test's own SQL on the published copy says what a page must show."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.defs.publish import publish_marts

BRANDS = "(values ('b-north', 'Northwind', 'Europe/London'), ('a-lumi', 'Lumière', 'Europe/Paris'))"
PLATFORMS = "(values ('instagram'), ('tiktok'))"
WEEKS = "(select (date '2026-10-05' + (7 * range)::integer)::date as week from range(4))"

MARTS = {
    "dim_accounts": f"""select brand_id, brand_name, tz as timezone, platform
        from {BRANDS} b(brand_id, brand_name, tz), {PLATFORMS} p(platform)""",
    "mart_kpi_scorecard": f"""select brand_id, platform, kind as period_type, week as period_start,
        (10 + hash(brand_id || platform || week) % 20)::hugeint as posts,
        (1000 + hash(platform || week) % 500)::hugeint as reach,
        (100 + hash(brand_id || week) % 50)::hugeint as interactions,
        7::hugeint as clicks, 2000::hugeint as followers_end, 12::hugeint as follower_gain,
        2.5 + (hash(platform || week) % 10) / 10 as er_headline, 'by_followers' as er_formula,
        'v2' as er_formula_version, 30::hugeint as social_sessions, 120.5 as social_revenue,
        40::bigint as inbound_items, 55.0 as median_response_minutes, 0.8 as share_within_sla,
        0.2 as avg_sentiment_score, 5::bigint as reviews, 4.2 as avg_rating
        from {BRANDS} b(brand_id, n, t), {PLATFORMS} p(platform), {WEEKS},
        (values ('week'), ('month')) k(kind)""",
    "fct_post_performance": f"""select 'p' || range as post_id, brand_id, platform,
        week + (range % 7)::integer as published_date_local,
        1.0 + (range % 9) / 3 as er_headline, 'by_followers' as er_formula,
        'v2' as er_formula_version
        from {BRANDS} b(brand_id, n, t), {PLATFORMS} p(platform), {WEEKS}, range(3)""",
    "mart_pillar_performance": f"""select brand_id, platform, pillar, 'reel' as format,
        week as week_start, 3::bigint as posts, 2.0 as median_er, 1.6 as baseline_median_er,
        0.25 as lift, 'scale' as recommendation, 'by_followers' as er_formula,
        'v2' as er_formula_version
        from {BRANDS} b(brand_id, n, t), {PLATFORMS} p(platform), {WEEKS},
        (values ('Marque'), ('Preuve')) x(pillar)""",
    "mart_best_time_to_post": f"""select brand_id, platform, 1 + range % 7 as weekday,
        (8 + range % 12)::integer as hour, 2::bigint as posts, 1.5 + range % 4 as median_er,
        'by_followers' as er_formula, 'v2' as er_formula_version
        from {BRANDS} b(brand_id, n, t), {PLATFORMS} p(platform), range(20)""",
    "mart_ab_tests": f"""select brand_id || '/hook' as experiment_id, variant, brand_id,
        'instagram' as platform, 4::bigint as posts, rate, 0.05 as control_rate, lift,
        p_value, p_value < 0.05 as is_significant, 'b' as winner_variant,
        date '2026-10-06' as experiment_start
        from {BRANDS} b(brand_id, n, t),
        (values ('a', 0.05, null, null), ('b', 0.07, 0.4, 0.01)) v(variant, rate, lift, p_value)""",
    "mart_response_sla": f"""select brand_id, channel, 'instagram' as platform, week as week_start,
        20::bigint as items, 30.0 + hash(channel || week) % 60 as median_response_minutes,
        (10 + hash(brand_id || channel || week) % 10)::hugeint as sla_decided_items,
        (hash(channel || week) % 10)::hugeint as within_sla_items
        from {BRANDS} b(brand_id, n, t), {WEEKS}, (values ('comment'), ('review')) c(channel)""",
    "fct_inbound_items": f"""select brand_id, 'comment' as channel, platform,
        timestamp '2026-10-20 09:00:00' + to_hours(range) as received_at,
        date '2026-10-20' as received_date_local, 'normal' as priority,
        'question' as category, 'neutral' as sentiment_label, range % 3 = 0 as is_unanswered
        from {BRANDS} b(brand_id, n, t), {PLATFORMS} p(platform), range(12)""",
    "mart_reputation_daily": f"""select brand_id,
        (date '2026-10-05' + range::integer)::date as date_day,
        4.0 + (range % 5) / 10 as avg_rating_30d, (range % 7 - 3) / 10 as net_sentiment,
        range = 17 as crisis_signal
        from {BRANDS} b(brand_id, n, t), range(28)""",
    "mart_reputation_alerts": f"""select brand_id, date '2026-10-22' as alert_date,
        'crisis' as alert_type, null::varchar as channel, 'negative_volume' as metric,
        9.0 as value, 6.5 as threshold from {BRANDS} b(brand_id, n, t)""",
    "mart_channel_attribution": f"""select 'month' as period_type,
        date '2026-10-01' as period_start,
        brand_id, channel_group, model, 3.0 as attributed_conversions,
        10.0 * length(channel_group) + length(model) as attributed_revenue
        from {BRANDS} b(brand_id, n, t),
        (values ('Organic Social'), ('Direct'), ('Paid Social')) g(channel_group),
        (values ('first_touch'), ('last_touch'), ('last_non_direct'), ('linear'),
                ('position_based'), ('time_decay')) m(model)""",
}

_MODEL_COLUMNS = ", ".join(
    f"{1.0 + i} as conversions_{m}, {10.0 * (i + 1)} as revenue_{m}"
    for i, m in enumerate(
        ["first_touch", "last_touch", "last_non_direct", "linear", "position_based", "time_decay"]
    )
)
MARTS["mart_post_conversions"] = f"""select 'p' || range as post_id, brand_id, platform,
    date '2026-10-06' + range::integer as published_date, 'Marque' as pillar, 'reel' as format,
    (5 + range)::bigint as sessions, {_MODEL_COLUMNS}
    from {BRANDS} b(brand_id, n, t), {PLATFORMS} p(platform), range(5)"""
MARTS["mart_pillar_conversions"] = f"""select brand_id, platform, pillar,
    date '2026-10-01' as month_start, {_MODEL_COLUMNS}
    from {BRANDS} b(brand_id, n, t), {PLATFORMS} p(platform),
    (values ('Marque'), ('Preuve')) x(pillar)"""
MARTS["mart_utm_quality"] = f"""select brand_id, week as week_start, 'post_link' as subject,
    'upper_case' as issue, 3::bigint as occurrences, 'p1, p2' as example_ids
    from {BRANDS} b(brand_id, n, t), {WEEKS}"""


def published_marts(folder: Path) -> Path:
    """Write the warehouse in ``folder`` and publish its marts; the published copy."""
    warehouse, published = folder / "warehouse.duckdb", folder / "published.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        for name, sql in MARTS.items():
            con.execute(f"create table marts.{name} as {sql}")
    publish_marts(warehouse, published)
    return published
