"""Visits streamed to the store one brand at a time, numbered in SQL at the end.

Visit ids follow start time across every site (ties: registry order, then the brand's own
order), so they can only be given once every brand's visits exist. Rather than hold the whole
world's visits in memory (10 million at the scale world, sandbox/world/scale.py), each brand's
visits go to a staging table as soon as they are drawn; one window query then numbers them, and
the visits and their conversions are written from it in id order. DuckDB sorts out of core, so
memory stays bounded by one brand's visits.
"""

from __future__ import annotations

import hashlib
from typing import Any

import duckdb
import pyarrow as pa

from sandbox.vendors.web import channels as ch

PROFILE = ", ".join(f"{name} VARCHAR" for name in ch.Profile._fields)
STAGE_DDL = f"""
CREATE TABLE _web_stage (brand_no INTEGER, seq BIGINT, cookie BOOLEAN, brand_id VARCHAR,
    visitor_slot BIGINT, visitor_id VARCHAR, user_id VARCHAR, consent VARCHAR,
    consent_value VARCHAR, visit_count INTEGER, started_at TIMESTAMP, ended_at TIMESTAMP,
    visit_date DATE, {PROFILE}, landing_page VARCHAR, landing_query VARCHAR, post_id VARCHAR,
    post_platform VARCHAR, pageviews INTEGER, duration_s INTEGER, engaged BOOLEAN,
    device_type VARCHAR, ga4_lag INTEGER, key_events INTEGER, revenue DOUBLE,
    has_order BOOLEAN, has_news BOOLEAN, has_contact BOOLEAN, conv_offset BIGINT,
    day_end TIMESTAMP, items INTEGER)
"""
# web_visits' columns after visit_id, in its order; visitor_id is the cookie's or, for a
# visitor without a cookie, one of its own per visit (Matomo's cookieless tracking).
VISIT_COLUMNS = [
    "brand_id",
    "visitor_slot",
    "CASE WHEN s.cookie THEN s.visitor_id ELSE _cookieless(i.visit_id) END",
    "user_id",
    "consent",
    "consent_value",
    "visit_count",
    "started_at",
    "ended_at",
    "visit_date",
    *ch.Profile._fields,
    "landing_page",
    "landing_query",
    "post_id",
    "post_platform",
    "pageviews",
    "duration_s",
    "engaged",
    "device_type",
    "ga4_lag",
    "key_events",
    "revenue",
]
# One row per goal conversion or order; id = ``{idVisit}-{goalId}-{unix ts}`` (order: goal 0),
# goals a second or two apart but never after the visit's local midnight.
# Matomo's visitor-history lookup (sandbox/vendors/matomo/visit_fields.py) reads one page's
# visitorIds. web_visits is in start-time order, so that lookup scanned every brand's visits
# (184 ms a page at 50 brands, 1.3 s under load). This copy, in (brand, visitor) order, lets
# DuckDB's zone maps skip all but a few row groups: 5-8 ms. Derived from web_visits and
# web_conversions, it is not world content (world_hash leaves it out).
VISITOR_HISTORY = """
CREATE TABLE web_visitor_history AS
SELECT v.brand_id, v.visitor_id, v.visit_id, v.started_at, c.converted_at, c.revenue, c.items
FROM web_visits v LEFT JOIN web_conversions c
    ON c.visit_id = v.visit_id AND c.kind = 'ecommerceOrder'
ORDER BY v.brand_id, v.visitor_id, v.started_at
"""
CONVERSIONS = """
INSERT INTO web_conversions
SELECT format('{}-{}-{}', visit_id, goal, ts), visit_id, brand_id,
    CASE WHEN goal = 0 THEN 'ecommerceOrder' ELSE 'goal' END, goal,
    CASE goal WHEN 1 THEN 'Newsletter' WHEN 2 THEN 'Contact' END,
    CASE WHEN goal = 0 THEN format('ORD-{:08d}', visit_id) END,
    CASE WHEN goal = 0 THEN revenue ELSE 0.0 END, CASE WHEN goal = 0 THEN items ELSE 0 END,
    TIMESTAMP '1970-01-01' + to_seconds(ts)
FROM (
    SELECT i.visit_id, s.brand_id, g.goal, s.revenue, s.items,
        least(epoch_us(s.started_at + to_seconds(s.conv_offset)) // 1000000 + g.goal,
              epoch_us(s.day_end) // 1000000) AS ts
    FROM _web_stage s JOIN _web_ids i USING (brand_no, seq)
    JOIN (VALUES (0), (1), (2)) g(goal) ON (g.goal = 0 AND s.has_order)
        OR (g.goal = 1 AND s.has_news) OR (g.goal = 2 AND s.has_contact)
)
ORDER BY goal, visit_id
"""


def stage(con: duckdb.DuckDBPyConnection, columns: dict[str, Any]) -> int:
    """Append one brand's visits (numpy columns named as ``_web_stage``'s) to the stage."""
    if not _has_stage(con):
        con.execute(STAGE_DDL)
    batch = pa.table({name: pa.array(values) for name, values in columns.items()})
    con.register("_web_batch", batch)
    names = ", ".join(columns)
    con.execute(f"INSERT INTO _web_stage ({names}) SELECT {names} FROM _web_batch")
    con.unregister("_web_batch")
    return batch.num_rows


def _has_stage(con: duckdb.DuckDBPyConnection) -> bool:
    sql = "SELECT count(*) FROM duckdb_tables() WHERE table_name = '_web_stage'"
    return bool(con.execute(sql).fetchall()[0][0])


def _cookieless(salt: str) -> Any:
    """The per-visit visitorId of a visitor without a cookie: a hash of the visit id."""

    def ids(visit_ids: Any) -> pa.Array:
        return pa.array(
            hashlib.blake2b(f"{salt}:{v}".encode(), digest_size=8).hexdigest()
            for v in visit_ids.to_pylist()
        )

    return ids


def finish(con: duckdb.DuckDBPyConnection, seed: int) -> tuple[int, int]:
    """Number the staged visits by start time, write visits and conversions, drop the stage;
    returns (visits, conversions)."""
    if not _has_stage(con):
        return 0, 0
    con.execute(
        "CREATE TABLE _web_ids AS SELECT brand_no, seq, "
        "row_number() OVER (ORDER BY started_at, brand_no, seq) AS visit_id FROM _web_stage"
    )
    con.create_function(
        "_cookieless", _cookieless(f"{seed}:cookieless"), ["BIGINT"], "VARCHAR", type="arrow"
    )
    select = ", ".join(c if c.startswith("CASE") else f"s.{c}" for c in VISIT_COLUMNS)
    con.execute(
        f"INSERT INTO web_visits SELECT i.visit_id, {select} "
        "FROM _web_stage s JOIN _web_ids i USING (brand_no, seq) ORDER BY i.visit_id"
    )
    con.remove_function("_cookieless")
    con.execute(CONVERSIONS)
    con.execute(VISITOR_HISTORY)
    visits = con.execute("SELECT count(*) FROM _web_ids").fetchall()[0][0]
    conversions = con.execute("SELECT count(*) FROM web_conversions").fetchall()[0][0]
    con.execute("DROP TABLE _web_ids")
    con.execute("DROP TABLE _web_stage")
    return int(visits), int(conversions)
