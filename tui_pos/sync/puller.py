"""Applying the server's change feed at the till, one short transaction per page.

Each page's rows and the new cursor are written together, so a till killed mid-pull
applies a page exactly once. Other tills' stock rows become ``stock_movement`` rows of kind
``sync`` (the level stays the sum of the ledger): keyed by a hash of the other till's id
and the movement's uuid (uuids are unique per till only: tills copied from one template),
numbered ``-change id`` under the other till's id so they never take a number of this
till's own sequence. A product unknown here (by barcode) is skipped. Web orders (topic
``web_order``) become local online orders (:mod:`tui_pos.sync.web_orders`), sealed in the
page's transaction.
"""

from __future__ import annotations

import hashlib
from typing import Any

from peewee import Database

from tui_pos.models.chain_store import seal
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError
from tui_pos.sync.web_orders import apply_collected, apply_web_order, product_by_code

PAGE = 500
_WEB = {
    "web_order": apply_web_order,
    "web_order_collected": lambda db, change, _till: apply_collected(db, change),
}


def _stock_row(db: Database, change: dict[str, Any]) -> tuple[Any, ...] | None:
    body = change.get("body") or {}
    product = product_by_code(db, str(change.get("key")))
    if product is None or not isinstance(body.get("qty_milli"), int):
        return None
    return (
        hashlib.sha256(f"{change.get('till')}:{body.get('uuid')}".encode()).hexdigest()[:32],
        str(change.get("till") or "?"),
        -int(change["id"]),
        product,
        body["qty_milli"],
        f"till {change.get('till')}",
        st.now_text(),
    )


def apply_page(db: Database, page: dict[str, Any]) -> int:
    """Apply one page and save its cursor in one transaction; the rows applied."""
    applied = orders = 0
    with db.atomic():
        state = st.load(db)
        till = state.till if state else "?"
        for change in page.get("changes") or []:
            if change.get("topic") in _WEB:
                orders += _WEB[str(change["topic"])](db, change, till)
                continue
            if change.get("topic") != "stock":
                continue
            row = _stock_row(db, change)
            if row is None:
                continue
            applied += db.execute_sql(
                "INSERT OR IGNORE INTO stock_movement (uuid, till, seq, product_id, qty_milli, "
                "kind, sale_line_id, note, created_at) VALUES (?,?,?,?,?,'sync',NULL,?,?)",
                row,
            ).rowcount
        db.execute_sql("UPDATE sync_state SET pull_cursor = ? WHERE id = 1", (page["cursor"],))
        if orders:
            seal(db, till)
    return applied + orders


def pull_changes(db: Database, client: ServerClient) -> int:
    """Pull and apply every page the server has; the number of rows applied."""
    applied = 0
    while True:
        state = st.load(db)
        if state is None:
            raise SyncError("usage", "this till is not enrolled")
        page = client.changes(state.pull_cursor, PAGE)
        if not isinstance(page.get("cursor"), str):
            raise SyncError("version", "the server's change feed has no cursor")
        applied += apply_page(db, page)
        if not page.get("more"):
            return applied
