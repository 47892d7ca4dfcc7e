"""The warehouse resource: where the DuckDB file and its published copy are, and its writer slot."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from pydantic import Field

from orchestration.settings import published_path, warehouse_lock_timeout_s, warehouse_path
from orchestration.writer_lock import writer_slot


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse file; connections are opened per step and closed at once,
    because DuckDB allows one writer process per file."""

    path: str = Field(default_factory=lambda: str(warehouse_path()))
    published: str = Field(default_factory=lambda: str(published_path()))

    lock_timeout_s: float = Field(default_factory=warehouse_lock_timeout_s)

    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(self.path, read_only=read_only)

    @contextlib.contextmanager
    def slot(self, holder: str, log: Callable[[str], None] | None = None) -> Iterator[float]:
        """The writer slot (``orchestration.writer_lock``) for the time a step has the file
        open; yields the seconds waited."""
        with writer_slot(Path(self.path), holder, self.lock_timeout_s, on_wait=log) as waited:
            yield waited
