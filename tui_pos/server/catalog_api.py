"""``POST /v1/catalog``: a signed catalog change from an enrolled till.

Body ``{"topic": "product", "by": {"id": 1, "name": "Ann", "role": "manager"},
"items": [{"key": "05900000000015", "body": {...}}, ...]}`` -> ``{"stored": N}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tui_pos.server import catalog
from tui_pos.server.push import TillIdentity
from tui_pos.server.wire import WireError

Db = Callable[[Callable[[psycopg.Connection], Any]], Awaitable[Any]]
Guard = Callable[[Request, Callable[[], Awaitable[Response]]], Awaitable[Response]]


def routes(
    db: Db,
    guarded: Guard,
    body_of: Callable[[Request], Awaitable[bytes]],
    who: Callable[[Request], Awaitable[TillIdentity]],
) -> list[Route]:
    async def change(request: Request) -> Response:
        async def handle() -> Response:
            ident = await who(request)
            try:
                data = json.loads(await body_of(request))
            except ValueError:
                raise WireError("the catalog change is not JSON") from None
            if not isinstance(data, dict):
                raise WireError("the catalog change must be a JSON object")
            by = catalog.parse_signer(data.get("by"))
            try:
                stored = await db(
                    lambda c: catalog.change(
                        c,
                        ident,
                        str(data.get("topic")),
                        by,
                        data.get("items"),
                    )
                )
            except catalog.CatalogRefused as exc:
                return JSONResponse(
                    {"error": "forbidden", "message": str(exc)}, status_code=exc.status
                )
            return JSONResponse({"stored": stored})

        return await guarded(request, handle)

    return [Route("/v1/catalog", change, methods=["POST"])]
