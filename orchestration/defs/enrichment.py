"""Sentiment and language of every inbound text, computed offline in Python.

Writes ``enrichment.text_sentiment`` (one row per item_key) in the warehouse; dbt reads it as
``source('enrichment', 'text_sentiment')``, whose key equals this asset's, so lineage runs from
the raw tables through this asset to the reputation marts. Incremental: only texts that are new,
whose text changed (md5) or that an older method version scored are scored again; rows whose
item left the raw tables are deleted. No network call: the lexicons and language models ship in
the PyPI packages (docs/sentiment.md).
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from enrichment.store import SCHEMA, refresh_text_sentiment
from enrichment.texts import TEXT_SOURCES
from orchestration.defs.automation import FOLLOW_UPSTREAMS
from orchestration.defs.warehouse import Warehouse
from orchestration.settings import DUCKDB_POOL

RAW_TEXT_KEYS = sorted({AssetKey([s.schema, s.table]) for s in TEXT_SOURCES}, key=str)


@asset(
    key=AssetKey([SCHEMA, "text_sentiment"]),
    deps=RAW_TEXT_KEYS,
    group_name="enrichment",
    pool=DUCKDB_POOL,
    kinds={"python", "duckdb"},
    automation_condition=FOLLOW_UPSTREAMS,  # new reviews get their sentiment with their marts
    description="Sentiment (score, label, method) and language of every inbound comment, "
    "mention and review text; incremental on item_key and an md5 of the text.",
)
def text_sentiment(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    with warehouse.slot("enrichment text_sentiment", context.log.info):
        con = warehouse.connect(read_only=False)
        try:
            counts = refresh_text_sentiment(con)
        finally:
            con.close()
    context.log.info(f"text_sentiment: {counts}")
    return MaterializeResult(metadata=counts)
