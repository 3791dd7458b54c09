"""Tills' routes for returns of documents sold elsewhere (a till's token):
``GET /v1/returns?document=D`` (what is left), ``POST /v1/returns/claim``
``{document, claim, lines: [{position, qty_milli}]}`` (take it back, all or nothing, for
the server's lease) and ``POST /v1/returns/release {claim}`` (the return was abandoned)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tui_pos.server import returns
from tui_pos.server.push import PushRefused, TillIdentity
from tui_pos.server.webshop_api import Db, Guarded, read_capped

_CLAIM = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_CLAIM_BYTES = 64 * 1024


def _bad(field: str, why: str) -> PushRefused:
    return PushRefused(400, "malformed", f"{field}: {why}", field=field)


def parse_claim(body: bytes) -> tuple[str, str, list[tuple[int, int]]]:
    """``(document, claim id, [(position, qty_milli)])``; refusals name the field."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise _bad("claim", "is not JSON") from None
    if not isinstance(data, dict) or set(data) != {"document", "claim", "lines"}:
        raise _bad("claim", "must be an object with exactly document, claim and lines")
    document, claim_id, raw = data["document"], data["claim"], data["lines"]
    if not isinstance(document, str) or not 1 <= len(document) <= 100:
        raise _bad("document", "must be a receipt or web order number")
    if not isinstance(claim_id, str) or not _CLAIM.match(claim_id):
        raise _bad("claim", "must be 8-64 letters, digits, '-' or '_'")
    if not isinstance(raw, list) or not 1 <= len(raw) <= returns.MAX_CLAIM_LINES:
        raise _bad("lines", f"must be a list of 1 to {returns.MAX_CLAIM_LINES} lines")
    wanted: list[tuple[int, int]] = []
    for index, line in enumerate(raw):
        if not isinstance(line, dict) or set(line) != {"position", "qty_milli"}:
            raise _bad(f"lines[{index}]", "must be an object with position and qty_milli")
        for key, high in (("position", 10_000), ("qty_milli", 1_000_000_000)):
            value = line[key]
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
                raise _bad(f"lines[{index}].{key}", f"must be an integer from 1 to {high}")
        if any(pos == line["position"] for pos, _ in wanted):
            raise _bad(f"lines[{index}].position", "names a line twice")
        wanted.append((line["position"], line["qty_milli"]))
    return document, claim_id, wanted


def parse_release(body: bytes) -> str:
    """The claim id of a release; refusals name the field."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise _bad("release", "is not JSON") from None
    if not isinstance(data, dict) or set(data) != {"claim"}:
        raise _bad("release", "must be an object with exactly claim")
    claim_id = data["claim"]
    if not isinstance(claim_id, str) or not _CLAIM.match(claim_id):
        raise _bad("claim", "must be 8-64 letters, digits, '-' or '_'")
    return claim_id


def routes(
    db: Db,
    guarded: Guarded,
    who: Callable[[Request], Awaitable[TillIdentity]],
    lease_s: int = returns.CLAIM_LEASE_S,
) -> list[Route]:
    async def left(request: Request) -> Response:
        async def handle() -> Response:
            till = await who(request)
            document = request.query_params.get("document", "")
            if not 1 <= len(document) <= 100:
                raise _bad("document", "must be a receipt or web order number")
            answer: dict[str, Any] = await db(lambda c: returns.returnable(c, till, document))
            return JSONResponse(answer)

        return await guarded(request, handle)

    def posted(
        what: str, work: Callable[[TillIdentity, bytes], Callable[[psycopg.Connection], Any]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """A POST route: the till, its body (capped), ``work``'s answer as JSON."""

        async def route(request: Request) -> Response:
            async def handle() -> Response:
                till = await who(request)
                body = await read_capped(request, MAX_CLAIM_BYTES)
                if body is None:
                    raise PushRefused(
                        413, "malformed", f"{what}: more than {MAX_CLAIM_BYTES} bytes"
                    )
                answer: dict[str, Any] = await db(work(till, body))
                return JSONResponse(answer)

            return await guarded(request, handle)

        return route

    def claim(till: TillIdentity, body: bytes) -> Callable[[psycopg.Connection], Any]:
        document, claim_id, wanted = parse_claim(body)
        return lambda c: returns.claim(c, till, document, claim_id, wanted, lease_s)

    def release(till: TillIdentity, body: bytes) -> Callable[[psycopg.Connection], Any]:
        claim_id = parse_release(body)
        return lambda c: returns.release(c, till, claim_id)

    return [
        Route("/v1/returns", left),
        Route("/v1/returns/claim", posted("claim", claim), methods=["POST"]),
        Route("/v1/returns/release", posted("release", release), methods=["POST"]),
    ]
