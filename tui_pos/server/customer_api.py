"""The API route of shared customers (``server/customers.py`` does the work):

``POST /v1/customers {documents: [document...]}`` with a till's token -> ``{documents:
[merged...]}``. At most 200 documents; every field of every document is checked
(:func:`tui_pos.domain.customer_merge.from_wire`) before the database is touched and the
first bad one is named as a path (``documents[3].fields.email.value``); unknown fields are
refused. Any valid till token may write (customers are the organisation's).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tui_pos.domain.customer_merge import CustomerDocError, from_wire
from tui_pos.server import customers
from tui_pos.server.push import TillIdentity
from tui_pos.server.wire import WireError

Db = Callable[[Callable[[psycopg.Connection], Any]], Awaitable[Any]]
Guarded = Callable[[Request, Callable[[], Awaitable[Response]]], Awaitable[Response]]
Who = Callable[[Request], Awaitable[TillIdentity]]
Body = Callable[[Request], Awaitable[bytes]]

MAX_DOCUMENTS = 200


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

    return [Route("/v1/customers", push_customers, methods=["POST"])]
