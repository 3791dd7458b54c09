"""Personal coupons on SQLite: looking one up, and its redemption written inside the
sale's transaction (checked again there: the UNIQUE code makes it once, whichever till
or process stores first)."""

from __future__ import annotations

import uuid
from datetime import date

from peewee import Database

from tui_pos.domain.coupons import Coupon, CouponError
from tui_pos.domain.sale import SaleDocument
from tui_pos.models.errors import storage_errors


def record_redemption(db: Database, doc: SaleDocument, created: str) -> None:
    """Write the redemption of ``doc.coupon`` (inside ``record_sale``'s transaction);
    CouponError when another sale redeemed it first."""
    assert doc.coupon is not None
    used = db.execute_sql(
        "SELECT r.till FROM coupon_redemption r WHERE r.code = ?", (doc.coupon,)
    ).fetchone()
    if used is not None:
        raise CouponError(
            f"Coupon {doc.coupon} was redeemed at till {used[0]} meanwhile: void the sale"
            " and ring it up again without the coupon"
        )
    db.execute_sql(
        "INSERT INTO coupon_redemption (uuid, till, code, customer_id, sale_uuid,"
        " discount_cents, created_at) VALUES (?,?,?,?,?,?,?)",
        (
            uuid.uuid4().hex,
            doc.till,
            doc.coupon,
            doc.customer_id or 0,
            doc.uuid,
            doc.discount_cents,
            created,
        ),
    )


class SqliteCouponStore:
    """Implements :class:`tui_pos.services.coupons.CouponStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def open_coupons(self, customer_id: int, day: date) -> list[Coupon]:
        """The customer's unredeemed coupons valid on ``day``, oldest first."""
        with storage_errors():
            rows = self.db.execute_sql(
                "SELECT q.code FROM coupon q WHERE q.customer_id = ? AND q.valid_from <= ?"
                " AND (q.valid_to IS NULL OR q.valid_to >= ?) AND NOT EXISTS"
                " (SELECT 1 FROM coupon_redemption r WHERE r.code = q.code) ORDER BY q.id",
                (customer_id, day.isoformat(), day.isoformat()),
            ).fetchall()
        found = (self.coupon(str(code)) for (code,) in rows)
        return [c for c in found if c is not None]

    def coupon(self, code: str) -> Coupon | None:
        """The coupon with that code (and whether it was redeemed), None if unknown."""
        with storage_errors():
            row = self.db.execute_sql(
                "SELECT q.code, q.customer_id, q.kind, q.value, q.valid_from, q.valid_to,"
                " EXISTS (SELECT 1 FROM coupon_redemption r WHERE r.code = q.code)"
                " FROM coupon q WHERE q.code = ?",
                (code,),
            ).fetchone()
        if row is None:
            return None
        return Coupon(
            str(row[0]),
            int(row[1]),
            str(row[2]),
            int(row[3]),
            date.fromisoformat(str(row[4])),
            date.fromisoformat(str(row[5])) if row[5] else None,
            bool(row[6]),
        )
