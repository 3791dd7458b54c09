"""The SaleStore port on SQLite: one transaction per finished sale, idempotent by UUID."""

from __future__ import annotations

import json
import uuid as uuidlib
from dataclasses import replace
from datetime import datetime

from peewee import Database

from tui_pos.domain.sale import SaleDocument
from tui_pos.models.coupon_store import record_redemption
from tui_pos.models.database import ensure_same_file
from tui_pos.models.errors import storage_errors
from tui_pos.models.return_store import (
    check_returns,
    credit_rows,
    insert_credit_rows,
    next_credit_seq,
)
from tui_pos.models.sale_documents import stored_sale
from tui_pos.models.sales import (
    SaleRow,
    SuspendedCartRow,
)
from tui_pos.models.times import from_utc_naive, to_utc_naive
from tui_pos.models.unit_of_work import writing
from tui_pos.services.ports import SalePoints, SuspendedCart

# One read for what a sale needs before it writes: is the UUID stored already (a retry),
# and the next sale, stock movement and payment numbers of the till (each an index seek).
_BEFORE_SALE = (
    'SELECT (SELECT "id" FROM "sale" WHERE "uuid" = ?),'
    ' (SELECT MAX("seq") FROM "sale" WHERE "till" = ?),'
    ' (SELECT MAX("seq") FROM "stock_movement" WHERE "till" = ?),'
    ' (SELECT MAX("seq") FROM "payment" WHERE "till" = ?)'
)

#: The open sale's crash journal goes in the sale's own transaction (cart_journal_store).
_CLEAR_OPEN_CART = 'DELETE FROM "open_cart_event" WHERE "till" = ? AND "cart_uuid" = ?'


