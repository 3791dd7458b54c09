"""The catalog the server manages, applied at this till: ``product`` and ``promotion``.

Each change carries the whole latest body of its key (a product by barcode, a promotion
by the server's key), so applying one is an upsert and applying it twice changes
nothing. A price changes here only when the feed says so; a sale already in the cart
keeps the price its line was rung up at (the cart holds each line's unit price).
A product whose tax code this till does not have, or a promotion whose item is not here,
is skipped (counted as not applied).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from peewee import Database

from tui_pos.models.times import stamp
from tui_pos.sync.ledger_topics import product_by_code
from tui_pos.sync.topics import Change, topic


def category_id(db: Database, name: str) -> int | None:
    """The category named ``name``, created when new (None for no category)."""
    if not name:
        return None
    row = db.execute_sql("SELECT id FROM category WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return int(row[0])
    return int(db.execute_sql("INSERT INTO category (name) VALUES (?)", (name,)).lastrowid)


def _plu_free(db: Database, plu: Any, product: int | None) -> str | None:
    if not isinstance(plu, str) or not plu:
        return None
    row = db.execute_sql("SELECT id FROM product WHERE plu = ?", (plu,)).fetchone()
    return plu if row is None or row[0] == product else None


@topic("product")
def apply_product(db: Database, change: Change) -> int:
    body = change.get("body")
    if not isinstance(body, dict):
        return 0
    tax = db.execute_sql("SELECT 1 FROM tax_code WHERE code = ?", (body.get("tax_code"),))
    if tax.fetchone() is None:
        return 0
    code = str(change.get("key"))
    product = product_by_code(db, code)
    values = (
        str(body["name"]),
        int(body["price_cents"]),
        str(body["tax_code"]),
        category_id(db, str(body.get("category") or "")),
        str(body.get("unit") or "each"),
        _plu_free(db, body.get("plu"), product),
        int(body.get("reorder_level_milli") or 0),
        int(bool(body.get("active", True))),
    )
    if product is None:
        product = int(
            db.execute_sql(
                "INSERT INTO product (name, price_cents, tax_code, category_id, unit, plu, "
                "reorder_level_milli, active) VALUES (?,?,?,?,?,?,?,?)",
                values,
            ).lastrowid
        )
        db.execute_sql("INSERT INTO barcode (code, product_id) VALUES (?, ?)", (code, product))
    else:
        db.execute_sql(
            "UPDATE product SET name = ?, price_cents = ?, tax_code = ?, category_id = ?, "
            "unit = ?, plu = coalesce(?, plu), reorder_level_milli = ?, active = ? WHERE id = ?",
            (*values, product),
        )
    return 1


@topic("promotion")
def apply_promotion(db: Database, change: Change) -> int:
    body = change.get("body")
    if not isinstance(body, dict):
        return 0
    product = category = None
    if body.get("item") is not None:
        product = product_by_code(db, str(body["item"]))
        if product is None:
            return 0
    else:
        category = category_id(db, str(body.get("category") or ""))
    values = (
        str(body["name"]),
        str(body["kind"]),
        int(body["value"]),
        product,
        category,
        int(body.get("buy_qty") or 0),
        int(body.get("pay_qty") or 0),
        str(body.get("starts_on") or datetime.now(UTC).date().isoformat()),
        body.get("ends_on"),
        str(body.get("tier") or ""),
        str(body.get("segment") or ""),
        int(bool(body.get("birthday"))),
    )
    key = str(change.get("key"))
    updated = db.execute_sql(
        "UPDATE promotion SET name = ?, kind = ?, value = ?, product_id = ?, category_id = ?, "
        "buy_qty = ?, pay_qty = ?, starts_on = ?, ends_on = ?, tier = ?, segment = ?, "
        "birthday = ? WHERE server_key = ?",
        (*values, key),
    ).rowcount
    if not updated:
        db.execute_sql(
            "INSERT INTO promotion (name, kind, value, product_id, category_id, buy_qty, "
            "pay_qty, starts_on, ends_on, tier, segment, birthday, server_key, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (*values, key, stamp(datetime.now(UTC))),
        )
    return 1
