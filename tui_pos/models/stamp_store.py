"""Stamp cards counted in SQL over a customer's stored sales: a visit is one completed sale
of the customer since the card's first day with a bought (not returned) piece of the
card's item or category."""

from __future__ import annotations

from datetime import date

from peewee import Database

from tui_pos.domain.promotions import Promotion, stamps_on_card
from tui_pos.domain.receipt import StampCard
from tui_pos.domain.sale import SaleDocument
from tui_pos.models.errors import storage_errors
from tui_pos.models.promotion_store import SqlitePromotionStore


def stamp_visits(
    db: Database, customer_id: int, promo: Promotion, until_sale: str | None = None
) -> int:
    """The customer's stamped visits for ``promo`` (up to and including the sale with
    the uuid ``until_sale``: sales are numbered as they are stored)."""
    sql = (
        "SELECT COUNT(*) FROM sale s WHERE s.customer_id = ? AND s.status = 'completed'"
        " AND s.created_at >= ? AND EXISTS (SELECT 1 FROM sale_line l"
        " JOIN product p ON p.id = l.product_id WHERE l.sale_id = s.id AND l.qty_milli > 0"
        " AND (l.product_id = ? OR p.category_id = ?))"
    )
    args: list[object] = [
        customer_id,
        promo.starts_on.isoformat(),
        promo.product_id,
        promo.category_id,
    ]
    if until_sale is not None:
        sql += " AND s.id <= (SELECT id FROM sale WHERE uuid = ?)"
        args.append(until_sale)
    with storage_errors():
        return int(db.execute_sql(sql, args).fetchone()[0])


class SqliteStampCards:
    """The stamp cards a receipt shows (``services/receipts.StampCards``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.promotions = SqlitePromotionStore(db)

    def cards(self, doc: SaleDocument, day: date) -> list[StampCard]:
        """The cards this sale stamped, with the stamps on each after it."""
        if doc.customer_id is None:
            return []
        found = []
        for promo in self.promotions.active_on(day):
            if promo.kind != "stamp":
                continue
            ids = {ln.product_id for ln in doc.lines if ln.qty_milli > 0}
            if not self._stamped(promo, ids):
                continue
            visits = stamp_visits(self.db, doc.customer_id, promo, doc.uuid)
            found.append(
                StampCard(promo.name, stamps_on_card(visits, promo.buy_qty), promo.buy_qty)
            )
        return found

    def _stamped(self, promo: Promotion, product_ids: set[int | None]) -> bool:
        if promo.product_id is not None:
            return promo.product_id in product_ids
        wanted = [i for i in product_ids if i is not None]
        if not wanted:
            return False
        marks = ",".join("?" * len(wanted))
        with storage_errors():
            row = self.db.execute_sql(
                f"SELECT 1 FROM product WHERE category_id = ? AND id IN ({marks}) LIMIT 1",
                [promo.category_id, *wanted],
            ).fetchone()
        return row is not None
