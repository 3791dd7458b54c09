"""The OnlineOrderStore port on SQLite: orders once by id, stock by ``online`` movements,
hand-overs as appended events."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from peewee import Database, IntegrityError

from tui_pos.domain.errors import DomainError
from tui_pos.domain.stock import Movement
from tui_pos.models.errors import storage_errors
from tui_pos.models.order_contacts import insert_contact
from tui_pos.models.stock_store import insert_movements
from tui_pos.models.times import from_utc_naive, stamp
from tui_pos.models.unit_of_work import writing
from tui_pos.services.online_orders import CollectionOrder, OnlineOrder


class SqliteOnlineOrderStore:
    """Implements :class:`tui_pos.services.online_orders.OnlineOrderStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def known(self, order_ids: Sequence[str]) -> set[str]:
        """Which of ``order_ids`` were imported already."""
        found: set[str] = set()
        with storage_errors():
            for start in range(0, len(order_ids), 500):
                chunk = list(order_ids[start : start + 500])
                rows = self.db.execute_sql(
                    "SELECT order_id FROM online_order WHERE order_id IN "
                    f"({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
                found |= {r[0] for r in rows}
        return found

    def store(self, orders: Sequence[OnlineOrder], till: str, now: datetime) -> list[str]:
        """Write new orders, their lines and stock movements in one transaction."""
        written: list[str] = []
        with writing(self.db, till):
            moves: list[Movement] = []
            for order in orders:
                exists = self.db.execute_sql(
                    "SELECT 1 FROM online_order WHERE order_id = ?", (order.order_id,)
                ).fetchone()
                if exists:  # imported meanwhile by another process: skipped, not doubled
                    continue
                order_pk = self.db.execute_sql(
                    "INSERT INTO online_order (order_id, created_at, imported_at, till,"
                    " collection, total_cents) VALUES (?,?,?,?,?,?)",
                    (
                        order.order_id,
                        stamp(order.created_at),
                        stamp(now),
                        till,
                        int(order.collection),
                        order.total_cents,
                    ),
                ).lastrowid
                insert_contact(
                    self.db,
                    order_pk,
                    order.customer_id,
                    order.customer_name,
                    order.customer_email,
                    order.customer_phone,
                    order.customer_card,
                )
                self.db.cursor().executemany(
                    "INSERT INTO online_order_line (order_id, position, product_id, name,"
                    " qty_milli, unit_price_cents, amount_cents) VALUES (?,?,?,?,?,?,?)",
                    [
                        (
                            order_pk,
                            pos,
                            ln.product_id,
                            ln.name,
                            ln.qty_milli,
                            ln.unit_price_cents,
                            ln.amount_cents,
                        )
                        for pos, ln in enumerate(order.lines, start=1)
                    ],
                )
                moves += [
                    Movement(ln.product_id, -ln.qty_milli, "online", f"order {order.order_id}")
                    for ln in order.lines
                ]
                written.append(order.order_id)
            insert_movements(self.db, till, stamp(now), moves)
        return written

    def collection(self, text: str, include_collected: bool) -> list[CollectionOrder]:
        """Orders for collection whose id or customer name contains ``text``."""
        like = f"%{text.replace('%', '').replace('_', '')}%"
        with storage_errors():
            rows = self.db.execute_sql(
                "SELECT o.id, o.order_id, o.created_at, COALESCE(c.name, ''),"
                " (SELECT COUNT(*) FROM online_order_line l WHERE l.order_id = o.id),"
                " o.total_cents, e.created_at FROM online_order o"
                " LEFT JOIN online_order_contact c ON c.order_id = o.id"
                " LEFT JOIN online_order_event e ON e.order_id = o.id AND e.kind = 'collected'"
                " WHERE o.collection = 1 AND (o.order_id LIKE ? OR c.name LIKE ?)"
                f"{'' if include_collected else ' AND e.id IS NULL'}"
                " ORDER BY o.created_at, o.id LIMIT 200",
                (like, like),
            ).fetchall()
        return [
            CollectionOrder(
                id=r[0],
                order_id=r[1],
                created_at=from_utc_naive(datetime.fromisoformat(r[2])),
                customer_name=r[3],
                item_count=r[4],
                total_cents=r[5],
                collected_at=from_utc_naive(datetime.fromisoformat(r[6])) if r[6] else None,
            )
            for r in rows
        ]

    def hand_over(self, order: int, till: str, cashier: str, now: datetime) -> None:
        """Append the 'collected' event (UNIQUE per order: a second hand-over is refused)."""
        try:
            with writing(self.db, till):
                self.db.execute_sql(
                    "INSERT INTO online_order_event (order_id, kind, till, cashier, created_at)"
                    " VALUES (?, 'collected', ?, ?, ?)",
                    (order, till, cashier, stamp(now)),
                )
        except Exception as exc:
            cause = exc.__cause__ or exc
            if isinstance(cause, (IntegrityError, sqlite3.IntegrityError)):
                raise DomainError("That order was handed over already") from exc
            raise
