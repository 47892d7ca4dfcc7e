"""Paging faults: valid answers that still trip a client (a short page, a page served twice, a
cursor that loops, a record with a field of the wrong type).

Unlike the error faults of ``sandbox/faults.py`` these need no vendor renderer: they act on
the request's paging parameters and on the JSON the vendor itself produced, so they work on
every vendor whose paging parameter is named below. A *listing* is one list call (method, path
and parameters without the cursor); the middleware remembers the pages each listing served so
it can serve one again.

Vendor behaviour emulated:
- ``short_page``: the vendor answers fewer items than asked with a next cursor still present.
  Graph API: "A query may return fewer than the value of limit due to filtering. Do not depend
  on the number of results being fewer than the limit value to indicate that your query
  reached the end of the list of data, use the absence of next instead."
  (https://developers.facebook.com/docs/graph-api/results); X: "Once a response is returned
  without a next_token value, it can be assumed that all results have been paged through"
  (https://developer.x.com/en/docs/x-api/pagination); YouTube's ``maxResults``, Google
  Business's ``pageSize`` and TikTok's ``max_count`` are documented as maximums, the end as
  the absence of ``nextPageToken`` / ``has_more: false``. Emulated by
  asking the vendor for half the limit, so the next cursor is the vendor's own (nothing is
  dropped on the server side). Also GA4's runReport, an offset paging that documents it: "The
  API returns a maximum of 250,000 rows per request, no matter how many you ask for [...] The
  API can also return fewer rows than the requested limit", ``rowCount`` giving the total
  (https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/properties/runReport).
  Not for the other offset or page-number paging (LinkedIn ``start``/``count``, Matomo
  ``filter_offset``/``filter_limit``, Trustpilot ``page``/``perPage``): a short page there
  would shift the next offset or page, which those vendors do not document.
- ``repeat_page``: the previous page of the listing is served again in place of the one asked
  (a stale cache or a load balancer replaying an answer).
- ``loop_cursor``: a page whose next cursor leads back to the listing's first page, forever
  (the request that was looped keeps getting the first page). Only where the client follows
  the server's cursor or link (not GA4's or Matomo's offsets, which the client computes).
- ``wrong_type``: one record of a page gets one field in the other JSON type with the same
  meaning (an id's digits as a number, a count as a string of digits), as an API does when it
  changes a field's type: the client must read it or quarantine the record, never drop it
  silently or load it under another key.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

PAGING_KINDS = ("short_page", "repeat_page", "loop_cursor", "wrong_type")

CURSOR_PARAMS = ("after", "pageToken", "pagination_token", "next_token", "cursor", "page", "start")
"""Cursors a client copies from the previous page: Meta ``after``, Google ``pageToken``, X
``pagination_token`` / ``next_token``, TikTok ``cursor`` (JSON body), the ``page`` of
Trustpilot's next-page link and the ``start`` of LinkedIn's ``rel: next`` link."""
OFFSET_PARAMS = ("offset", "filter_offset")
"""Offsets a client computes itself: GA4 ``offset``, Matomo ``filter_offset``."""
LIMIT_PARAMS = {"limit": 1, "maxResults": 1, "max_results": 10, "pageSize": 1, "max_count": 1}
"""Page-size parameters a short page may halve (Meta and GA4 ``limit``, YouTube, X, Google
Business, TikTok) and the smallest value each vendor accepts (X refuses
``max_results`` below 10 on search: https://docs.x.com/x-api/posts/search-recent-posts)."""

Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class PageRequest:
    """A request's paging view: its parameters (query plus a form or JSON body)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    body: bytes
    json_body: dict[str, Any] | None = None

    @classmethod
    def of(cls, scope: dict[str, Any], body: bytes) -> PageRequest:
        query = parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True)
        parsed: Any = None
        if body[:1] == b"{":
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        elif body:  # a form-encoded body (Matomo's POST) carries parameters like the query
            query = query + parse_qsl(body.decode(errors="replace"), keep_blank_values=True)
        json_body = parsed if isinstance(parsed, dict) else None
        return cls(scope.get("method", "GET"), scope.get("path", ""), query, body, json_body)

    def params(self) -> dict[str, Any]:
        return {**dict(self.query), **(self.json_body or {})}

    def position(self) -> tuple[str, Any] | None:
        """The cursor or offset this request asks from (None: the listing's first page)."""
        params = self.params()
        for name in (*CURSOR_PARAMS, *OFFSET_PARAMS):
            value = params.get(name)
            if value in (None, "", 0, "0") or (name == "page" and str(value) == "1"):
                continue
            return name, value
        return None

    def listing(self) -> str:
        """The list call without its position: the same for every page of one listing."""
        skip = {*CURSOR_PARAMS, *OFFSET_PARAMS}
        query = sorted((k, v) for k, v in self.query if k not in skip)
        body = {k: v for k, v in (self.json_body or {}).items() if k not in skip}
        return f"{self.method} {self.path}?{urlencode(query)} {json.dumps(body, sort_keys=True)}"

    def signature(self) -> str:
        return f"{self.method} {self.path}?{urlencode(sorted(self.query))} {self.body!r}"


@dataclass
class Listing:
    """What one listing served so far (the bodies of its first and latest pages)."""

    first: bytes | None = None
    last: bytes | None = None


@dataclass
class Served:
    """A held 200 answer: its start message and body."""

    start: dict[str, Any]
    body: bytes


@dataclass
class PagingFaults:
    """Decides and applies the paging faults; ``rates`` are per-request probabilities."""

    rates: dict[str, float]
    seed: int = 0
    max_fires: int = 0  # 0: no bound; else each kind fires at most this many times
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PAGING_KINDS, 0))
    _listings: dict[str, Listing] = field(default_factory=dict)
    _loops: dict[str, bytes] = field(default_factory=dict)
    mistyped: list[str] = field(default_factory=list)  # what ``wrong_type`` changed, in order
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"paging:{self.seed}")

    def active(self) -> bool:
        return any(self.rates.get(kind, 0.0) > 0 for kind in PAGING_KINDS)

    def _draw(self, kind: str) -> bool:
        """Whether ``kind`` fires on an eligible request (counted when it does)."""
        rate = self.rates.get(kind, 0.0)
        if rate <= 0 or (self.max_fires and self.counts[kind] >= self.max_fires):
            return False
        if self._rng.random() >= rate:
            return False
        self.counts[kind] += 1
        return True

    def choose(self, req: PageRequest) -> tuple[str | None, bytes | None]:
        """(kind, body to replay) for a request before the vendor sees it."""
        with self._lock:
            sig = req.signature()
            if sig in self._loops:  # a looped request keeps looping
                self.counts["loop_cursor"] += 1
                return "loop_cursor", self._loops[sig]
            position = req.position()
            key = req.listing()
            if position is None:
                self._listings[key] = Listing()  # a new listing starts
                seen = self._listings[key]
            else:
                seen = self._listings.setdefault(key, Listing())
            cursor = position is not None and position[0] in CURSOR_PARAMS
            if cursor and seen.first and self._draw("loop_cursor"):
                self._loops[sig] = seen.first
                return "loop_cursor", seen.first
            if position is not None and seen.last and self._draw("repeat_page"):
                return "repeat_page", seen.last
            if _limit_of(req) and self._draw("short_page"):
                return "short_page", None
            return None, None

    def served(self, req: PageRequest, body: bytes) -> bytes:
        """Note a 200 answer of the listing; returns it, possibly with one field mistyped."""
        with self._lock:
            parsed = _loads(body)
            if parsed is not None and mistype(_loads(body)) and self._draw("wrong_type"):
                self.mistyped.append(mistype(parsed) or "")
                body = json.dumps(parsed).encode()
            seen = self._listings.setdefault(req.listing(), Listing())
            if parsed is not None:
                seen.first = seen.first or body
                seen.last = body
            return body


