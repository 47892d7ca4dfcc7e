"""The emulated Google My Business API v4 (reviews), mounted under ``/google_business``.

Real paths (``/v4/accounts/{a}/locations/{l}/reviews``), OAuth bearer auth, ``pageSize`` /
``pageToken`` / ``orderBy`` paging and google.rpc error bodies (``{"error": {code, message,
status, details}}``). Each page is one query on the world store; page tokens are opaque,
stable base64 keys, so they stay valid while the clock moves.
"""

from __future__ import annotations

import binascii
from datetime import datetime
from typing import Any

import duckdb
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.faults import ErrorResponse, FaultConfig
from sandbox.http import b64_json, b64_json_load, bearer_token, token_set
from sandbox.tokens import EXPIRED, VALID
from sandbox.vendors.google import (
    AUTH_HELP,
    GoogleError,
    GooglePathErrors,
    error_info,
    google_token_book,
    server_error,
    token_route,
)

from .translation import served_comment, served_reply
from .world import STARS, UPDATE_TIME, iso_z, location_summary

DEFAULT_TOKENS = "sandbox-google-business-token"
SCOPE = "https://www.googleapis.com/auth/business.manage"
MAX_PAGE_SIZE = 50
# developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list: "Valid
# orders to sort by are rating, rating desc and updateTime desc"; ascending updateTime "is not
# supported". Ties within a rating are not documented: newest updateTime first here.
ORDERS = {
    "updateTime desc": "update_time DESC, review_id DESC",
    "rating": "star_rating ASC, update_time DESC, review_id DESC",
    "rating desc": "star_rating DESC, update_time DESC, review_id DESC",
}
SERVICE = "mybusiness.googleapis.com"


def unauthenticated(reason: str, missing: bool = False) -> GoogleError:
    first = (
        "Request is missing required authentication credential."
        if missing
        else "Request had invalid authentication credentials."
    )
    return GoogleError(
        401,
        "UNAUTHENTICATED",
        f"{first} {AUTH_HELP}",
        [error_info(SERVICE, reason, method="google.mybusiness.v4.ListReviews")],
        {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'},
    )


def invalid_argument(field: str, description: str) -> GoogleError:
    return GoogleError(
        400,
        "INVALID_ARGUMENT",
        "Request contains an invalid argument.",
        [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field, "description": description}],
            }
        ],
    )


class GbpErrors(GooglePathErrors):
    """Google's dialect for the fault middleware (``VendorErrors``)."""

    name = "google_business"

    def throttle(self, n: int, path: str, cfg: FaultConfig) -> ErrorResponse:
        """429 RESOURCE_EXHAUSTED, per-minute quota; ``Retry-After`` = regain_minutes x 60."""
        err = GoogleError(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of "
            f"service '{SERVICE}' for consumer 'project_number:764086051850'.",
            [
                error_info(
                    SERVICE,
                    "RATE_LIMIT_EXCEEDED",
                    quota_metric=f"{SERVICE}/default_requests",
                    quota_limit="DefaultRequestsPerMinutePerProject",
                    quota_limit_value="300",
                    consumer="projects/764086051850",
                ),
                {
                    "@type": "type.googleapis.com/google.rpc.Help",
                    "links": [
                        {
                            "description": "Request a higher quota limit.",
                            "url": "https://cloud.google.com/docs/quota#requesting_higher_quota",
                        }
                    ],
                },
            ],
            cfg.retry_after(),
        )
        return err.response()

    def server_error(self, n: int, path: str) -> ErrorResponse:
        return server_error(n).response()

    def token_expired(self, path: str) -> ErrorResponse:
        return unauthenticated("ACCESS_TOKEN_EXPIRED").response()