class SqliteSaleStore:
    """Implements :class:`tui_pos.services.ports.SaleStore`."""

    def __init__(self, db: Database, loyalty: SalePoints | None = None) -> None:
        self.db = db
        self.loyalty = loyalty  #: writes a sale's points in its transaction

    def record_sale(self, doc: SaleDocument) -> SaleDocument:
        """Store the sale, its lines, tax, payments and stock movements atomically.

        The inserts are prepared SQL (not model objects): this is the commit the cashier
        waits for, and Peewee's per-row model overhead was most of its time (bench/).
        The open sale's crash journal is deleted in the same transaction, so a sale is
        one durable commit and a crash can never leave a journal of a stored sale.
        """
        with writing(self.db, doc.till):  # BEGIN IMMEDIATE (see database.py)
            ensure_same_file(self.db)
            # Statements go straight to the connection, inside Peewee's transaction: a
            # sale is some 30 of them, and Peewee's bookkeeping per call was a third.
            conn = self.db.connection()
            existing, sale_max, move_max, pay_max = conn.execute(
                _BEFORE_SALE, (doc.uuid, doc.till, doc.till, doc.till)
            ).fetchone()
            if existing is not None:
                return self.document(SaleRow.get_by_id(existing))
            if doc.status == "completed":
                check_returns(self.db, doc)  # an over-return stores nothing
            seq = int(sale_max or 0) + 1
            created = to_utc_naive(doc.created_at).isoformat(sep=" ")
            sale_id = conn.execute(
                "INSERT INTO sale (uuid, till, seq, status, created_at, cashier, subtotal_cents,"
                " discount_cents, tax_cents, total_cents, rounding_cents, change_cents,"
                " voided_lines, employee_id, customer_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.uuid,
                    doc.till,
                    seq,
                    doc.status,
                    created,
                    doc.cashier,
                    doc.subtotal_cents,
                    doc.discount_cents,
                    doc.tax_cents,
                    doc.total_cents,
                    doc.rounding_cents,
                    doc.change_cents,
                    doc.voided_lines,
                    doc.employee_id,
                    doc.customer_id,
                ),
            ).lastrowid
            moves = []
            claims: list[tuple[int, str]] = []
            move_seq = int(move_max or 0) + 1
            for position, line in enumerate(doc.lines, start=1):
                line_id = conn.execute(
                    "INSERT INTO sale_line (sale_id, position, product_id, name, code, unit,"
                    " qty_milli, unit_price_cents, base_cents, line_discount_cents,"
                    " cart_discount_cents, amount_cents, tax_code, tax_rate_bp,"
                    " return_of_line_id, promotion, promo_discount_cents)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        sale_id,
                        position,
                        line.product_id,
                        line.name,
                        line.code,
                        line.unit,
                        line.qty_milli,
                        line.unit_price_cents,
                        line.base_cents,
                        line.line_discount_cents,
                        line.cart_discount_cents,
                        line.amount_cents,
                        line.tax_code,
                        line.tax_rate_bp,
                        line.return_of_line_id,
                        line.promotion,
                        line.promo_discount_cents,
                    ),
                ).lastrowid
                if line.claim:  # completed: the push completes it; voided: releases it
                    claims.append((line_id, line.claim))
                if doc.status == "completed" and line.product_id is not None:
                    # A return comes back into stock; damaged goods then go out again to
                    # the damaged count, so the level is unchanged and damage is tracked.
                    kinds = ["return"] if line.is_return else ["sale"]
                    if line.is_return and not line.to_stock:
                        kinds.append("damaged")
                    for i, kind in enumerate(kinds):
                        qty = -line.qty_milli if i == 0 else line.qty_milli
                        moves.append(
                            (
                                uuidlib.uuid4().hex,
                                doc.till,
                                move_seq,
                                line.product_id,
                                qty,
                                kind,
                                line_id,
                                "",
                                created,
                            )
                        )
                        move_seq += 1
            if claims:
                conn.executemany(
                    "INSERT INTO return_claim_line (sale_line_id, claim) VALUES (?,?)", claims
                )
            conn.executemany(
                "INSERT INTO stock_movement (uuid, till, seq, product_id, qty_milli, kind,"
                " sale_line_id, note, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                moves,
            )
            conn.executemany(
                "INSERT INTO sale_tax (sale_id, code, rate_bp, base_cents, tax_cents)"
                " VALUES (?,?,?,?,?)",
                [(sale_id, t.code, t.rate_bp, t.base_cents, t.tax_cents) for t in doc.taxes],
            )
            if doc.status == "completed":
                # The receipt owed is queued in the same transaction: a crash between the
                # commit and the print can never forget it (printing itself happens later).
                conn.execute(
                    "INSERT INTO print_job (uuid, till, sale_id, kind, status, attempts,"
                    " last_error, created_at) VALUES (?,?,?,'receipt','queued',0,'',?)",
                    (uuidlib.uuid4().hex, doc.till, sale_id, created),
                )
            pay_seq = int(pay_max or 0) + 1
            conn.executemany(
                "INSERT INTO payment (uuid, till, seq, sale_id, kind, amount_cents,"
                " tendered_cents, change_cents, reference) VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (
                        p.uuid,
                        doc.till,
                        pay_seq + i,
                        sale_id,
                        p.kind,
                        p.amount_cents,
                        p.tendered_cents,
                        p.change_cents,
                        p.reference,
                    )
                    for i, p in enumerate(doc.payments)
                ],
            )
            if any(p.kind == "store_credit" for p in doc.payments):
                insert_credit_rows(
                    self.db,
                    credit_rows(self.db, doc, sale_id, created, next_credit_seq(self.db, doc.till)),
                )
            if doc.coupon:  # once: checked again here, under the write lock
                record_redemption(self.db, doc, created)
            stored = replace(doc, seq=seq)
            if self.loyalty is not None:  # earned/redeemed points, in this transaction
                stored = replace(stored, points=self.loyalty.record_sale_points(stored, sale_id))
            conn.execute(_CLEAR_OPEN_CART, (doc.till, doc.uuid))
        return stored

    def sale(self, till: str, seq: int) -> SaleDocument | None:
        """A stored sale by till and number."""
        with storage_errors():
            row = SaleRow.get_or_none((SaleRow.till == till) & (SaleRow.seq == seq))
            return self.document(row) if row else None

    def last_sale(self, till: str) -> SaleDocument | None:
        """The most recent completed sale of ``till``."""
        with storage_errors():
            row = (
                SaleRow.select()
                .where((SaleRow.till == till) & (SaleRow.status == "completed"))
                .order_by(SaleRow.seq.desc())
                .first()
            )
            return self.document(row) if row else None

    def suspend(
        self,
        till: str,
        label: str,
        cart: dict[str, object],
        item_count: int,
        total_cents: int,
        now: datetime,
    ) -> int:
        """Park a cart snapshot."""
        with storage_errors(), self.db.atomic():
            row = SuspendedCartRow.create(
                till=till,
                created_at=to_utc_naive(now),
                label=label,
                item_count=item_count,
                total_cents=total_cents,
                cart_json=json.dumps(cart),
            )
        return int(row.id)

    def suspended(self, till: str) -> list[SuspendedCart]:
        """Parked carts of ``till``, oldest first."""
        with storage_errors():
            rows = list(
                SuspendedCartRow.select()
                .where(SuspendedCartRow.till == till)
                .order_by(SuspendedCartRow.id)
            )
        return [
            SuspendedCart(r.id, from_utc_naive(r.created_at), r.label, r.item_count, r.total_cents)
            for r in rows
        ]

    def load_suspended(self, suspended_id: int) -> dict[str, object] | None:
        """A parked cart's snapshot."""
        with storage_errors():
            row = SuspendedCartRow.get_or_none(SuspendedCartRow.id == suspended_id)
        if row is None:
            return None
        data: dict[str, object] = json.loads(row.cart_json)
        return data

    def drop_suspended(self, suspended_id: int) -> None:
        """Forget a parked cart."""
        with storage_errors(), self.db.atomic():
            SuspendedCartRow.delete().where(SuspendedCartRow.id == suspended_id).execute()

    def document(self, row: SaleRow) -> SaleDocument:
        """A stored sale row as its document."""
        return stored_sale(self.db, row, self.loyalty)
