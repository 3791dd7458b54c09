"""The HTTP API (Starlette on uvicorn): ``/v1/...``, JSON in and out.

Every answer is JSON; a refusal is ``{"error": WORD, "message": TEXT}`` with a 4xx status
so a till can show the message as it is. Database work is blocking psycopg code run in
Starlette's thread pool on a small connection pool.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tui_pos.server import (
    catalog_api,
    coupon_api,
    customer_api,
    feed,
    points_api,
    push,
    returns_api,
    tills,
    webshop_api,
)
from tui_pos.server.returns import CLAIM_LEASE_S
from tui_pos.server.schema import LATEST, check_current
from tui_pos.server.wire import MAX_BODY_BYTES, WireError, parse_push

#: API versions this server answers (the current one first). A till sends its own in
#: the path; anything else gets a 404 that names what is served.
API_VERSIONS = ("v1",)
PROTOCOL = 1


def refusal(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise WireError(f"push too large: more than {MAX_BODY_BYTES} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise WireError(f"push too large: more than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise tills.TillError(401, "no bearer token: enroll this till (or give the shop's token)")
    return token.strip()


def build_app(
    url: str,
    pool_size: int = 4,
    pin_key: bytes | None = None,
    claim_lease_s: int = CLAIM_LEASE_S,
) -> Starlette:
    """The API on the PostgreSQL database at ``url`` (its schema must be current).
    ``pin_key``: the organisation's PIN key, handed to each till as it enrolls (its
    staff are then the server's); None: each till keeps its own staff and key.
    ``claim_lease_s``: how long a return claim counts unless completed or released."""
    # Each connection is checked as it is handed out: after PostgreSQL restarts, the idle
    # ones are dead and a request would otherwise get 503 once per pooled connection.
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=pool_size,
        open=False,
        kwargs={"autocommit": True},
        check=ConnectionPool.check_connection,
    )

    def db(work: Callable[[psycopg.Connection], Any]) -> Awaitable[Any]:
        def run() -> Any:
            with pool.connection() as conn:
                return work(conn)

        return run_in_threadpool(run)

    async def guarded(request: Request, handler: Callable[[], Awaitable[Response]]) -> Response:
        try:
            return await handler()
        except WireError as exc:
            status = 413 if "too large" in str(exc) else 400
            return refusal(status, "malformed", str(exc))
        except tills.TillError as exc:
            return refusal(exc.status, "refused", str(exc))
        except push.PushRefused as exc:
            return refusal(exc.status, exc.code, str(exc), **exc.extra)
        except psycopg.OperationalError:
            return refusal(503, "unavailable", "the server's database is not reachable")

    async def who(request: Request) -> push.TillIdentity:
        token = _token(request)
        identity: push.TillIdentity = await db(lambda c: tills.identify(c, token))
        return identity

    async def info(request: Request) -> Response:
        return JSONResponse(
            {
                "api": list(API_VERSIONS),
                "protocol": PROTOCOL,
                "schema": LATEST,
                "server_time": push.now_text(),
            }
        )

    async def enroll(request: Request) -> Response:
        async def handle() -> Response:
            try:
                data = json.loads(await _body(request))
            except ValueError:
                raise WireError("the enrollment is not JSON") from None
            code = data.get("code") if isinstance(data, dict) else None
            if not isinstance(code, str) or not 1 <= len(code) <= 64:
                raise WireError("'code' must be the enrollment code printed by the server")
            ident, token, seq, head = await db(lambda c: tills.redeem(c, code))
            return JSONResponse(
                {
                    "store": ident.store,
                    "till": ident.till,
                    "token": token,
                    "head_seq": seq,
                    "head_hash": head,
                    # only in this answer, to the holder of the one-time code (never in
                    # the feed): the till writes it as its pin.key
                    **({"pin_key": pin_key.hex()} if pin_key else {}),
                }
            )

        return await guarded(request, handle)

    async def push_docs(request: Request) -> Response:
        async def handle() -> Response:
            body = await _body(request)
            ident = await who(request)
            batch = parse_push(body)
            result: push.PushResult = await db(lambda c: push.push(c, ident, batch))
            return JSONResponse(result.as_wire())

        return await guarded(request, handle)

    async def head(request: Request) -> Response:
        async def handle() -> Response:
            ident = await who(request)
            return JSONResponse(await db(lambda c: push.head_of(c, ident)))

        return await guarded(request, handle)

    async def changes(request: Request) -> Response:
        async def handle() -> Response:
            ident = await who(request)
            try:
                cursor = feed.parse_cursor(request.query_params.get("after"))
                limit = int(request.query_params.get("limit", str(feed.MAX_CHANGES)))
            except ValueError as exc:
                raise WireError(f"bad query: {exc}") from None
            return JSONResponse(await db(lambda c: feed.changes(c, ident, cursor, limit)))

        return await guarded(request, handle)

    async def unknown_version(request: Request) -> Response:
        version = request.path_params["version"]
        if version in API_VERSIONS:  # a till newer than this server asks for more
            return refusal(
                404,
                "version",
                f"this store server has no /{version}/{request.path_params['rest']}: it is "
                "older than the till; upgrade the server",
                api=list(API_VERSIONS),
            )
        return refusal(
            404,
            "version",
            f"this server serves API {', '.join(API_VERSIONS)}, not {version}: "
            "the till and the server need versions that share an API",
            api=list(API_VERSIONS),
        )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        pool.open(wait=False)
        try:
            yield
        finally:
            await run_in_threadpool(pool.close)

    with psycopg.connect(url, autocommit=True) as conn:
        check_current(conn)
    return Starlette(
        routes=[
            Route("/v1/info", info),
            Route("/v1/enroll", enroll, methods=["POST"]),
            Route("/v1/push", push_docs, methods=["POST"]),
            Route("/v1/head", head),
            Route("/v1/changes", changes),
            *catalog_api.routes(db, guarded, _body, who),
            *coupon_api.routes(db, guarded, who, _body),
            *customer_api.routes(db, guarded, who, _body),
            *webshop_api.routes(db, guarded, _token),
            *returns_api.routes(db, guarded, who, claim_lease_s),
            *points_api.routes(db, guarded, who),
            Route("/{version}/{rest:path}", unknown_version, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )
