"""The PromotionStore port on SQLite. Promotions are settings, not documents: ending one
sets its last day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from peewee import Database

from tui_pos.domain.promotions import Promotion
from tui_pos.models.errors import storage_errors
from tui_pos.models.times import stamp

_COLUMNS = (
    "id, name, kind, value, product_id, category_id, buy_qty, pay_qty, starts_on, ends_on,"
    " tier, segment, birthday"
)


def _promotion(row: Any) -> Promotion:
    return Promotion(
        id=row[0],
        name=row[1],
        kind=row[2],
        value=row[3],
        product_id=row[4],
        category_id=row[5],
        buy_qty=row[6],
        pay_qty=row[7],
        starts_on=date.fromisoformat(str(row[8])),
        ends_on=date.fromisoformat(str(row[9])) if row[9] else None,
        tier=str(row[10]),
        segment=str(row[11]),
        birthday=bool(row[12]),
    )


class SqlitePromotionStore:
    """Implements :class:`tui_pos.services.promotions.PromotionStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, promo: Promotion) -> int:
        """Store a new promotion."""
        with storage_errors(), self.db.atomic():
            return int(
                self.db.execute_sql(
                    "INSERT INTO promotion (name, kind, value, product_id, category_id, buy_qty,"
                    " pay_qty, starts_on, ends_on, created_at, tier, segment, birthday)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        promo.name,
                        promo.kind,
                        promo.value,
                        promo.product_id,
                        promo.category_id,
                        promo.buy_qty,
                        promo.pay_qty,
                        promo.starts_on.isoformat(),
                        promo.ends_on.isoformat() if promo.ends_on else None,
                        stamp(datetime.now().astimezone()),
                        promo.tier,
                        promo.segment,
                        int(promo.birthday),
                    ),
                ).lastrowid
            )

    def all(self) -> list[Promotion]:
        """Every promotion, newest first."""
        with storage_errors():
            rows = self.db.execute_sql(
                f"SELECT {_COLUMNS} FROM promotion ORDER BY id DESC"
            ).fetchall()
        return [_promotion(r) for r in rows]

    def active_on(self, day: date) -> list[Promotion]:
        """Promotions whose dates include ``day``."""
        text = day.isoformat()
        with storage_errors():
            rows = self.db.execute_sql(
                f"SELECT {_COLUMNS} FROM promotion WHERE starts_on <= ?"
                " AND (ends_on IS NULL OR ends_on >= ?) ORDER BY id",
                (text, text),
            ).fetchall()
        return [_promotion(r) for r in rows]

    def set_end(self, promo_id: int, day: date) -> None:
        """Set a promotion's last day."""
        with storage_errors(), self.db.atomic():
            self.db.execute_sql(
                "UPDATE promotion SET ends_on = ? WHERE id = ?", (day.isoformat(), promo_id)
            )

    def category_id(self, name: str) -> int | None:
        """A category's id by name (case-insensitive)."""
        with storage_errors():
            row = self.db.execute_sql(
                "SELECT id FROM category WHERE lower(name) = lower(?)", (name.strip(),)
            ).fetchone()
        return int(row[0]) if row else None

    def target_names(self) -> dict[tuple[str, int], str]:
        """Names of the products and categories promotions point at."""
        with storage_errors():
            products = self.db.execute_sql(
                "SELECT p.id, p.name FROM product p JOIN promotion x ON x.product_id = p.id"
            ).fetchall()
            categories = self.db.execute_sql(
                "SELECT c.id, c.name FROM category c JOIN promotion x ON x.category_id = c.id"
            ).fetchall()
        names = {("product", int(i)): str(n) for i, n in products}
        names.update({("category", int(i)): str(n) for i, n in categories})
        return names
