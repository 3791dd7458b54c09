"""Stamp cards counted in SQL over a customer's stored sales: a visit is one completed sale
of the customer since the card's first day with a bought piece of the card's item or
category that was not all returned; the return's own lines (append-only rows that name
the line they take back) are what takes a stamp back, so nothing is updated."""

from __future__ import annotations

from datetime import date

from peewee import Database

from tui_pos.domain.promotions import Promotion, StampTally, stamps_on_card
from tui_pos.domain.receipt import StampCard
from tui_pos.domain.sale import SaleDocument
from tui_pos.models.errors import storage_errors
from tui_pos.models.promotion_store import SqlitePromotionStore


def stamp_tally(
    db: Database, customer_id: int, promo: Promotion, until_sale: str | None = None
) -> StampTally:
    """The customer's stamped visits for ``promo`` and how many got the free piece, net
    of returns (sales and returns stored up to and including the sale with the uuid
    ``until_sale``: sales are numbered as they are stored, so a reprint counts the same)."""
    upto = " AND {0}.id <= (SELECT id FROM sale WHERE uuid = ?)" if until_sale else ""
    sql = (
        "SELECT COUNT(*), COALESCE(SUM(f), 0) FROM (SELECT s.id, MAX(l.promotion = ?) AS f"
        " FROM sale s JOIN sale_line l ON l.sale_id = s.id JOIN product p ON p.id = l.product_id"
        " WHERE s.customer_id = ? AND s.status = 'completed' AND s.created_at >= ?"
        " AND l.qty_milli > 0 AND (l.product_id = ? OR p.category_id = ?)"
        " AND l.qty_milli > (SELECT COALESCE(-SUM(r.qty_milli), 0) FROM sale_line r"
        "  JOIN sale rs ON rs.id = r.sale_id WHERE r.return_of_line_id = l.id"
        f"  AND rs.status = 'completed'{upto.format('rs')}){upto.format('s')}"
        " GROUP BY s.id)"
    )
    args: list[object] = [
        promo.reason,
        customer_id,
        promo.starts_on.isoformat(),
        promo.product_id,
        promo.category_id,
    ]
    if until_sale is not None:
        args += [until_sale, until_sale]
    with storage_errors():
        visits, free = db.execute_sql(sql, args).fetchone()
    return StampTally(int(visits), int(free))


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
            tally = stamp_tally(self.db, doc.customer_id, promo, doc.uuid)
            free_now = any(ln.promotion == promo.reason for ln in doc.lines if ln.qty_milli > 0)
            found.append(
                StampCard(promo.name, stamps_on_card(tally, promo.buy_qty, free_now), promo.buy_qty)
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
