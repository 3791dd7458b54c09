"""The ReportStore port on SQLite: aggregates in SQL, Z closes numbered in a transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tui_pos.domain.report import DayReport, PeriodTotals
from tui_pos.models.chain_store import head
from tui_pos.models.errors import storage_errors
from tui_pos.models.times import to_utc_naive

if TYPE_CHECKING:
    from peewee import Database


class SqliteReportStore:
    """Implements :class:`tui_pos.services.reports.ReportStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def open_period(self, till: str) -> PeriodTotals:
        """Totals of the sales, cash movements and no-sales after the last Z close."""
        with storage_errors():
            return self._open_totals(till)

    def between(self, till: str, start: datetime, end: datetime) -> PeriodTotals:
        """Totals of the sales, cash movements and no-sales made in ``[start, end)``."""
        span = "created_at >= ? AND created_at < ?"
        params = (_stamp(start), _stamp(end))
        with storage_errors():
            totals = self._totals(till, span.replace("created_at", "s.created_at"), params)
            return self._with_cash(totals, till, span, params, span, params)

    def close_period(
        self, till: str, now: datetime, compose: Callable[[PeriodTotals, int], DayReport]
    ) -> DayReport:
        """Total the open period and store it as the next Z, atomically."""
        from tui_pos.models.sales import ZCloseRow  # (an X report reads no Z row model)
        from tui_pos.models.unit_of_work import writing

        with writing(self.db, till):
            last = (
                ZCloseRow.select()
                .where(ZCloseRow.till == till)
                .order_by(ZCloseRow.z_number.desc())
                .first()
            )
            after = last.last_seq if last else 0
            totals = self._open_totals(till)
            report = compose(totals, (last.z_number if last else 0) + 1)
            chained = head(self.db)  # every document of the period is in it
            if chained is not None:
                report = replace(
                    report,
                    chain_seq=chained.seq,
                    chain_head=chained.mac,
                    grand_total_cents=chained.grand_total_cents,
                )
            last_seq = totals.last_seq if totals.last_seq is not None else after
            ZCloseRow.create(
                till=till,
                z_number=report.z_number,
                closed_at=to_utc_naive(now),
                first_seq=after + 1,
                last_seq=last_seq,
                report_json=json.dumps(report.to_dict()),
                last_cash_seq=totals.last_cash_seq,
            )
        return report

    def z_reports(self, till: str, start: datetime, end: datetime) -> list[DayReport]:
        """Z closes of ``till`` made in ``[start, end)``."""
        from tui_pos.models.sales import ZCloseRow

        with storage_errors():
            rows = (
                ZCloseRow.select()
                .where(
                    (ZCloseRow.till == till)
                    & (ZCloseRow.closed_at >= to_utc_naive(start))
                    & (ZCloseRow.closed_at < to_utc_naive(end))
                )
                .order_by(ZCloseRow.z_number)
            )
            return [DayReport.from_dict(json.loads(r.report_json)) for r in rows]

    def unprinted_receipts(self, till: str) -> list[int]:
        """Sale numbers with a receipt (not a copy) not printed yet (queued or sending)."""
        with storage_errors():
            rows = self.db.execute_sql(
                "SELECT s.seq FROM print_job j JOIN sale s ON s.id = j.sale_id "
                "WHERE j.till = ? AND j.status IN ('queued', 'sending') AND j.kind = 'receipt'"
                " ORDER BY s.seq",
                (till,),
            ).fetchall()
        return [int(r[0]) for r in rows]

    def _open_totals(self, till: str) -> PeriodTotals:
        row = self.db.execute_sql(
            "SELECT z.last_seq, z.last_cash_seq, z.closed_at, COALESCE(s.id, 0) FROM z_close z "
            "LEFT JOIN sale s ON s.till = z.till AND s.seq = z.last_seq "
            "WHERE z.till = ? ORDER BY z.z_number DESC LIMIT 1",
            (till,),
        ).fetchone()
        last_seq, last_cash, closed_at, last_id = row if row else (0, 0, "", 0)
        totals = self._totals(till, "s.seq > ?", (last_seq,), after_id=int(last_id))
        return self._with_cash(
            totals, till, "seq > ?", (last_cash,), "created_at > ?", (str(closed_at),), last_cash
        )

    def _with_cash(
        self,
        totals: PeriodTotals,
        till: str,
        cash_where: str,
        cash_params: tuple[Any, ...],
        drawer_where: str,
        drawer_params: tuple[Any, ...],
        carried_cash_seq: int = 0,
    ) -> PeriodTotals:
        """Add the cash movements and the no-sales of the period (``carried_cash_seq``: the
        last movement of the previous Z, kept when the period has none)."""
        cash = self.db.execute_sql(
            "SELECT SUM(CASE WHEN kind = 'float' THEN amount_cents END), "
            "SUM(CASE WHEN kind = 'in' THEN amount_cents END), "
            "SUM(CASE WHEN kind = 'out' THEN amount_cents END), MAX(seq) "
            f"FROM cash_movement WHERE till = ? AND {cash_where}",
            (till, *cash_params),
        ).fetchone()
        no_sales = self.db.execute_sql(
            "SELECT COUNT(*) FROM drawer_event WHERE till = ? AND reason = 'no_sale' "
            f"AND {drawer_where}",
            (till, *drawer_params),
        ).fetchone()
        return replace(
            totals,
            float_cents=int(cash[0] or 0),
            cash_in_cents=int(cash[1] or 0),
            cash_out_cents=int(cash[2] or 0),
            no_sales=int(no_sales[0] or 0),
            last_cash_seq=int(cash[3] or carried_cash_seq),
        )

    def _totals(
        self, till: str, where: str, params: tuple[Any, ...], after_id: int | None = None
    ) -> PeriodTotals:
        """Sum the sales of ``till`` that match ``where``.

        ``after_id``: every matching sale has a larger id (the open period: sales are
        appended with growing ids and seqs, never deleted). The sums then read the sale
        table and each child table once, from that id on, instead of probing the children
        once per sale (see docs/DESIGN.md, "Report plans")."""
        args = (till, *params)
        if after_id is None:
            heads = f"FROM sale s WHERE s.till = ? AND {where}"
            head_args: tuple[Any, ...] = args
            children = f"{{child}} c JOIN sale s ON s.id = c.sale_id WHERE s.till = ? AND {where}"
            child_args: tuple[Any, ...] = args
        else:
            # Unary + keeps SQLite off the (till, seq) index: a rowid range reads the
            # period's rows in place, whether the period is a day or a year.
            heads = f"FROM sale s WHERE s.id > ? AND +s.till = ? AND {where.replace('s.', '+s.')}"
            head_args = (after_id, *args)
            children = (
                "{child} c CROSS JOIN sale s ON s.id = c.sale_id WHERE c.id >= "
                "(SELECT id FROM {child} WHERE sale_id > ? ORDER BY sale_id LIMIT 1) "
                f"AND +c.sale_id > ? AND s.till = ? AND {where}"
            )
            child_args = (after_id, after_id, *args)
        head = self.db.execute_sql(
            "SELECT MIN(s.seq), MAX(s.seq), "
            "SUM(s.status = 'completed'), "
            "SUM(CASE WHEN s.status = 'completed' THEN s.subtotal_cents END), "
            "SUM(CASE WHEN s.status = 'completed' THEN s.discount_cents END), "
            "SUM(CASE WHEN s.status = 'completed' THEN s.tax_cents END), "
            "SUM(CASE WHEN s.status = 'completed' THEN s.total_cents END), "
            "SUM(CASE WHEN s.status = 'completed' THEN s.rounding_cents END), "
            "SUM(s.status = 'voided'), SUM(s.voided_lines) " + heads,
            head_args,
        ).fetchone()
        taxes = self.db.execute_sql(
            "SELECT c.code, c.rate_bp, SUM(c.base_cents), SUM(c.tax_cents) FROM "
            + children.format(child="sale_tax")
            + " AND s.status = 'completed' GROUP BY c.code, c.rate_bp ORDER BY c.code, c.rate_bp",
            child_args,
        ).fetchall()
        tenders = self.db.execute_sql(
            "SELECT c.kind, SUM(c.amount_cents) FROM "
            + children.format(child="payment")
            + " AND s.status = 'completed' GROUP BY c.kind",
            child_args,
        ).fetchall()
        # Refund lines are the only negative ones: the partial index sale_line_refund
        # (migration 13) holds just them, so this reads no ordinary line.
        refunds = self.db.execute_sql(
            "SELECT COALESCE(-SUM(l.amount_cents), 0) FROM sale_line l "
            + ("JOIN" if after_id is None else "CROSS JOIN")
            + " sale s ON s.id = l.sale_id WHERE l.amount_cents < 0 AND "
            + ("" if after_id is None else "l.sale_id > ? AND ")
            + f"s.till = ? AND {where} AND s.status = 'completed'",
            args if after_id is None else (after_id, *args),
        ).fetchone()
        return PeriodTotals.from_sums(head, refunds[0], taxes, tenders)


def _stamp(moment: datetime) -> str:
    return to_utc_naive(moment).isoformat(sep=" ")
