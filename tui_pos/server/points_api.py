"""The tills' points route: ``GET /v1/points?card=C`` (a till's token) -> ``{card,
points}``, the organisation's balance (:mod:`tui_pos.server.points`)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tui_pos.server.ledgers import points_balance
from tui_pos.server.push import PushRefused, TillIdentity
from tui_pos.server.webshop_api import Db, Guarded

_CARD = re.compile(r"^[A-Za-z0-9-]{4,32}$")


def routes(
    db: Db, guarded: Guarded, who: Callable[[Request], Awaitable[TillIdentity]]
) -> list[Route]:
    """The tills' points route, sharing the API's pool and refusal handling."""

    async def balance(request: Request) -> Response:
        async def handle() -> Response:
            await who(request)
            card = request.query_params.get("card", "")
            if not _CARD.match(card):
                raise PushRefused(
                    400, "malformed", "card: must be 4-32 letters, digits or '-'", field="card"
                )
            points: int = await db(lambda c: points_balance(c, card))
            answer: dict[str, Any] = {"card": card, "points": points}
            return JSONResponse(answer)

        return await guarded(request, handle)

    return [Route("/v1/points", balance)]
