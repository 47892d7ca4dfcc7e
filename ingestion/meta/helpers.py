"""Graph API paging over the shared retrying client (``ingestion.http.ApiClient``).

Every request goes through ``ApiClient`` with Meta's classifier (``errors.classify``): the
loop, backoff and wait budget are the ones every source shares; what is Meta's own is here:
URLs ``{base_url}/{api_version}/...`` (production ``https://graph.facebook.com``, the sandbox
``http://127.0.0.1:PORT/meta``), ``paging.next`` links, nested edges and multi-id lookups.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from ingestion.http import ApiClient, RetryPolicy, safe_url
from ingestion.session import Session

from . import settings as s
from .errors import MetaApiError, MetaConfigError, account_label, classify


@dataclass
class GraphResponse:
    """A decoded answer and the server's clock, which dates snapshots (sandbox or production)."""

    data: Any
    fetched_at: datetime
    headers: dict[str, str] = field(default_factory=dict)


class GraphClient:
    """One session against ``{base_url}/{api_version}``, token sent as a Bearer header."""

    def __init__(
        self,
        access_token: str,
        *,
        base_url: str = s.DEFAULT_BASE_URL,
        api_version: str = s.DEFAULT_API_VERSION,
        policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not access_token:
            raise MetaConfigError(
                "meta: no access token: set SOURCES__META__ACCESS_TOKEN or "
                "sources.meta.access_token in .dlt/secrets.toml"
            )
        self.api = ApiClient(
            source=s.SOURCE_NAME,
            base_url=f"{base_url.rstrip('/')}/{api_version.strip('/')}",
            classify=classify,
            policy=policy or RetryPolicy(),
            headers={"Authorization": f"Bearer {access_token}"},
            sleep=sleep,
            session=session or Session(),
        )

    def get(
        self,
        path_or_url: str,
        params: dict[str, Any] | None = None,
        *,
        platform: str,
        account_id: str,
    ) -> GraphResponse:
        """GET a path (relative to the version root) or a full ``paging.next`` URL, with retries."""
        answer = self.api.request(
            "GET", path_or_url, account=account_label(platform, account_id), params=params
        )
        return GraphResponse(answer.json(), answer.fetched_at, dict(answer.response.headers))

    def paginate(
        self,
        path: str,
        params: dict[str, Any],
        *,
        platform: str,
        account_id: str,
    ) -> Iterator[GraphResponse]:
        """Yield every page of a list edge, following ``paging.next`` until it is absent."""
        resp = self.get(path, params, platform=platform, account_id=account_id)
        yield resp
        yield from self._following(resp.data, platform=platform, account_id=account_id)

    def edge_pages(
        self, first: Any, fetched_at: datetime | None, *, platform: str, account_id: str
    ) -> Iterator[tuple[dict[str, Any], datetime | None]]:
        """An already fetched edge (an expanded ``comments{...}``, nested ``replies``) and its
        next pages, each with the server time it was fetched at."""
        if not isinstance(first, dict):
            return
        yield first, fetched_at
        for resp in self._following(first, platform=platform, account_id=account_id):
            if not isinstance(resp.data, dict):
                return
            yield resp.data, resp.fetched_at

    def follow(
        self, first: dict[str, Any], *, platform: str, account_id: str
    ) -> Iterator[dict[str, Any]]:
        """Items of an already fetched edge (e.g. nested ``replies``) and of its next pages."""
        for page, _ in self.edge_pages(first, None, platform=platform, account_id=account_id):
            yield from page.get("data") or []

    def _following(self, page: Any, *, platform: str, account_id: str) -> Iterator[GraphResponse]:
        """The pages after ``page`` by ``paging.next``; a link seen twice is a paging loop."""
        seen: set[str] = set()
        while nxt := next_url(page):
            if nxt in seen:
                raise MetaApiError(
                    f"paging loop: {safe_url(nxt)} repeated",
                    account=account_label(platform, account_id),
                )
            seen.add(nxt)
            resp = self.get(nxt, platform=platform, account_id=account_id)
            yield resp
            page = resp.data

    def lookup(
        self, ids: Sequence[str], fields: str, *, platform: str, account_id: str
    ) -> GraphResponse:
        """Graph multi-id lookup ``GET /{version}/?ids=a,b&fields=...`` (at most 50 ids)."""
        if len(ids) > s.LOOKUP_BATCH:
            raise ValueError(f"multi-id lookup takes at most {s.LOOKUP_BATCH} ids, got {len(ids)}")
        params = {"ids": ",".join(ids), "fields": fields}
        return self.get("", params, platform=platform, account_id=account_id)


def next_url(page: Any) -> str | None:
    """``paging.next`` of a Graph page, or None on the last page."""
    if not isinstance(page, dict):
        return None
    paging = page.get("paging")
    nxt = paging.get("next") if isinstance(paging, dict) else None
    return nxt if isinstance(nxt, str) and nxt else None