def _loads(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _limit_of(req: PageRequest) -> tuple[str, int] | None:
    """(parameter, smaller value) when the request's page size can be halved."""
    params = req.params()
    for name, floor in LIMIT_PARAMS.items():
        raw = params.get(name)
        try:
            asked = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            continue
        if asked is not None and asked // 2 >= floor:
            return name, asked // 2
    return None


def shortened(scope: dict[str, Any], req: PageRequest) -> tuple[dict[str, Any], bytes]:
    """The scope and body of ``req`` asking for half its page size."""
    name, smaller = _limit_of(req) or ("", 0)
    if req.json_body is not None and name in req.json_body:
        body = json.dumps({**req.json_body, name: smaller}).encode()
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        return {**scope, "headers": headers}, body
    query = parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True)
    query = [(k, str(smaller) if k == name else v) for k, v in query]
    return {**scope, "query_string": urlencode(query).encode()}, req.body


RECORD_KEYS = ("data", "items", "elements", "reviews", "rows", "videos")
"""Where the vendors put a page's records (a bare list is Matomo's)."""


def _items(body: Any) -> list[dict[str, Any]] | None:
    """A page's records: the first non-empty list of objects under a ``RECORD_KEYS`` key
    (breadth first: ``data``, ``items``, ``elements``, ``reviews``, ``rows``, ``data.videos``),
    else the longest list of objects (never a short list of column headers beside them)."""
    found: list[list[dict[str, Any]]] = []
    queue: list[tuple[Any, Any]] = [(None, body)]
    while queue:
        key, node = queue.pop(0)
        if isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
            if key is None or key in RECORD_KEYS:
                return node
            found.append(node)
        elif isinstance(node, dict):
            queue.extend(node.items())
    return max(found, key=len) if found else None


def _is_id(key: Any) -> bool:
    return isinstance(key, str) and (key == "id" or key.endswith(("Id", "_id", "Urn")))


def _retyped(key: Any, value: Any) -> Any:
    """``value`` in another JSON type, same meaning (None: no such change): an id's digits as
    a number, a number's digits as a string, a boolean as ``"true"``/``"false"``. X documents
    both types for one id ("id" the number, "id_str" the string:
    https://developer.x.com/en/docs/x-ids)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def mistype(body: Any) -> str | None:
    """Give one field of the page's first record another JSON type (an id first, then a
    number, a string of digits, a boolean); says which (None: the page has no such field)."""
    items = _items(body)
    if not items:
        return None
    leaves = [(p, k, v, _retyped(k, v)) for p, k, v in _leaves(items[0])]
    candidates = [leaf for leaf in leaves if leaf[3] is not None]
    ids = [leaf for leaf in candidates if _is_id(leaf[1])]
    numbers = [leaf for leaf in candidates if type(leaf[2]) is int]
    digits = [leaf for leaf in candidates if isinstance(leaf[2], str)]
    for parent, key, value, new in (ids or numbers or digits or candidates)[:1]:
        parent[key] = new
        return f"{key}: {value!r} -> {new!r}"
    return None


def _leaves(node: Any) -> Any:
    """(container, key, value) of every scalar under ``node``, breadth first."""
    queue = [node]
    while queue:
        current = queue.pop(0)
        pairs = current.items() if isinstance(current, dict) else enumerate(current)
        for key, value in pairs:
            if isinstance(value, (dict, list)):
                queue.append(value)
            else:
                yield current, key, value
