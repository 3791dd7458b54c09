"""What the sales say about customers: visits, spend, baskets, items bought together."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from peewee import Database

from tui_pos.domain.customer import CustomerStats, LedgerRow, VisitSummary
from tui_pos.domain.loyalty import tier_window_start
from tui_pos.domain.promotions import Promotion, StampTally
from tui_pos.domain.sale import format_sale_number
from tui_pos.models.errors import storage_errors
from tui_pos.models.stamp_store import stamp_tally
from tui_pos.models.times import stamp

#: How many recent sales the "bought together" counts look at (bounded work per lookup).
PAIR_WINDOW_SALES = 20_000


def _time(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC)


class SqliteCustomerHistory:
    """Implements :class:`tui_pos.services.ports.CustomerHistory`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def stats(self, customer_ids: Sequence[int] | None, now: datetime) -> list[CustomerStats]:
        """Visits, spend, last visit, 12-month spend and points of customers (all if None).

        A visit is a completed sale with a positive total (a return is not a visit); spend
        counts returns negative. Other tills' and web sales count as this till has pulled
        them (``customer_spend``, :mod:`tui_pos.models.customer_spend`).
        """
        where, args = "", []
        if customer_ids is not None:
            if not customer_ids:
                return []
            where = f"WHERE c.id IN ({','.join('?' * len(customer_ids))})"
            args = list(customer_ids)
        sql = f"""
            SELECT c.id,
              (SELECT COUNT(*) FROM sale s WHERE s.customer_id = c.id AND s.status = 'completed'
                 AND s.total_cents > 0)
              + (SELECT COUNT(*) FROM customer_spend o WHERE o.customer_id = c.id
                 AND o.total_cents > 0),
              (SELECT COALESCE(SUM(s.total_cents), 0) FROM sale s WHERE s.customer_id = c.id
                 AND s.status = 'completed')
              + (SELECT COALESCE(SUM(o.total_cents), 0) FROM customer_spend o
                 WHERE o.customer_id = c.id),
              NULLIF(MAX(
                (SELECT COALESCE(MAX(s.created_at), '') FROM sale s WHERE s.customer_id = c.id
                   AND s.status = 'completed' AND s.total_cents > 0),
                (SELECT COALESCE(MAX(o.created_at), '') FROM customer_spend o
                   WHERE o.customer_id = c.id AND o.total_cents > 0)), ''),
              (SELECT COALESCE(SUM(s.total_cents), 0) FROM sale s WHERE s.customer_id = c.id
                 AND s.status = 'completed' AND s.created_at > ?1 AND s.created_at <= ?2)
              + (SELECT COALESCE(SUM(o.total_cents), 0) FROM customer_spend o
                 WHERE o.customer_id = c.id AND o.created_at > ?1 AND o.created_at <= ?2),
              (SELECT COALESCE(SUM(e.points), 0) FROM loyalty_entry e WHERE e.customer_id = c.id)
            FROM customer c {where} ORDER BY c.id"""
        with storage_errors():
            rows = self.db.execute_sql(
                sql, (stamp(tier_window_start(now)), stamp(now), *args)
            ).fetchall()
        return [
            CustomerStats(
                customer_id=int(cid),
                visits=int(visits),
                spend_cents=int(spend),
                last_visit=_time(last) if last else None,
                spend_12m_cents=int(spend_12m),
                balance=int(balance),
            )
            for cid, visits, spend, last, spend_12m, balance in rows
        ]

    def stamp_tally(self, customer_id: int, promo: Promotion) -> StampTally:
        """The customer's stamped visits (net of returns) for the stamp card ``promo``."""
        return stamp_tally(self.db, customer_id, promo)

    def visits(self, customer_id: int, limit: int) -> list[VisitSummary]:
        """The customer's latest completed sales (returns too) and online orders (web shop
        or file), newest first."""
        with storage_errors():
            rows = self.db.execute_sql(
                "SELECT * FROM (SELECT s.till, s.seq, s.created_at, s.total_cents,"
                " (SELECT COUNT(*) FROM sale_line l WHERE l.sale_id = s.id), 'till', s.id"
                " FROM sale s WHERE s.customer_id = ? AND s.status = 'completed'"
                " UNION ALL SELECT o.order_id, NULL, o.created_at, o.total_cents,"
                " (SELECT COUNT(*) FROM online_order_line l WHERE l.order_id = o.id), 'web', o.id"
                " FROM online_order o JOIN online_order_contact c ON c.order_id = o.id"
                " WHERE c.customer_id = ?) ORDER BY 3 DESC, 7 DESC LIMIT ?",
                (customer_id, customer_id, limit),
            ).fetchall()
        return [
            VisitSummary(
                format_sale_number(till, seq) if channel == "till" else str(till),
                _time(at),
                int(total),
                int(items),
                str(channel),
            )
            for till, seq, at, total, items, channel, _ in rows
        ]

    def baskets(self, customer_id: int, limit: int) -> list[frozenset[int]]:
        """The product ids of each of the customer's latest visits (sales, not returns)
        and online orders."""
        with storage_errors():
            rows = self.db.execute_sql(
                "SELECT 's' || l.sale_id, l.product_id FROM sale_line l"
                " WHERE l.product_id IS NOT NULL"
                " AND l.qty_milli > 0 AND l.sale_id IN (SELECT s.id FROM sale s"
                " WHERE s.customer_id = ? AND s.status = 'completed' AND s.total_cents > 0"
                " ORDER BY s.created_at DESC LIMIT ?)"
                " UNION ALL SELECT 'o' || l.order_id, l.product_id FROM online_order_line l"
                " WHERE l.product_id IS NOT NULL AND l.order_id IN (SELECT o.id FROM"
                " online_order o JOIN online_order_contact c ON c.order_id = o.id"
                " WHERE c.customer_id = ? ORDER BY o.created_at DESC LIMIT ?)",
                (customer_id, limit, customer_id, limit),
            ).fetchall()
        by_visit: dict[str, set[int]] = defaultdict(set)
        for visit, product_id in rows:
            by_visit[str(visit)].add(int(product_id))
        return [frozenset(items) for _, items in sorted(by_visit.items())]

    def pair_counts(
        self, product_ids: Sequence[int], limit: int = 20
    ) -> tuple[dict[int, dict[int, int]], dict[int, int]]:
        """For each of ``product_ids``: the products most often in the same recent sales
        (``limit`` each) with how many sales, and how many sales hold the product."""
        pairs: dict[int, dict[int, int]] = {}
        item_sales: dict[int, int] = {}
        with storage_errors():
            floor = self.db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM sale").fetchone()[0]
            first = int(floor) - PAIR_WINDOW_SALES
            for pid in sorted(set(product_ids)):
                count = self.db.execute_sql(
                    "SELECT COUNT(DISTINCT sale_id) FROM sale_line WHERE product_id = ?"
                    " AND sale_id > ? AND qty_milli > 0",
                    (pid, first),
                ).fetchone()[0]
                item_sales[pid] = int(count)
                rows = self.db.execute_sql(
                    "SELECT b.product_id, COUNT(DISTINCT b.sale_id) AS n FROM sale_line a"
                    " JOIN sale_line b ON b.sale_id = a.sale_id AND b.product_id != a.product_id"
                    " WHERE a.product_id = ? AND a.sale_id > ? AND a.qty_milli > 0"
                    " AND b.qty_milli > 0 GROUP BY b.product_id ORDER BY n DESC LIMIT ?",
                    (pid, first, limit),
                ).fetchall()
                pairs[pid] = {int(other): int(n) for other, n in rows}
        return pairs, item_sales

    def product_names(self, product_ids: Sequence[int]) -> dict[int, str]:
        """Names of products by id."""
        unique = sorted(set(product_ids))
        if not unique:
            return {}
        with storage_errors():
            rows = self.db.execute_sql(
                f"SELECT id, name FROM product WHERE id IN ({','.join('?' * len(unique))})",
                unique,
            ).fetchall()
        return {int(pid): str(name) for pid, name in rows}

    def ledger(self, customer_id: int) -> list[LedgerRow]:
        """The customer's points ledger, newest first."""
        with storage_errors():
            rows = self.db.execute_sql(
                "SELECT e.created_at, e.kind, e.points, s.till, s.seq FROM loyalty_entry e"
                " LEFT JOIN sale s ON s.id = e.sale_id WHERE e.customer_id = ?"
                " ORDER BY e.id DESC",
                (customer_id,),
            ).fetchall()
        return [
            LedgerRow(
                _time(at), str(kind), int(points), format_sale_number(till, seq) if till else ""
            )
            for at, kind, points, till, seq in rows
        ]

    def sales_detail(self, customer_id: int) -> list[dict[str, Any]]:
        """Every sale of the customer with its lines and payments (for a data export)."""
        with storage_errors():
            sales = self.db.execute_sql(
                "SELECT id, till, seq, status, created_at, total_cents FROM sale"
                " WHERE customer_id = ? ORDER BY created_at, id",
                (customer_id,),
            ).fetchall()
            out = []
            for sale_id, till, seq, status, at, total in sales:
                lines = self.db.execute_sql(
                    "SELECT name, qty_milli, unit_price_cents, amount_cents FROM sale_line"
                    " WHERE sale_id = ? ORDER BY position",
                    (sale_id,),
                ).fetchall()
                payments = self.db.execute_sql(
                    "SELECT kind, amount_cents FROM payment WHERE sale_id = ? ORDER BY seq",
                    (sale_id,),
                ).fetchall()
                out.append(
                    {
                        "sale": format_sale_number(till, seq),
                        "status": status,
                        "created_at": _time(at).isoformat(),
                        "total_cents": total,
                        "lines": [
                            {"name": n, "qty_milli": q, "unit_price_cents": p, "amount_cents": a}
                            for n, q, p, a in lines
                        ],
                        "payments": [{"kind": k, "amount_cents": a} for k, a in payments],
                    }
                )
        return out
