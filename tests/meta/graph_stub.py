"""A tiny Graph API stub on loopback, with a settable clock, queued faults and a request log.

It serves just enough of the Meta routes of docs/sources/meta.md for the source's tests to use
real HTTP (paging, errors, headers) at the root, like graph.facebook.com, without the sandbox.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

PAGE_ID = "104500000000001"
IG_ID = "17841400000000001"
TOKEN = "good-token"


def ts(value: datetime) -> str:
    """Meta's timestamp format."""
    return value.strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class Fault:
    """One canned error answer, served to the next request matching ``path_contains``."""

    status: int
    body: dict[str, Any] | str  # a str is sent as is (e.g. a truncated body)
    headers: dict[str, str] = field(default_factory=dict)
    path_contains: str = ""


@dataclass
class World:
    """The stub's data; tests mutate it between runs (add posts, advance the clock)."""

    now: datetime
    posts: list[dict[str, Any]] = field(default_factory=list)
    media: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    insights: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: deque[Fault] = field(default_factory=deque)
    log: list[str] = field(default_factory=list)
    raw_override: dict[str, Any] = field(default_factory=dict)


def throttle(
    code: int, status: int = 400, regain_minutes: float = 0, path_contains: str = ""
) -> Fault:
    """A Meta throttling answer with usage headers at 100%."""
    buc = {
        PAGE_ID: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 100,
                "total_time": 100,
                "estimated_time_to_regain_access": regain_minutes,
            }
        ]
    }
    return Fault(
        status,
        {
            "error": {
                "message": f"(#{code}) User request limit reached",
                "type": "OAuthException",
                "code": code,
                "is_transient": True,
                "fbtrace_id": "T1",
            }
        },
        {
            "X-App-Usage": json.dumps({"call_count": 100, "total_time": 100, "total_cputime": 100}),
            "X-Business-Use-Case-Usage": json.dumps(buc),
        },
        path_contains,
    )


