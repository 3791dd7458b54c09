"""Returns of a document sold elsewhere: what is left of it, and claiming a part of it.

A document is a web order (``WEB-1001``: its order id) or a till's sale (``T2-000042``,
in the asking till's store; ``S02/T2-000042`` names another store). What is left of a
line is what was sold minus what its own till took back (return lines it pushed) minus
what tills claimed here. A claim is one transaction under an advisory lock per document,
so two tills cannot both take back the last piece; claiming again with the same claim id
is acknowledged, not counted twice. A claim counts while it lives (``LIVE_CLAIM``): until
its till releases it or its lease ends, and for good once its return is pushed
(``server/claim_ends.py``).
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from tui_pos.domain.returns import LeftToReturn
from tui_pos.server.push import PushRefused, TillIdentity
from tui_pos.server.sold_lines import document_lock, left_of, till_lines, web_lines

_TILL_DOC = re.compile(r"^(?:([A-Za-z0-9_-]{1,32})/)?([A-Za-z0-9_-]{1,32})-([0-9]{1,9})$")
_WEB_DOC = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/#-]{0,63}$")
MAX_CLAIM_LINES = 200
#: How long a claim counts when its return is neither completed nor released (s): a till
#: that crashed or went offline holding it frees the lines then (``server run
#: --claim-lease``).
CLAIM_LEASE_S = 15 * 60


def _resolve(conn: psycopg.Connection, who: TillIdentity, document: str) -> tuple[str, Any]:
    """The document's key for claims, its channel/tender and its sold lines."""
    found = None
    till_doc = _TILL_DOC.match(document)
    if till_doc:  # "WEB-77" looks like a receipt of till WEB too: a web order is next
        store = till_doc.group(1) or who.store
        key = f"{store}/{till_doc.group(2)}-{int(till_doc.group(3)):06d}"
        found = till_lines(conn, store, till_doc.group(2), int(till_doc.group(3)))
    if found is None and _WEB_DOC.match(document):
        key, found = f"web/{document}", web_lines(conn, document)
    elif found is None and not till_doc:
        raise PushRefused(
            400, "malformed", "document: not a receipt or web order number", field="document"
        )
    if found is None:
        raise PushRefused(
            404,
            "unknown_document",
            f"document: the server holds no sale or web order {document}",
            field="document",
        )
    return key, found


def _answer(document: str, key: str, channel: str, lines: list[LeftToReturn]) -> dict[str, Any]:
    return {
        "document": key,
        "asked": document,
        "channel": channel.split(" ")[0],
        "tender": channel.split(" ", 1)[1] if " " in channel else "",
        "lines": [line.__dict__ for line in lines],
    }


def returnable(conn: psycopg.Connection, who: TillIdentity, document: str) -> dict[str, Any]:
    """What is left to return of each line of ``document``."""
    with conn.transaction():
        key, found = _resolve(conn, who, document)
        channel, lines = left_of(conn, key, found)
    return _answer(document, key, channel, lines)


def claim(
    conn: psycopg.Connection,
    who: TillIdentity,
    document: str,
    claim_id: str,
    wanted: list[tuple[int, int]],
    lease_s: int = CLAIM_LEASE_S,
) -> dict[str, Any]:
    """Take back ``(position, qty_milli)`` of ``document`` for this till, all or nothing,
    for ``lease_s`` seconds unless its return is completed (pushed) before."""
    with conn.transaction():
        key, found = _resolve(conn, who, document)
        document_lock(conn, key)
        done = conn.execute(
            "SELECT position, qty_milli FROM return_claim WHERE claim_uuid = %s ORDER BY 1",
            (claim_id,),
        ).fetchall()
        if done:
            if sorted(done) != sorted(wanted):
                raise PushRefused(
                    409, "conflict", "claim: this claim id was used for other lines", field="claim"
                )
        else:
            channel, lines = left_of(conn, key, found)
            by_position = {ln.position: ln for ln in lines}
            for index, (position, qty) in enumerate(wanted):
                line = by_position.get(position)
                if line is None:
                    raise PushRefused(
                        400,
                        "malformed",
                        f"lines[{index}].position: no line {position} in {document}",
                        field=f"lines[{index}].position",
                    )
                if qty > line.left_milli:
                    raise PushRefused(
                        409,
                        "over_return",
                        f"lines[{index}].qty_milli: only {line.left_milli} of line {position} "
                        f"of {document} is left to return",
                        field=f"lines[{index}].qty_milli",
                        left_milli=line.left_milli,
                    )
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO return_claim (claim_uuid, position, document, store_id, till_id, "
                    "qty_milli, expires_at) VALUES (%s,%s,%s,%s,%s,%s,"
                    "now() + make_interval(secs => %s))",
                    [
                        (claim_id, pos, key, who.store, who.till, qty, lease_s)
                        for pos, qty in wanted
                    ],
                )
        channel, lines = left_of(conn, key, found)
    return _answer(document, key, channel, lines)


def release(conn: psycopg.Connection, who: TillIdentity, claim_id: str) -> dict[str, Any]:
    """Give back the claim ``claim_id`` of this till (again: acknowledged). Refused for
    another till's claim (403) and for a claim whose return was completed (409)."""
    with conn.transaction():
        rows = conn.execute(
            "SELECT store_id, till_id, document, completed_at IS NOT NULL FROM return_claim "
            "WHERE claim_uuid = %s FOR UPDATE",
            (claim_id,),
        ).fetchall()
        if not rows:
            raise PushRefused(
                404, "unknown_claim", f"claim: the server holds no claim {claim_id}", field="claim"
            )
        store, till, document, completed = rows[0]
        if (store, till) != (who.store, who.till):
            raise PushRefused(
                403,
                "refused",
                f"claim: {claim_id} is another till's claim; only the till that claimed it "
                "may release it",
                field="claim",
            )
        if completed:
            raise PushRefused(
                409,
                "completed",
                f"claim: the return of {document} was completed; it cannot be released",
                field="claim",
            )
        conn.execute(
            "UPDATE return_claim SET released_at = now() "
            "WHERE claim_uuid = %s AND released_at IS NULL",
            (claim_id,),
        )
    return {"claim": claim_id, "document": document, "released": True}
