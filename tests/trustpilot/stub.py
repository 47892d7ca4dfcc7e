"""A tiny Trustpilot stub over real loopback HTTP: canned pages, a request log, queued faults."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

BU = "5f1e0a0b0c0d0e0f10111299"
KEY = "stub-key"
NOW = "Wed, 10 Dec 2025 23:59:59 GMT"


def review(n: int, day: int, **extra: Any) -> dict[str, Any]:
    """A well-formed review created on 2025-12-``day``."""
    out: dict[str, Any] = {
        "id": f"{n:024x}",
        "stars": 1 + n % 5,
        "title": f"title {n}",
        "text": f"text {n}",
        "language": "fr",
        "createdAt": f"2025-12-{day:02d}T10:00:00Z",
        "updatedAt": None,
        "experiencedAt": f"2025-12-{day:02d}T00:00:00Z",
        "consumer": {"id": f"c{n}", "displayName": f"Jean {n}.", "displayLocation": "Lyon"},
        "businessUnit": {"id": BU, "displayName": "Stub"},
        "isVerified": True,
        "numberOfLikes": n,
        "status": "active",
        "links": [],
    }
    out.update(extra)
    return out


class Stub:
    """Serves ``reviews`` newest first, ``per_page`` at a time, with next-page links."""

    def __init__(self, reviews: list[dict[str, Any]], per_page: int = 2) -> None:
        self.reviews, self.per_page = reviews, per_page
        self.log: list[str] = []
        self.faults: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                stub.log.append(self.path)
                status, body, headers = stub.answer(self.path, self.headers.get("apikey"))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Date", NOW)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str, key: str | None) -> tuple[int, Any, dict[str, str]]:
        if self.faults:
            return self.faults.pop(0)
        if key != KEY:
            fault = {
                "faultstring": "Invalid ApiKey",
                "detail": {"errorcode": "oauth.v2.InvalidApiKey"},
            }
            return 401, {"fault": fault}, {}
        url = urlparse(path)
        if url.path == f"/v1/business-units/{BU}":
            score = {"trustScore": 4.2, "stars": 4.0}
            return (
                200,
                {"id": BU, "displayName": "Stub", "score": score, "numberOfReviews": {"total": 5}},
                {},
            )
        if url.path != f"/v1/business-units/{BU}/reviews":
            return 404, {"message": "Not Found", "details": url.path}, {}
        q = parse_qs(url.query)
        page, per = int(q.get("page", ["1"])[0]), int(q.get("perPage", [str(self.per_page)])[0])
        chunk = self.reviews[(page - 1) * per : page * per]
        links = []
        if page * per < len(self.reviews):
            href = f"{self.base_url}{url.path}?page={page + 1}&perPage={per}"
            links.append({"href": href, "method": "GET", "rel": "next-page"})
        return 200, {"reviews": chunk, "links": links}, {}

    def __enter__(self) -> Stub:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