class _Handler(BaseHTTPRequestHandler):
    world: World
    port: int

    def log_message(self, *args: Any) -> None:  # keep pytest output quiet
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        return format_datetime(self.world.now, usegmt=True)

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header(
            "X-App-Usage", json.dumps({"call_count": 5, "total_time": 1, "total_cputime": 1})
        )
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        w = self.world
        w.log.append(self.path)
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            expired = "expired" in self.headers.get("Authorization", "")
            sub = {"error_subcode": 463} if expired else {}
            msg = (
                "Error validating access token: Session has expired"
                if sub
                else "Invalid OAuth access token - Cannot parse access token"
            )
            return self._send(
                400,
                {
                    "error": {
                        "message": msg,
                        "type": "OAuthException",
                        "code": 190,
                        "fbtrace_id": "A1",
                        **sub,
                    }
                },
            )
        for fault in list(w.faults):
            if fault.path_contains in self.path:  # path and query: a lookup's fields too
                w.faults.remove(fault)
                return self._send(fault.status, fault.body, fault.headers)
        parts = url.path.strip("/").split("/")[1:]  # drop the version
        if not parts and "ids" in q:
            found = {i: self._lookup(i) for i in q["ids"].split(",")}
            edge = re.match(r"comments\.[^{]*?limit\((\d+)\)[^{]*\{", q.get("fields", ""))
            for obj_id, obj in found.items():
                if edge:  # field expansion: the first page of each post's comments edge
                    path = f"{url.path.rstrip('/')}/{obj_id}/comments"
                    obj["comments"] = self._edge(path, {"limit": edge.group(1)}, obj_id)
            return self._send(200, found)
        obj = parts[0]
        edge = parts[1] if len(parts) > 1 else None
        if edge is None:
            return self._send(200, self._account(obj))
        if edge in ("published_posts", "media"):
            items = w.posts if edge == "published_posts" else w.media
            key = "created_time" if edge == "published_posts" else "timestamp"
            # malformed timestamps stay visible: the source must quarantine them
            visible = sorted(
                (p for p in items if not str(p.get(key))[:1].isdigit() or p[key] <= ts(w.now)),
                key=lambda p: str(p.get(key)),
                reverse=True,
            )
            return self._page(url.path, q, visible)
        if edge == "comments":
            return self._page(url.path, q, w.comments.get(obj, []))
        if edge == "insights":
            return self._send(200, self._series(q))
        return self._send(404, {"error": {"message": "unknown path", "code": 803}})

    def _edge(self, path: str, q: dict[str, str], obj_id: str) -> dict[str, Any]:
        return self._paged(path, q, self.world.comments.get(obj_id, []))

    def _page(self, path: str, q: dict[str, str], items: list[Any]) -> None:
        self._send(200, self._paged(path, q, items))

    def _paged(self, path: str, q: dict[str, str], items: list[Any]) -> dict[str, Any]:
        limit = int(q.get("limit", 25))
        start = int(base64.b64decode(q["after"]).decode()) if "after" in q else 0
        chunk = items[start : start + limit]
        paging: dict[str, Any] = {"cursors": {"before": base64.b64encode(b"0").decode()}}
        if start + limit < len(items):
            after = base64.b64encode(str(start + limit).encode()).decode()
            paging["cursors"]["after"] = after
            nq = {**q, "after": after}
            paging["next"] = f"http://127.0.0.1:{self.port}{path}?{urlencode(nq)}"
        return {"data": chunk, "paging": paging}

    def _account(self, obj: str) -> dict[str, Any]:
        if obj in self.world.raw_override:
            return self.world.raw_override[obj]
        if obj == PAGE_ID:
            return {
                "id": PAGE_ID,
                "name": "Maison",
                "username": "maison",
                "category": "Shop",
                "link": "https://fb.example/maison",
                "followers_count": 1200,
                "fan_count": 1100,
            }
        return {
            "id": IG_ID,
            "username": "maison.ig",
            "name": "Maison",
            "followers_count": 900,
            "follows_count": 10,
            "media_count": len(self.world.media),
        }

    def _lookup(self, obj_id: str) -> dict[str, Any]:
        n = len(self.world.comments.get(obj_id, []))
        extra = self.world.insights.get(obj_id, {})
        if any(m.get("id") == obj_id for m in self.world.media):
            return {
                "id": obj_id,
                "like_count": 12,
                "comments_count": n,
                "insights": {
                    "data": [{"name": "reach", "period": "lifetime", "values": [{"value": 300}]}]
                },
                **extra,
            }
        return {
            "id": obj_id,
            "reactions": {"data": [], "summary": {"total_count": 7}},
            "comments": {"data": [], "summary": {"total_count": n}},
            "shares": {"count": 2},
            "insights": {
                "data": [
                    {"name": "post_media_view", "period": "lifetime", "values": [{"value": 500}]},
                    {
                        "name": "post_reactions_by_type_total",
                        "period": "lifetime",
                        "values": [{"value": {"like": 5, "love": 2}}],
                    },
                ]
            },
            **extra,
        }

    def _series(self, q: dict[str, str]) -> dict[str, Any]:
        since, until = date.fromisoformat(q["since"]), date.fromisoformat(q["until"])
        values = []
        day = since
        while day < until and day <= self.world.now.date():
            end = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(days=1)
            values.append({"value": 1000 + day.toordinal() % 100, "end_time": ts(end)})
            day += timedelta(days=1)
        return {"data": [{"name": q["metric"], "period": "day", "values": values}]}


class GraphStub:
    """Context manager running the stub on an ephemeral loopback port."""

    def __init__(self, world: World) -> None:
        self.world = world
        handler = type("Handler", (_Handler,), {"world": world})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        handler.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{handler.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> GraphStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests_to(self, fragment: str) -> list[str]:
        """Logged request paths containing ``fragment``."""
        return [p for p in self.world.log if fragment in p]
