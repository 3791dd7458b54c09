"""The web shop's routes under ``/v1/stores/{store}/...`` (a shop's own bearer token).

``POST orders`` books a paid order; ``GET stock`` gives the levels and a cursor, ``GET
stock?after=CURSOR`` the changes since; ``GET points?card=C`` a card's balance. A shop's
token is scoped to its store: any other store in the path is refused (403, field
``store``). Refusals are ``{error, message, field}`` (the field that is wrong).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tui_pos.server import feed, webshop
from tui_pos.server.push import PushRefused
from tui_pos.server.webshop_wire import MAX_ORDER_BYTES, OrderError, parse_order

Db = Callable[[Callable[[psycopg.Connection], Any]], Awaitable[Any]]
Guarded = Callable[[Request, Callable[[], Awaitable[Response]]], Awaitable[Response]]

_CARD = re.compile(r"^[A-Za-z0-9-]{4,32}$")


def _bad(field: str, message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": "malformed", "message": message, "field": field}, status)


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is (or says it is) larger than ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return body


def routes(db: Db, guarded: Guarded, token_of: Callable[[Request], str]) -> list[Route]:
    """The shop's routes, sharing the API's pool (``db``) and refusal handling."""

    async def shop(request: Request) -> webshop.ShopIdentity:
        token = token_of(request)
        who: webshop.ShopIdentity = await db(lambda c: webshop.identify_shop(c, token))
        if request.path_params["store"] != who.store:
            raise PushRefused(
                403,
                "wrong_store",
                f"store: this token belongs to web shop {who.shop} of store {who.store}",
                field="store",
            )
        return who

    async def post_order(request: Request) -> Response:
        async def handle() -> Response:
            body = await read_capped(request, MAX_ORDER_BYTES)
            if body is None:
                return _bad("order", f"order: more than {MAX_ORDER_BYTES} bytes", 413)
            who = await shop(request)
            try:
                order = parse_order(body)
            except OrderError as exc:
                return _bad(exc.field, str(exc))
            answer = await db(lambda c: webshop.book_order(c, who, order))
            return JSONResponse(answer, 200 if answer["duplicate"] else 201)

        return await guarded(request, handle)

    async def stock(request: Request) -> Response:
        async def handle() -> Response:
            who = await shop(request)
            after = request.query_params.get("after")
            if after is None:
                return JSONResponse(await db(lambda c: webshop.stock_levels(c, who)))
            try:
                cursor = feed.parse_cursor(after)
            except ValueError as exc:
                return _bad("after", f"after: {exc}")
            limit_text = request.query_params.get("limit", str(webshop.MAX_STOCK_CHANGES))
            if not limit_text.isdigit() or not 1 <= int(limit_text) <= webshop.MAX_STOCK_CHANGES:
                return _bad("limit", f"limit: an integer from 1 to {webshop.MAX_STOCK_CHANGES}")
            limit = int(limit_text)
            return JSONResponse(await db(lambda c: webshop.stock_changes(c, who, cursor, limit)))

        return await guarded(request, handle)

    async def points(request: Request) -> Response:
        async def handle() -> Response:
            await shop(request)
            card = request.query_params.get("card", "")
            if not _CARD.match(card):
                return _bad("card", "card: 4-32 letters, digits or '-'")
            return JSONResponse(await db(lambda c: webshop.points_of(c, card)))

        return await guarded(request, handle)

    return [
        Route("/v1/stores/{store}/orders", post_order, methods=["POST"]),
        Route("/v1/stores/{store}/stock", stock),
        Route("/v1/stores/{store}/points", points),
    ]
