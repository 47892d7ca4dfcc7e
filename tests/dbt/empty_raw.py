"""Write the empty raw tables of every source but Meta (and the sentiment table), for the
dbt tests.

The dbt tests load hand-made Meta rows (fixtures/raw_meta.sql); the engagement marts union the
six social platforms, the conversion marts join web visits to the posts and reconcile Matomo
with GA4, the reputation marts join reviews and text sentiment to the comments: those tables
must exist, empty. Their DDL is copied from a warehouse that a real load produced (`make demo`,
plus one run of the enrichment asset):

    .venv/bin/python -m tests.dbt.empty_raw data/warehouse.duckdb \
        > tests/dbt/fixtures/raw_social_empty.sql
"""

from __future__ import annotations

import sys

import duckdb

SCHEMAS = (
    "raw_linkedin",
    "raw_x",
    "raw_youtube",
    "raw_tiktok",
    "raw_matomo",
    "raw_ga4",
    "raw_google_business",
    "raw_trustpilot",
    "raw_hubspot",  # fct_crm_deals and mart_deal_attribution join the CRM to fct_sessions
    "raw_brevo",  # the scorecard's e-mail rows
    "raw_search_console",  # mart_sxo_landing_pages
    # Written by the Dagster asset enrichment/text_sentiment, read by the reputation marts.
    "enrichment",
)


def ddl(warehouse: str) -> str:
    """CREATE statements for every data table (not dlt's bookkeeping) of SCHEMAS."""
    lines = []
    with duckdb.connect(warehouse, read_only=True) as con:
        for schema in SCHEMAS:
            lines.append(f"create schema if not exists {schema};")
            tables = con.execute(
                "select table_name from information_schema.tables where table_schema = ? "
                "and table_name not like '\\_dlt\\_%' escape '\\' order by table_name",
                [schema],
            ).fetchall()
            for (table,) in tables:
                columns = con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                body = ", ".join(f'"{name}" {kind}' for name, kind in columns)
                lines.append(f"create table {schema}.{table} ({body});")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(ddl(sys.argv[1]))
