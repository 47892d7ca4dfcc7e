"""Where a secret could end up after a run, and how to search each place for it.

Files are searched byte for byte, gzip members decompressed (dlt's load packages are gzip);
DuckDB files are exported to CSV first (their pages are compressed, so their bytes would hide a
value), and dlt's pipeline state, stored in the warehouse as base64 of zlib, is decoded.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from tests.privacy.search import file_bytes

SECRET_ENV = re.compile(r"TOKEN|KEY|SECRET")
NOT_SECRET_ENV = re.compile(r"_URL$|API_VERSION$")
# Access tokens the sandbox's token endpoints mint (sandbox.tokens.TokenBook.refresh).
MINTED = re.compile(rb"(?:youtube|ga4|google_business|tiktok|linkedin|meta)-access-\d+")


def secrets_in(env: Mapping[str, str]) -> set[str]:
    """Every credential value of an environment: tokens, keys, secrets (JSON maps opened)."""
    found: set[str] = set()
    for name, value in env.items():
        if not SECRET_ENV.search(name) or NOT_SECRET_ENV.search(name):
            continue
        values = json.loads(value).values() if value.startswith("{") else [value]
        found |= {str(v) for v in values if len(str(v)) >= 8}
    return found


def leaks(blob: bytes, secrets: Iterable[str]) -> list[str]:
    """The secrets (or minted tokens) present in ``blob``."""
    hits = [s for s in secrets if s.encode() in blob]
    return hits + [m.decode() for m in MINTED.findall(blob)]


def file_leaks(root: Path, secrets: set[str]) -> dict[str, list[str]]:
    """``{file: [secrets]}`` for every file under ``root`` holding one (gzip opened)."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if hits := leaks(file_bytes(path), secrets):
            found[str(path.relative_to(root))] = hits
    return found


def table_leaks(db: Path, workdir: Path, secrets: set[str]) -> dict[str, list[str]]:
    """``{table file: [secrets]}`` over every table of a DuckDB file, exported as CSV, plus
    ``{schema._dlt_pipeline_state: [...]}`` for dlt's decoded state."""
    out = workdir / f"export_{db.stem}"
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute(f"EXPORT DATABASE '{out}' (FORMAT csv)")
        states = con.execute(
            "select table_schema from information_schema.tables "
            "where table_name = '_dlt_pipeline_state'"
        ).fetchall()
        decoded = {
            schema: [
                _decode_state(row[0])
                for row in con.execute(
                    f'select state from "{schema}"._dlt_pipeline_state'
                ).fetchall()
            ]
            for (schema,) in states
        }
    found = file_leaks(out, secrets)
    for schema, blobs in decoded.items():
        if hits := [h for blob in blobs for h in leaks(blob, secrets)]:
            found[f"{schema}._dlt_pipeline_state"] = hits
    return found


def table_count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(*) from information_schema.tables").fetchone()[0]


def _decode_state(value: str) -> bytes:
    """dlt's compressed state (base64 of zlib JSON); the raw text when it is not compressed."""
    try:
        return zlib.decompress(base64.b64decode(value))
    except (ValueError, zlib.error):
        return value.encode()
