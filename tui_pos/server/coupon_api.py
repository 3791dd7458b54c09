"""The API routes of coupons and unsubscribes (``server/coupons.py`` does the work):

- ``POST /v1/coupons/reserve {code, sale}`` with the till's token -> ``{code, sale, till,
  reserved}``; 409 ``used`` (the message names the till) when another sale redeemed or
  holds the coupon; 400 for a malformed code or sale uuid.
- ``POST /v1/unsubscribe {token}`` (no till token: it comes from a customer's mail link)
  -> 202 ``{token, recorded, message}`` (``recorded`` false when it came before); 400 for
  a malformed token. The tills apply it from the change feed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tui_pos.domain.coupons import is_coupon_code
from tui_pos.domain.mail import MailError, check_unsubscribe_token
from tui_pos.server import coupons
from tui_pos.server.push import TillIdentity
from tui_pos.server.wire import WireError

Db = Callable[[Callable[[psycopg.Connection], Any]], Awaitable[Any]]
Guarded = Callable[[Request, Callable[[], Awaitable[Response]]], Awaitable[Response]]
Who = Callable[[Request], Awaitable[TillIdentity]]
Body = Callable[[Request], Awaitable[bytes]]


def _object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        raise WireError(f"the {what} is not JSON") from None
    if not isinstance(data, dict):
        raise WireError(f"the {what} must be a JSON object")
    return data


def routes(db: Db, guarded: Guarded, who: Who, body: Body) -> list[Route]:
    """The routes, sharing the API's pool, refusals and token check (``api.build_app``)."""

    async def reserve(request: Request) -> Response:
        async def handle() -> Response:
            data = _object(await body(request), "reservation")
            ident = await who(request)
            code, sale = data.get("code"), data.get("sale")
            if not isinstance(code, str) or not is_coupon_code(code):
                raise WireError("'code' must be a coupon code (CP and 10 letters/digits)")
            if not isinstance(sale, str) or not 1 <= len(sale) <= 64 or not sale.isalnum():
                raise WireError("'sale' must be the uuid of the sale that redeems the coupon")
            answer = await db(lambda c: coupons.reserve(c, ident, code, sale))
            return JSONResponse(answer)

        return await guarded(request, handle)

    async def unsubscribe(request: Request) -> Response:
        async def handle() -> Response:
            data = _object(await body(request), "unsubscribe request")
            text = data.get("token")
            try:
                token = check_unsubscribe_token(text if isinstance(text, str) else "")
            except MailError as exc:
                raise WireError(str(exc)) from None
            new = await db(lambda c: coupons.record_unsubscribe(c, token))
            message = (
                "recorded: the shop will send you no more offers"
                if new
                else "already recorded: the shop will send you no more offers"
            )
            return JSONResponse(
                {"token": token, "recorded": new, "message": message}, status_code=202
            )

        return await guarded(request, handle)

    return [
        Route("/v1/coupons/reserve", reserve, methods=["POST"]),
        Route("/v1/unsubscribe", unsubscribe, methods=["POST"]),
    ]
