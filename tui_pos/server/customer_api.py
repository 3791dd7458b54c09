"""The API route of shared customers (``server/customers.py`` does the work):

``POST /v1/customers {documents: [document...]}`` with a till's token -> ``{documents:
[merged...]}``. At most 200 documents; every field of every document is checked
(:func:`tui_pos.domain.customer_merge.from_wire`) before the database is touched and the
first bad one is named as a path (``documents[3].fields.email.value``); unknown fields are
refused. Any valid till token may write (customers are the organisation's).

``GET /v1/customers/history?card=C`` with a till's token -> ``{card, visits: [{number,
channel, store, created_at, total_cents, items, codes}]}``: the card's latest till sales
and web orders in every store (``server/customer_history.py``), for the profile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tui_pos.domain.customer_merge import CustomerDocError, from_wire
from tui_pos.server import customer_history, customers
from tui_pos.server.push import TillIdentity
from tui_pos.server.wire import WireError

Db = Callable[[Callable[[psycopg.Connection], Any]], Awaitable[Any]]
Guarded = Callable[[Request, Callable[[], Awaitable[Response]]], Awaitable[Response]]
Who = Callable[[Request], Awaitable[TillIdentity]]
Body = Callable[[Request], Awaitable[bytes]]

MAX_DOCUMENTS = 200
_CARD = re.compile(r"^[A-Za-z0-9-]{1,40}$")


def parse(raw: bytes) -> list[Any]:
    """The checked documents of a push; WireError names the first bad field."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise WireError("the customers push is not JSON") from None
    if not isinstance(data, dict):
        raise WireError("the customers push must be a JSON object")
    unknown = sorted(set(data) - {"documents"})
    if unknown:
        raise WireError(f"{unknown[0]}: unknown field")
    docs = data.get("documents")
    if not isinstance(docs, list) or not 1 <= len(docs) <= MAX_DOCUMENTS:
        raise WireError(f"documents: must be a list of 1 to {MAX_DOCUMENTS} customers")
    try:
        parsed = [from_wire(doc, f"documents[{i}]") for i, doc in enumerate(docs)]
    except CustomerDocError as exc:
        raise WireError(str(exc)) from None
    if len({d.uuid for d in parsed}) != len(parsed):
        raise WireError("documents: a customer may appear once per push")
    return parsed


def routes(db: Db, guarded: Guarded, who: Who, body: Body) -> list[Route]:
    """The route, sharing the API's pool, refusals and token check (``api.build_app``)."""

    async def push_customers(request: Request) -> Response:
        async def handle() -> Response:
            raw = await body(request)
            ident = await who(request)
            docs = parse(raw)
            return JSONResponse(await db(lambda c: customers.push_customers(c, ident, docs)))

        return await guarded(request, handle)

    async def history(request: Request) -> Response:
        async def handle() -> Response:
            ident = await who(request)
            card = request.query_params.get("card", "")
            if not _CARD.match(card):
                raise WireError("card: must be a loyalty card number (1-40 letters or digits)")
            return JSONResponse(
                await db(lambda c: customer_history.customer_history(c, ident.store, card))
            )

        return await guarded(request, handle)

    return [
        Route("/v1/customers", push_customers, methods=["POST"]),
        Route("/v1/customers/history", history),
    ]
