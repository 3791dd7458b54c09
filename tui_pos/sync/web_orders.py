"""Web orders the server booked, pulled into the till (topic ``web_order``).

A web order of this till's store becomes a local ``online_order`` (with its lines and
contact, linked to the customer with that loyalty card), so an order for collection can
be handed over at any till of the store and the customer's profile lists it. No stock
moves here: the order's movements arrive as the server's ``stock`` changes (origin
``web:SHOP``), like another till's. An order already known (imported from a file, or
pulled before) or naming a product this till does not know is skipped. A web order handed
over at another till (topic ``web_order_collected``) is marked collected here too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from peewee import Database

from tui_pos.models.chain_store import seal
from tui_pos.models.order_contacts import insert_contact
from tui_pos.models.times import stamp
from tui_pos.sync import state as st
from tui_pos.sync.ledger_topics import product_by_code


def _lines(db: Database, body: dict[str, Any]) -> list[tuple[int, str, int, int, int]] | None:
    lines = []
    for line in body.get("lines") or []:
        product = product_by_code(db, str(line.get("code")))
        if product is None:
            return None
        name = db.execute_sql("SELECT name FROM product WHERE id = ?", (product,)).fetchone()
        lines.append(
            (
                product,
                str(name[0]) if name else "",
                int(line["qty_milli"]),
                int(line["unit_price_cents"]),
                int(line["amount_cents"]),
            )
        )
    return lines or None


def _till(db: Database) -> str:
    state = st.load(db)
    return state.till if state is not None else "?"


def apply_web_order(db: Database, change: dict[str, Any]) -> int:
    """Store one pulled web order and seal it (inside the page's transaction); 1 if
    stored."""
    till = _till(db)
    body = change.get("body") or {}
    order_id = str(body.get("order_id") or "")
    known = db.execute_sql("SELECT 1 FROM online_order WHERE order_id = ?", (order_id,))
    if not order_id or known.fetchone():
        return 0
    lines = _lines(db, body)
    if lines is None:
        return 0
    customer = body.get("customer") or {}
    card = str(customer.get("card") or "")
    match = (
        db.execute_sql("SELECT id FROM customer WHERE card = ?", (card,)).fetchone()
        if card
        else None
    )
    order_pk = db.execute_sql(
        "INSERT INTO online_order (order_id, created_at, imported_at, till, collection,"
        " total_cents) VALUES (?,?,?,?,?,?)",
        (
            order_id,
            stamp(datetime.fromisoformat(str(body["created_at"]))),
            stamp(datetime.fromisoformat(st.now_text().replace("Z", "+00:00"))),
            till,
            int(body.get("fulfilment") == "collect"),
            int(body["total_cents"]),
        ),
    ).lastrowid
    insert_contact(
        db,
        order_pk,
        int(match[0]) if match else None,
        str(customer.get("name") or ""),
        str(customer.get("email") or ""),
        str(customer.get("phone") or ""),
        card,
    )
    db.cursor().executemany(
        "INSERT INTO online_order_line (order_id, position, product_id, name, qty_milli,"
        " unit_price_cents, amount_cents) VALUES (?,?,?,?,?,?,?)",
        [(order_pk, pos, *line) for pos, line in enumerate(lines, start=1)],
    )
    seal(db, till)
    return 1


def apply_collected(db: Database, change: dict[str, Any]) -> int:
    """Another till handed a web order over: record it here too (1 if recorded)."""
    body = change.get("body") or {}
    order = db.execute_sql(
        "SELECT id FROM online_order WHERE order_id = ?", (str(body.get("order_id")),)
    ).fetchone()
    if order is None:
        return 0
    at = stamp(datetime.fromisoformat(str(body.get("at"))).replace(tzinfo=UTC))
    added = db.execute_sql(
        "INSERT OR IGNORE INTO online_order_event (order_id, kind, till, cashier, created_at)"
        " VALUES (?, 'collected', ?, ?, ?)",
        (order[0], str(body.get("till") or "?"), str(body.get("cashier") or ""), at),
    ).rowcount
    if added:
        seal(db, _till(db))
    return int(added)