class GbpApi:
    """Routes of the reviews API over the read-only world connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, clock: Any, tokens: str | None = None):
        self.con, self.clock = con, clock
        self.tokens = token_set(tokens, "SANDBOX_GOOGLE_BUSINESS_TOKENS", DEFAULT_TOKENS)
        self.token_book = google_token_book("google_business", self.tokens)  # 1-hour tokens
        self.errors = GbpErrors()
        cur = con.cursor()
        found = cur.execute("SELECT location_name, brand_id, lang FROM gbp_locations").fetchall()
        cur.close()
        self.locations = {name: brand for name, brand, _ in found}
        self.langs = {name: lang for name, _, lang in found}
        self.accounts = {name.split("/locations/")[0] for name in self.locations}

    def routes(self) -> list[Route]:
        base = "/v4/accounts/{account}/locations/{location}/reviews"
        return [
            Route(base, self.list_reviews),
            Route(base + "/{review}", self.get_review),
            token_route(self.token_book, SCOPE),  # Google's OAuth server (before the catch-all)
            Route("/{path:path}", self.unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ]

    # --- auth and scope ----------------------------------------------------------------------

    def _auth(self, request: Request, account: str) -> None:
        """Bearer token (or ``access_token``); ``{token}@{account number}`` limits to accounts."""
        token = bearer_token(request) or request.query_params.get("access_token", "")
        if not token:
            raise unauthenticated("CREDENTIALS_MISSING", missing=True)
        base, _, scope = token.partition("@")
        state = self.token_book.status(base)
        if state != VALID:  # an expired token says so in its ErrorInfo reason
            raise unauthenticated(
                "ACCESS_TOKEN_EXPIRED" if state == EXPIRED else "ACCESS_TOKEN_TYPE_UNSUPPORTED"
            )
        if f"accounts/{account}" not in self.accounts or (
            scope and account not in scope.split("+")
        ):
            raise GoogleError(403, "PERMISSION_DENIED", "The caller does not have permission")

    def _location(self, request: Request) -> str:
        account, location = request.path_params["account"], request.path_params["location"]
        self._auth(request, account)
        name = f"accounts/{account}/locations/{location}"
        if name not in self.locations:
            raise GoogleError(404, "NOT_FOUND", "Requested entity was not found.")
        return name

    # --- routes ------------------------------------------------------------------------------

    def list_reviews(self, request: Request) -> JSONResponse:
        try:
            return JSONResponse(self._list(request))
        except GoogleError as err:
            return err.json()

    def get_review(self, request: Request) -> JSONResponse:
        try:
            location = self._location(request)
            now = self.clock.now
            cur = self.con.cursor()
            try:
                found = self._select(
                    cur,
                    location,
                    now,
                    "review_id = $review",
                    {"review": request.path_params["review"]},
                )
            finally:
                cur.close()
            if not found:
                raise GoogleError(404, "NOT_FOUND", "Requested entity was not found.")
            return JSONResponse(review_json(found[0], now, self.langs[location]))
        except GoogleError as err:
            return err.json()

    def unknown(self, request: Request) -> JSONResponse:
        """Any other path: version ``v4`` only (v1-v3 were sunset); Google's 404."""
        err = GoogleError(404, "NOT_FOUND", "Method not found.")
        if not request.url.path.split("/google_business/", 1)[-1].startswith("v4/"):
            err = GoogleError(
                404,
                "NOT_FOUND",
                "Method not found. Only API version v4 serves reviews; other versions are retired.",
            )
        return err.json()

    def _list(self, request: Request) -> dict[str, Any]:
        location = self._location(request)
        params = request.query_params
        try:
            size = int(params.get("pageSize") or MAX_PAGE_SIZE)
        except ValueError:
            raise invalid_argument("page_size", "Invalid value, expected an integer.") from None
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise invalid_argument("page_size", f"Page size must be between 1 and {MAX_PAGE_SIZE}.")
        order = params.get("orderBy") or "updateTime desc"
        if order not in ORDERS:
            raise invalid_argument("order_by", f"Unsupported order: {order!r}.")
        key = decode_token(params.get("pageToken"), order)
        now = self.clock.now
        where, args = "TRUE", {}
        if "offset" in key:
            offset = key["offset"]
        else:
            offset = 0
            if key:
                where = "(update_time < $u OR (update_time = $u AND review_id < $r))"
                args = {"u": datetime.fromisoformat(key["u"]), "r": key["r"]}
        cur = self.con.cursor()
        try:
            found = self._select(cur, location, now, where, args, ORDERS[order], size + 1, offset)
            summary = location_summary(cur, location, now)
        finally:
            cur.close()
        lang = self.langs[location]
        body: dict[str, Any] = {"reviews": [review_json(r, now, lang) for r in found[:size]]}
        if not body["reviews"]:
            body = {}
        body.update(summary)
        if len(found) > size:
            last = found[size - 1]
            nxt = (
                {"offset": offset + size}
                if order != "updateTime desc"
                else {"u": last["update_time"].isoformat(), "r": last["review_id"]}
            )
            body["nextPageToken"] = encode_token(nxt, order)
        return body

    @staticmethod
    def _select(
        cur: duckdb.DuckDBPyConnection,
        location: str,
        now: datetime,
        where: str,
        args: dict[str, Any],
        order: str = "update_time DESC, review_id DESC",
        limit: int = 1,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        result = cur.execute(
            f"SELECT * FROM (SELECT *, {UPDATE_TIME} AS update_time FROM gbp_reviews "
            "WHERE location_name = $loc AND create_time <= $now) "
            f"WHERE {where} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}",
            {"loc": location, "now": now, **args},
        )
        names = [d[0] for d in result.description]
        return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def review_json(row: dict[str, Any], now: datetime, location_lang: str) -> dict[str, Any]:
    """One review as the API serves it: optional fields absent, never null; a review in another
    language than the location's wrapped in Google's translation envelope."""
    reviewer: dict[str, Any] = {"isAnonymous": bool(row["is_anonymous"])}
    if not row["is_anonymous"]:
        reviewer["displayName"] = row["reviewer_name"]
        if row["reviewer_photo_url"]:
            reviewer["profilePhotoUrl"] = row["reviewer_photo_url"]
    out: dict[str, Any] = {
        "name": row["review_name"],
        "reviewId": row["review_id"],
        "reviewer": reviewer,
        "starRating": STARS[row["star_rating"]],
    }
    comment = served_comment(row["comment"], row["lang"], location_lang)
    if comment is not None:
        out["comment"] = comment
    out["createTime"] = iso_z(row["create_time"])
    out["updateTime"] = iso_z(row["update_time"])
    if row["reply_time"] is not None and row["reply_time"] <= now:
        out["reviewReply"] = {
            "comment": served_reply(row["reply_comment"], row["lang"], location_lang),
            "updateTime": iso_z(row["reply_time"]),
        }
    return out


def encode_token(key: dict[str, Any], order: str) -> str:
    return b64_json({"o": order, **key}, compact=True)


def decode_token(token: str | None, order: str) -> dict[str, Any]:
    """The page key of a token ({} for the first page); a foreign or broken token is a 400."""
    if not token:
        return {}
    try:
        key = b64_json_load(token)
        if not isinstance(key, dict) or key.pop("o", None) != order:
            raise ValueError("token of another query")
        if "offset" in key:
            key["offset"] = int(key["offset"])
        else:
            datetime.fromisoformat(key["u"])
            str(key["r"])
        return key
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid_argument("page_token", "Invalid page token.") from None
