"""The sources' own work, without the network: their extract-normalise-load fed recorded API
pages from disk, beside DuckDB's native ``read_json`` of the same records.

1. ``record``: each source runs once against the sandbox while every HTTP answer is written
   to a file (body as the API sent it, plus status and headers in an index).
2. ``replay``: each source runs again into a fresh warehouse with ``requests.Session.send``
   answering from those files: a file-backed requests adapter, not a local file server,
   because a server would put loopback HTTP (the cost this measures without) back in.
3. ``native``: the records of the same pages (the list of objects each page carries) are
   loaded by DuckDB's ``read_json`` into a fresh database, one table per endpoint.

Both rates count the same thing, the records in the API pages; their ratio is the figure the
goal is set on (the sources' work at least half of DuckDB's native JSON load rate).

A replay has no vendor to pace itself for: it runs with ``UNPACED``, the settings of a source
that waits between requests whatever the answers (HubSpot's five searches a second), set to no
wait. Waits the answers ask for (a recorded 429) are kept: they are part of the recording.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict

KEEP_HEADERS = ("content-type", "date", "retry-after", "link", "x-ratelimit-remaining")
# The sources' own pace between requests, in their dlt settings' environment names. HubSpot's
# 0.21 s between searches made its replay a measure of that wait (135 pages: 28 s of 28).
UNPACED = {"SOURCES__HUBSPOT__SEARCH_INTERVAL_S": "0"}


def request_key(request: requests.PreparedRequest) -> tuple[str, str]:
    """(exact key, loose key) of a request: method, path and query (host and port left out:
    a new sandbox listens on another port), plus a hash of the body; the loose key drops
    query and body, for answers replayed in order when a request carries a time or nonce."""
    parts = urlsplit(request.url or "")
    body = request.body or b""
    digest = hashlib.sha1(body if isinstance(body, bytes) else body.encode()).hexdigest()[:12]
    path = f"{request.method} {parts.path}"
    return f"{path}?{parts.query} {digest}", path


def records_of(body: Any) -> list[dict[str, Any]]:
    """The records a page carries: the page itself if a list of objects, else its longest
    list of objects up to two levels down (``data``, ``items``, ``elements``, ``rows``...);
    for a batch keyed by id (Meta's ``?ids=``), the records of every entry."""
    if isinstance(body, dict) and body and all(re.fullmatch(r"[\d_]+", k) for k in body):
        return [record for entry in body.values() for record in records_of(entry)]
    best: list[dict[str, Any]] = []
    todo: list[tuple[Any, int]] = [(body, 0)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            best = value if len(value) > len(best) else best
        if depth < 2 and isinstance(value, dict):
            todo.extend((v, depth + 1) for v in value.values())
    return best


def endpoint_name(path: str) -> str:
    """A table name for an endpoint: its path with ids collapsed (``meta/_id_/comments``)."""
    words = [re.sub(r"\d{3,}|[0-9a-f]{16,}", "_id_", w) for w in path.strip("/").split("/")]
    return re.sub(r"[^a-z0-9_]+", "_", "_".join(words).lower())[:60]


@contextlib.contextmanager
def recording(directory: Path) -> Iterator[dict[str, int]]:
    """Write every answer of this process's requests under ``directory``: ``pages/<n>.json``
    bodies, ``index.jsonl`` their keys, status and headers, ``records/<endpoint>.jsonl`` the
    records each page carries. Yields records written per endpoint."""
    (directory / "pages").mkdir(parents=True, exist_ok=True)
    (directory / "records").mkdir(exist_ok=True)
    original = requests.Session.send
    counts: dict[str, int] = defaultdict(int)
    index = (directory / "index.jsonl").open("w")

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        answer = original(self, request, **kwargs)
        exact, loose = request_key(request)
        page = directory / "pages" / f"{len(pages)}.json"
        pages.append(page.name)
        page.write_bytes(answer.content)
        headers = {k: v for k, v in answer.headers.items() if k.lower() in KEEP_HEADERS}
        line = {"exact": exact, "loose": loose, "status": answer.status_code,
                "headers": headers, "page": page.name}  # fmt: skip
        index.write(json.dumps(line) + "\n")
        _write_records(directory, answer, loose, counts)
        return answer

    pages: list[str] = []
    requests.Session.send = send  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        requests.Session.send = original  # type: ignore[method-assign]
        index.close()


def _write_records(directory: Path, answer: Any, loose: str, counts: dict[str, int]) -> None:
    if answer.status_code != 200:
        return
    try:
        records = records_of(answer.json())
    except ValueError:
        return
    if not records:
        return
    name = endpoint_name(loose.split(" ", 1)[1])
    with (directory / "records" / f"{name}.jsonl").open("a") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
    counts[name] += len(records)


class FileReplay:
    """Answers requests from a recording: the exact request if recorded, else the next
    answer recorded for the same method and path (a token grant signed at another second)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.exact: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
        self.loose: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
        for line in (directory / "index.jsonl").read_text().splitlines():
            entry = json.loads(line)
            self.exact[entry["exact"]].append(entry)
            self.loose[entry["loose"]].append(entry)
        self.misses = 0

    def answer(self, request: requests.PreparedRequest) -> requests.Response:
        exact, loose = request_key(request)
        queue = self.exact.get(exact)
        if queue:
            entry = queue[0] if len(queue) == 1 else queue.popleft()
        elif self.loose.get(loose):
            self.misses += 1
            entry = self.loose[loose][0]
        else:
            raise LookupError(f"no recorded answer for {exact}")
        response = requests.Response()
        response.status_code = entry["status"]
        response.headers = CaseInsensitiveDict(entry["headers"])
        response._content = (self.directory / "pages" / entry["page"]).read_bytes()
        response.url, response.request, response.encoding = request.url, request, "utf-8"
        return response

    @contextlib.contextmanager
    def installed(self) -> Iterator[FileReplay]:
        original = requests.Session.send

        def send(_self: requests.Session, request: requests.PreparedRequest, **_: Any) -> Any:
            return self.answer(request)

        requests.Session.send = send  # type: ignore[method-assign]
        try:
            yield self
        finally:
            requests.Session.send = original  # type: ignore[method-assign]


def unpaced() -> contextlib.AbstractContextManager[Any]:
    """The environment with ``UNPACED`` set, restored after."""
    return mock.patch.dict(os.environ, UNPACED)


def native_load(records_dir: Path, database: Path) -> dict[str, float]:
    """DuckDB's ``read_json`` of every endpoint's records into a fresh ``database``: seconds
    and rows loaded."""
    import duckdb

    database.parent.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(database))
    rows = 0
    try:
        for path in sorted(records_dir.glob("*.jsonl")):
            con.execute(
                f'create table "{path.stem}" as select * from read_json(?, '
                "format = 'newline_delimited', sample_size = -1)",
                [str(path)],
            )
            rows += con.execute(f'select count(*) from "{path.stem}"').fetchone()[0]
    finally:
        con.close()
    return {"seconds": time.perf_counter() - started, "records": rows}


def ingest_work(names: list[str], url: str, workdir: Path, runs: int) -> dict[str, Any]:
    """Per source: record its pages once (sandbox at ``url``), then ``runs`` replays from disk
    and ``runs`` native loads of the same records; every run's seconds and the records."""
    from ingestion.catalogue import source_named
    from orchestration.defs.ingestion import pipeline_for
    from orchestration.defs.warehouse import Warehouse

    def run_into(name: str, folder: Path) -> None:
        warehouse = Warehouse(path=str(folder / "w.duckdb"), dlt_dir=str(folder / "dlt"),
                              sandbox_url=url)  # fmt: skip
        source = source_named(name)
        pipeline_for(source, warehouse).run(source.factory()).raise_on_failed_jobs()

    found: dict[str, Any] = {}
    for name in names:
        pages = workdir / "pages" / name
        with recording(pages) as counts:
            run_into(name, workdir / "recorded" / name)
        replay_s, native_s, misses = [], [], 0
        for i in range(runs):
            replay = FileReplay(pages)  # each replay answers the recording from its start
            started = time.perf_counter()
            with replay.installed(), unpaced():
                run_into(name, workdir / "replayed" / f"{name}-{i}")
            replay_s.append(time.perf_counter() - started)
            misses = max(misses, replay.misses)
            native = native_load(pages / "records", workdir / "native" / f"{name}-{i}.duckdb")
            native_s.append(native["seconds"])
        found[name] = {
            "api_records": sum(counts.values()),
            "native_records": native["records"],
            "pages": len((pages / "index.jsonl").read_text().splitlines()),
            "replay_seconds": replay_s,
            "native_seconds": native_s,
            "replay_misses": misses,
        }
        print(f"    {name:<16} replay {min(replay_s):6.2f} s, read_json {min(native_s):6.2f} s,"
              f" {found[name]['api_records']:,} records", flush=True)  # fmt: skip
    return found
