"""A stored sale read back as its document: the one place that rebuilds a
:class:`SaleDocument` from its rows (the sale store and the journal both use it)."""

from __future__ import annotations

from typing import cast, get_args

from peewee import Database

from tui_pos.domain.errors import StorageError
from tui_pos.domain.quantity import Unit
from tui_pos.domain.sale import SaleDocument, SoldLine
from tui_pos.domain.tax import TaxLine
from tui_pos.domain.tender import Payment, TenderKind
from tui_pos.models.base import present_fields
from tui_pos.models.sales import PaymentRow, SaleLineRow, SaleRow, SaleTaxRow
from tui_pos.models.times import from_utc_naive
from tui_pos.services.ports import SalePoints


def stored_sale(db: Database, row: SaleRow, ledger: SalePoints | None) -> SaleDocument:
    """A stored sale row as its document (lines, taxes and payments in stored order);
    its points summary only when ``ledger`` is given (migration 3's backfill runs before
    the customer column exists)."""
    damaged = {
        r[0]
        for r in db.execute_sql(
            "SELECT m.sale_line_id FROM stock_movement m JOIN sale_line l"
            " ON l.id = m.sale_line_id WHERE l.sale_id = ? AND m.kind = 'damaged'",
            (row.id,),
        ).fetchall()
    }
    lines = tuple(
        SoldLine(
            product_id=ln.product_id,  # type: ignore[attr-defined]  # Peewee's FK id accessor
            name=ln.name,
            code=ln.code,
            unit=_unit(ln.unit),
            qty_milli=ln.qty_milli,
            unit_price_cents=ln.unit_price_cents,
            base_cents=ln.base_cents,
            line_discount_cents=ln.line_discount_cents,
            cart_discount_cents=ln.cart_discount_cents,
            amount_cents=ln.amount_cents,
            tax_code=ln.tax_code,
            tax_rate_bp=ln.tax_rate_bp,
            return_of_line_id=ln.return_of_line_id,
            promotion=ln.promotion,
            promo_discount_cents=ln.promo_discount_cents,
            to_stock=ln.id not in damaged,
        )
        for ln in SaleLineRow.select(*present_fields(SaleLineRow))
        .where(SaleLineRow.sale == row)
        .order_by(SaleLineRow.position)
    )
    taxes = tuple(
        TaxLine(t.code, t.rate_bp, t.base_cents, t.tax_cents)
        for t in SaleTaxRow.select().where(SaleTaxRow.sale == row).order_by(SaleTaxRow.code)
    )
    payments = tuple(
        Payment(
            _tender_kind(p.kind),
            p.amount_cents,
            p.tendered_cents,
            p.change_cents,
            p.reference,
            p.uuid,
        )
        for p in PaymentRow.select().where(PaymentRow.sale == row).order_by(PaymentRow.seq)
    )
    customer, points = None, None
    if ledger is not None:  # (the backfill of migration 3 runs before the column)
        customer = db.execute_sql(
            "SELECT customer_id FROM sale WHERE id = ?", (row.id,)
        ).fetchone()[0]
        points = ledger.sale_points(row.id, customer)
    return SaleDocument(
        uuid=row.uuid,
        till=row.till,
        status="voided" if row.status == "voided" else "completed",
        created_at=from_utc_naive(row.created_at),
        cashier=row.cashier,
        lines=lines,
        taxes=taxes,
        payments=payments,
        subtotal_cents=row.subtotal_cents,
        discount_cents=row.discount_cents,
        tax_cents=row.tax_cents,
        total_cents=row.total_cents,
        rounding_cents=row.rounding_cents,
        change_cents=row.change_cents,
        voided_lines=row.voided_lines,
        seq=row.seq,
        employee_id=row.employee_id,
        customer_id=customer,
        points=points,
    )


def _tender_kind(value: str) -> TenderKind:
    if value not in get_args(TenderKind):
        raise StorageError(f"A stored payment has an unknown tender kind {value!r}")
    return cast(TenderKind, value)


def _unit(value: str) -> Unit:
    return "kg" if value == "kg" else "each"
