"""The AnalysisStore port on SQLite: every report is one grouped SQL query.

Times are stored as UTC text (``YYYY-MM-DD HH:MM:SS[.ffffff]``, models/times.py), so a
range is a text comparison on the ``sale_till_created_at`` index and the hour of a sale
is read straight from the text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tui_pos.domain.analysis_figures import (
    CategorySales,
    DiscountSummary,
    EmployeeSales,
    HourSales,
    ItemSales,
    NoSaleRecord,
    RefundRecord,
    TenderSummary,
    VoidRecord,
)
from tui_pos.domain.channel_report import ChannelSales
from tui_pos.domain.report import TaxTotal
from tui_pos.models.errors import storage_errors
from tui_pos.models.times import stamp

if TYPE_CHECKING:
    from peewee import Database

#: The sales of one till in a time range (parameters: till, start, end).
_SALES = "s.till = ? AND s.created_at >= ? AND s.created_at < ?"
_COMPLETED = f"{_SALES} AND s.status = 'completed'"


class SqliteAnalysisStore:
    """Implements :class:`tui_pos.services.analysis.AnalysisStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _rows(
        self, sql: str, till: str, start: datetime, end: datetime, repeat: int = 1
    ) -> list[tuple[Any, ...]]:
        params = (till, stamp(start), stamp(end)) * repeat
        with storage_errors():
            return list(self.db.execute_sql(sql, params).fetchall())

    def hours(
        self, till: str, start: datetime, end: datetime, offset_minutes: int
    ) -> list[HourSales]:
        """Minute of the UTC day read from the stored text, shifted by the offset."""
        with storage_errors():
            rows = self.db.execute_sql(
                "SELECT ((CAST(substr(s.created_at, 12, 2) AS INTEGER) * 60"
                " + CAST(substr(s.created_at, 15, 2) AS INTEGER) + ?) % 1440 + 1440)"
                " % 1440 / 60 AS hour, COUNT(*), SUM(s.subtotal_cents - s.discount_cents)"
                f" FROM sale s WHERE {_COMPLETED} GROUP BY hour",
                (offset_minutes, till, stamp(start), stamp(end)),
            ).fetchall()
        return [HourSales(int(hour), int(count), int(net)) for hour, count, net in rows]

    def categories(self, till: str, start: datetime, end: datetime) -> list[CategorySales]:
        """Lines summed per product first, then products per category (few lookups)."""
        rows = self._rows(
            "SELECT COALESCE(c.name, ''), SUM(x.net), SUM(x.disc) FROM ("
            " SELECT l.product_id AS pid, SUM(l.amount_cents) AS net,"
            " SUM(l.line_discount_cents + l.cart_discount_cents) AS disc"
            f" FROM sale s JOIN sale_line l ON l.sale_id = s.id WHERE {_COMPLETED}"
            " GROUP BY l.product_id) x"
            " LEFT JOIN product p ON p.id = x.pid LEFT JOIN category c ON c.id = p.category_id"
            " GROUP BY c.id",
            till,
            start,
            end,
        )
        return [CategorySales(str(name), int(net), int(disc)) for name, net, disc in rows]

    def items(self, till: str, start: datetime, end: datetime) -> list[ItemSales]:
        """Per product, named as on its latest line (a renamed product keeps one row).

        Only integers are grouped and aggregated over the lines (grouping by name text
        cost half again as much on a year of sales); a line without a product (none is
        made today) is a row of its own.
        """
        rows = self._rows(
            "SELECT n.name, n.code, n.unit, x.qty, x.net FROM ("
            " SELECT MAX(l.id) AS last, SUM(l.qty_milli) AS qty, SUM(l.amount_cents) AS net"
            f" FROM sale s JOIN sale_line l ON l.sale_id = s.id WHERE {_COMPLETED}"
            " GROUP BY COALESCE(l.product_id, -l.id)) x"
            " JOIN sale_line n ON n.id = x.last",
            till,
            start,
            end,
        )
        return [
            ItemSales(str(name), str(code), str(unit), int(qty), int(net))
            for name, code, unit, qty, net in rows
        ]

    def employees(self, till: str, start: datetime, end: datetime) -> list[EmployeeSales]:
        """Per cashier name, from the sale rows alone."""
        rows = self._rows(
            "SELECT s.cashier, SUM(s.status = 'completed'),"
            " SUM(CASE WHEN s.status = 'completed' THEN s.subtotal_cents - s.discount_cents"
            " ELSE 0 END),"
            " SUM(CASE WHEN s.status = 'completed' THEN s.discount_cents ELSE 0 END),"
            " SUM(s.status = 'voided')"
            f" FROM sale s WHERE {_SALES} GROUP BY s.cashier",
            till,
            start,
            end,
        )
        return [
            EmployeeSales(str(name), int(sales), int(net), int(disc), int(voids))
            for name, sales, net, disc, voids in rows
        ]

    def tenders(self, till: str, start: datetime, end: datetime) -> list[TenderSummary]:
        """Payments per kind; negative payments are money paid back."""
        rows = self._rows(
            "SELECT p.kind, COUNT(*),"
            " SUM(CASE WHEN p.amount_cents > 0 THEN p.amount_cents ELSE 0 END),"
            " SUM(CASE WHEN p.amount_cents < 0 THEN -p.amount_cents ELSE 0 END)"
            f" FROM sale s JOIN payment p ON p.sale_id = s.id WHERE {_COMPLETED}"
            " GROUP BY p.kind",
            till,
            start,
            end,
        )
        return [TenderSummary(str(k), int(n), int(t), int(r)) for k, n, t, r in rows]

    def channels(self, till: str, start: datetime, end: datetime) -> list[ChannelSales]:
        """This till's completed sales, and every web order it knows, in the range."""
        rows = self._rows(
            f"SELECT 'till', COUNT(*), SUM(s.total_cents) FROM sale s WHERE {_COMPLETED}"
            " UNION ALL SELECT 'web', COUNT(*), SUM(o.total_cents) FROM online_order o"
            " WHERE ? != '' AND o.created_at >= ? AND o.created_at < ?",
            till,
            start,
            end,
            repeat=2,
        )
        return [ChannelSales(str(c), int(n), int(t or 0)) for c, n, t in rows]

    def taxes(self, till: str, start: datetime, end: datetime) -> list[TaxTotal]:
        """Stored tax per code and rate."""
        rows = self._rows(
            "SELECT t.code, t.rate_bp, SUM(t.base_cents), SUM(t.tax_cents)"
            f" FROM sale s JOIN sale_tax t ON t.sale_id = s.id WHERE {_COMPLETED}"
            " GROUP BY t.code, t.rate_bp",
            till,
            start,
            end,
        )
        return [TaxTotal(str(c), int(r), int(b), int(t)) for c, r, b, t in rows]

    def discounts(self, till: str, start: datetime, end: datetime) -> list[DiscountSummary]:
        """Per sale first (to count the sales discounted), then per cashier."""
        rows = self._rows(
            "SELECT s2.cashier, COUNT(*), SUM(x.ld), SUM(x.cd) FROM ("
            " SELECT l.sale_id AS sid, SUM(l.line_discount_cents) AS ld,"
            " SUM(l.cart_discount_cents) AS cd"
            f" FROM sale s JOIN sale_line l ON l.sale_id = s.id WHERE {_COMPLETED}"
            " GROUP BY l.sale_id HAVING ld <> 0 OR cd <> 0) x"
            " JOIN sale s2 ON s2.id = x.sid GROUP BY s2.cashier",
            till,
            start,
            end,
        )
        return [DiscountSummary(str(c), int(n), int(ld), int(cd)) for c, n, ld, cd in rows]

    def voids(self, till: str, start: datetime, end: datetime) -> list[VoidRecord]:
        """A voided sale counts its lines and the lines voided before it; a completed
        sale counts the lines voided on it (their amounts are not kept)."""
        rows = self._rows(
            "SELECT s.seq, s.created_at, s.cashier, s.status = 'voided',"
            " s.voided_lines + CASE WHEN s.status = 'voided' THEN"
            " (SELECT COUNT(*) FROM sale_line l WHERE l.sale_id = s.id) ELSE 0 END,"
            " CASE WHEN s.status = 'voided' THEN s.total_cents END"
            f" FROM sale s WHERE {_SALES} AND (s.status = 'voided' OR s.voided_lines > 0)"
            " ORDER BY s.seq",
            till,
            start,
            end,
        )
        return [
            VoidRecord(
                int(seq),
                _utc(created),
                str(cashier),
                bool(whole),
                int(lines),
                None if amount is None else int(amount),
            )
            for seq, created, cashier, whole, lines, amount in rows
        ]

    def refunds(self, till: str, start: datetime, end: datetime) -> list[RefundRecord]:
        """Lines with a negative quantity in completed sales, made positive."""
        rows = self._rows(
            "SELECT s.seq, s.created_at, s.cashier, l.name, l.code, l.unit,"
            " -l.qty_milli, -l.amount_cents"
            f" FROM sale s JOIN sale_line l ON l.sale_id = s.id WHERE {_COMPLETED}"
            " AND l.qty_milli < 0 ORDER BY s.seq, l.position",
            till,
            start,
            end,
        )
        return [
            RefundRecord(int(seq), _utc(at), str(who), str(n), str(c), str(u), int(q), int(a))
            for seq, at, who, n, c, u, q, a in rows
        ]

    def no_sales(self, till: str, start: datetime, end: datetime) -> list[NoSaleRecord]:
        """Drawer events of kind no_sale."""
        rows = self._rows(
            "SELECT d.seq, d.created_at, d.sent, d.error FROM drawer_event d"
            " WHERE d.till = ? AND d.created_at >= ? AND d.created_at < ?"
            " AND d.reason = 'no_sale' ORDER BY d.seq",
            till,
            start,
            end,
        )
        return [NoSaleRecord(int(s), _utc(at), bool(sent), str(e)) for s, at, sent, e in rows]


def _utc(value: str | datetime) -> datetime:
    """A stored time (text as SQLite returns it from raw SQL) as an aware UTC datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC)
