"""Other tills' ledger rows applied at this till: ``stock`` and ``loyalty`` topics.

A level or a points balance stays the sum of the ledger: another till's row becomes a
local row of kind ``sync``, keyed by a hash of the other till's id and the row's uuid
(uuids are unique per till only: tills copied from one template), numbered ``-change id``
under the other till's name so it never takes a number of this till's own sequence. The
server never takes a ``sync`` row back into its ledger. A product is matched by barcode,
a customer by loyalty card; one unknown here is skipped (it is not shared yet).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from peewee import Database

from tui_pos.domain.barcode import normalize_gtin
from tui_pos.domain.errors import BarcodeError
from tui_pos.models.customer_aliases import customer_by_card
from tui_pos.models.times import stamp
from tui_pos.sync import state as st
from tui_pos.sync.topics import Change, topic


def product_by_code(db: Database, code: str) -> int | None:
    """The local product with barcode ``code`` (as scanned or as GTIN-14)."""
    try:  # the barcode table holds GTIN-14; a sale line keeps the code as scanned
        gtin = normalize_gtin(code)
    except BarcodeError:
        gtin = code
    row = db.execute_sql(
        "SELECT product_id FROM barcode WHERE code IN (?, ?)", (code, gtin)
    ).fetchone()
    return int(row[0]) if row else None


def _copy_key(change: Change) -> tuple[str, str, int]:
    """(uuid, till, seq) of the local copy of another till's ledger row."""
    origin = f"{change.get('store') or ''}/{change.get('till')}"
    uuid = hashlib.sha256(f"{origin}:{change['body'].get('uuid')}".encode()).hexdigest()[:32]
    return uuid, str(change.get("till") or "?")[:16], -int(change["id"])


def _body(change: Change, amount: str) -> dict[str, Any] | None:
    body = change.get("body")
    if not isinstance(body, dict) or not isinstance(body.get(amount), int):
        return None
    return body


@topic("stock")
def apply_stock(db: Database, change: Change) -> int:
    body = _body(change, "qty_milli")
    product = product_by_code(db, str(change.get("key")))
    if body is None or product is None:
        return 0
    return int(
        db.execute_sql(
            "INSERT OR IGNORE INTO stock_movement (uuid, till, seq, product_id, qty_milli, "
            "kind, sale_line_id, note, created_at) VALUES (?,?,?,?,?,'sync',NULL,?,?)",
            (
                *_copy_key(change),
                product,
                body["qty_milli"],
                f"till {change.get('till')}",
                st.now_text(),
            ),
        ).rowcount
    )


@topic("loyalty")
def apply_loyalty(db: Database, change: Change) -> int:
    body = _body(change, "points")
    customer = customer_by_card(db, str(change.get("key")))
    if body is None or customer is None:
        return 0
    return int(
        db.execute_sql(
            "INSERT OR IGNORE INTO loyalty_entry (uuid, till, seq, customer_id, points, kind, "
            "sale_id, note, created_at) VALUES (?,?,?,?,?,'sync',NULL,?,?)",
            (
                *_copy_key(change),
                customer,
                body["points"],
                f"till {change.get('till')} of store {change.get('store') or '?'}",
                stamp(datetime.now(UTC)),
            ),
        ).rowcount
    )
