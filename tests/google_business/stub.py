"""A tiny loopback Google Business Profile stub for the unit tests: serves given pages of
reviews for one location and logs every query."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LOC1 = "accounts/110000000000000000001/locations/2100000000000000001"


class StubHandler(BaseHTTPRequestHandler):
    """Serves ``pages`` (token -> body) for ``/v4/{LOC1}/reviews``; logs each query."""

    pages: dict[str, Any] = {}
    log: list[dict[str, list[str]]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        url = urlsplit(self.path)
        params = parse_qs(url.query)
        type(self).log.append(params)
        body = self.pages.get((params.get("pageToken") or [""])[0])
        status = 200 if body is not None and url.path == f"/v4/{LOC1}/reviews" else 404
        if status == 404:
            body = {
                "error": {
                    "code": 404,
                    "message": "Requested entity was not found.",
                    "status": "NOT_FOUND",
                }
            }
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Date", format_datetime(datetime(2025, 12, 10, 12, tzinfo=UTC), True))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def stub(pages: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    """A loopback GBP stub serving ``pages``; yields (base URL, request log)."""
    handler = type("Handler", (StubHandler,), {"pages": pages, "log": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", handler.log
    finally:
        server.shutdown()
        server.server_close()


def review(n: int, **extra: Any) -> dict[str, Any]:
    """A well-formed review of LOC1 (``extra`` overrides / removes with None values)."""
    out: dict[str, Any] = {
        "name": f"{LOC1}/reviews/R{n}",
        "reviewId": f"R{n}",
        "reviewer": {
            "displayName": f"Person {n}",
            "profilePhotoUrl": "https://lh3/x",
            "isAnonymous": False,
        },
        "starRating": "FOUR",
        "comment": "Bien",
        "createTime": f"2025-12-0{n}T10:00:00.123Z",
        "updateTime": f"2025-12-0{n}T10:00:00.123456789Z",
    }
    out.update(extra)
    return {k: v for k, v in out.items() if v is not None}
