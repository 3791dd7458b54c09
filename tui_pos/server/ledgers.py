"""The ledgers a push feeds at the server, and the feed changes they publish.

Stock movements and loyalty entries of a till's chain entries are copied into
``stock_ledger`` and ``loyalty_ledger`` (a level or a balance is their sum over every
till) and published on the change feed for the other tills. Products are named by
barcode and customers by loyalty card (a till's ids are its own); a ``sync`` row is a
copy a till pulled from another till and is never taken back. Every write here is one
``executemany`` per table for the whole push (pipelined: one round trip per batch).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tui_pos.models.chain_tables import CHAINED
from tui_pos.server.wire import PushedDocument

_MOVE = {c: 2 + i for i, c in enumerate(CHAINED["stock_movement"].columns)}
_POINTS = {c: 2 + i for i, c in enumerate(CHAINED["loyalty_entry"].columns)}
_LINE = {c: 2 + i for i, c in enumerate(CHAINED["sale_line"].columns)}


def stock_rows(doc: PushedDocument) -> list[tuple[str, str, int, str]]:
    """(movement uuid, product code, stock change, kind) of the entry's stock movements;
    a product is named by its barcode, else ``#id``."""
    rows = []
    for row in doc.rows:
        if row[0] != "stock_movement" or row[_MOVE["kind"]] == "sync":
            continue
        product = row[_MOVE["product_id"]]
        code = doc.codes.get(str(product)) or f"#{product}"
        rows.append(
            (str(row[_MOVE["uuid"]]), code, int(row[_MOVE["qty_milli"]]), str(row[_MOVE["kind"]]))
        )
    return rows


def loyalty_rows(doc: PushedDocument) -> list[tuple[str, str, int, str]]:
    """(entry uuid, loyalty card, points, kind) of the entry's loyalty rows; a customer
    without a card is not shared (no other till could name them)."""
    rows = []
    for row in doc.rows:
        if row[0] != "loyalty_entry" or row[_POINTS["kind"]] == "sync":
            continue
        card = doc.cards.get(str(row[_POINTS["customer_id"]]))
        if card:
            rows.append(
                (
                    str(row[_POINTS["uuid"]]),
                    card,
                    int(row[_POINTS["points"]]),
                    str(row[_POINTS["kind"]]),
                )
            )
    return rows


def resolve_card(conn: psycopg.Connection | psycopg.Cursor[Any], card: str) -> str:
    """The card a loyalty card's points are booked under (a merged profile's card names
    the survivor's)."""
    row = conn.execute("SELECT survivor_card FROM card_alias WHERE card = %s", (card,)).fetchone()
    return str(row[0]) if row else card


def cards_of(conn: psycopg.Connection, card: str) -> list[str]:
    """Every card that names the same customer as ``card`` (its survivor's first): the
    survivor's card and the cards of profiles joined into it."""
    kept = resolve_card(conn, card)
    rows = conn.execute(
        "SELECT card FROM card_alias WHERE survivor_card = %s ORDER BY card", (kept,)
    ).fetchall()
    return [kept, *(str(r[0]) for r in rows)]


def book_stock(
    cur: psycopg.Cursor[Any], store: str, origin: str, moves: Sequence[tuple[str, str, int, str]]
) -> None:
    """Add stock movements ``(uuid, product code, change, kind)`` of ``origin`` (a till, or
    a web shop's ``web:SHOP``) to the store's ledger and to the feed the store's other
    tills pull (stock is shared within the store). The one writer of stock rows."""
    if not moves:
        return
    cur.executemany(
        "INSERT INTO stock_ledger (store_id, till_id, movement_uuid, product_code, "
        "qty_milli, kind) VALUES (%s,%s,%s,%s,%s,%s)",
        [(store, origin, *move) for move in moves],
    )
    cur.executemany(
        "INSERT INTO change (store_id, origin_store, origin_till, topic, key, body) "
        "VALUES (%s,%s,%s,'stock',%s,%s)",
        [
            (store, store, origin, code, Jsonb({"uuid": uuid, "qty_milli": qty}))
            for uuid, code, qty, _kind in moves
        ],
    )


def book_points(
    cur: psycopg.Cursor[Any], store: str, origin: str, rows: Sequence[tuple[str, str, int, str]]
) -> None:
    """Add loyalty rows ``(uuid, card, points, kind)`` of ``origin`` (a till, or a web
    shop's ``web:SHOP``) to ``loyalty_ledger`` and to the feed of every store (points are
    the organisation's). The one writer of loyalty rows."""
    if not rows:
        return
    booked = {card: resolve_card(cur, card) for card in sorted({r[1] for r in rows})}
    rows = [(uuid, booked[card], pts, kind) for uuid, card, pts, kind in rows]
    cur.executemany(
        "INSERT INTO loyalty_ledger (store_id, till_id, entry_uuid, card, points, kind) "
        "VALUES (%s,%s,%s,%s,%s,%s)",
        [(store, origin, *row) for row in rows],
    )
    cur.executemany(
        "INSERT INTO change (store_id, origin_store, origin_till, topic, key, body) "
        "VALUES (NULL,%s,%s,'loyalty',%s,%s)",
        [
            (store, origin, card, Jsonb({"uuid": uuid, "points": pts}))
            for uuid, card, pts, _kind in rows
        ],
    )


def record(cur: psycopg.Cursor[Any], store: str, till: str, docs: Sequence[PushedDocument]) -> None:
    """Copy the documents' ledger rows and publish them (inside the push's transaction)."""
    named = {
        (int(pid), code, d.categories.get(pid, "")) for d in docs for pid, code in d.codes.items()
    }
    book_stock(cur, store, till, [r for d in docs for r in stock_rows(d)])
    book_points(cur, store, till, [r for d in docs for r in loyalty_rows(d)])
    if named:
        cur.executemany(
            "INSERT INTO till_product (store_id, till_id, product_id, code, category) "
            "VALUES (%s,%s,%s,%s,%s) ON CONFLICT (store_id, till_id, product_id) "
            "DO UPDATE SET code = excluded.code, category = excluded.category",
            [(store, till, *n) for n in sorted(named)],
        )


def points_balance(conn: psycopg.Connection, card: str) -> int:
    """A loyalty card's balance at the server: the sum of every till's and web shop's
    ledger rows.

    For the online points check at redemption (the web shop and the tills' offline policy
    build on it); call it inside the transaction that decides. A card of a profile joined
    into another names the survivor's points."""
    row = conn.execute(
        "SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE card = %s",
        (resolve_card(conn, card),),
    ).fetchone()
    return int(row[0]) if row else 0


def lock_card(conn: psycopg.Connection | psycopg.Cursor[Any], card: str) -> None:
    """Serialise the transactions that decide on one card's points (held to commit)."""
    key = int.from_bytes(hashlib.sha256(card.encode()).digest()[:4], "big", signed=True)
    conn.execute("SELECT pg_advisory_xact_lock(7402, %s)", (key,))


def republish_points(conn: psycopg.Connection, card: str) -> None:
    """Publish every ledger row of ``card`` again (to every store, as their origin's): a
    till skips a row whose card it does not know yet, so when a card comes to a profile
    (a new record, or two profiles joined) the rows are sent again; a till that holds a row
    ignores its copy (the copy's key is its origin and uuid), its origin never gets it."""
    conn.execute(
        "INSERT INTO change (store_id, origin_store, origin_till, topic, key, body) "
        "SELECT NULL, store_id, till_id, 'loyalty', card, "
        "jsonb_build_object('uuid', entry_uuid, 'points', points) "
        "FROM loyalty_ledger WHERE card = %s ORDER BY id",
        (card,),
    )
