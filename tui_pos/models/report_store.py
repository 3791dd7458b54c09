"""The ReportStore port on SQLite: aggregates in SQL, Z closes numbered in a transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from peewee import Database

from tui_pos.domain.report import DayReport, PeriodTotals, TaxTotal
from tui_pos.models.errors import storage_errors
from tui_pos.models.journal_store import append_entry, z_payload
from tui_pos.models.sales import ZCloseRow
from tui_pos.models.times import stamp, to_utc_naive


class SqliteReportStore:
    """Implements :class:`tui_pos.services.reports.ReportStore`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def open_period(self, till: str) -> PeriodTotals:
        """Totals of the sales after the last Z close."""
        with storage_errors():
            return self._totals(till, "s.seq > ?", (self._last_closed_seq(till),))

    def between(self, till: str, start: datetime, end: datetime) -> PeriodTotals:
        """Totals of the sales made in ``[start, end)``."""
        with storage_errors():
            return self._totals(
                till,
                "s.created_at >= ? AND s.created_at < ?",
                (_stamp(start), _stamp(end)),
            )

    def close_period(
        self, till: str, now: datetime, compose: Callable[[PeriodTotals, int], DayReport]
    ) -> DayReport:
        """Total the open period and store it as the next Z, atomically."""
        with storage_errors(), self.db.atomic():
            last = (
                ZCloseRow.select()
                .where(ZCloseRow.till == till)
                .order_by(ZCloseRow.z_number.desc())
                .first()
            )
            after = last.last_seq if last else 0
            totals = self._totals(till, "s.seq > ?", (after,))
            report = compose(totals, (last.z_number if last else 0) + 1)
            last_seq = totals.last_seq if totals.last_seq is not None else after
            z = ZCloseRow.create(
                till=till,
                z_number=report.z_number,
                closed_at=to_utc_naive(now),
                first_seq=after + 1,
                last_seq=last_seq,
                report_json=json.dumps(report.to_dict()),
            )
            append_entry(
                self.db,
                till=till,
                kind="z_close",
                doc_uuid=f"{till}-Z{report.z_number}",
                created_at=stamp(now),
                payload=z_payload(z),
            )
        return report

    def z_reports(self, till: str, start: datetime, end: datetime) -> list[DayReport]:
        """Z closes of ``till`` made in ``[start, end)``."""
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
        """Sale numbers with a receipt (not a copy) still queued."""
        with storage_errors():
            rows = self.db.execute_sql(
                "SELECT s.seq FROM print_job j JOIN sale s ON s.id = j.sale_id "
                "WHERE j.till = ? AND j.status = 'queued' AND j.kind = 'receipt' ORDER BY s.seq",
                (till,),
            ).fetchall()
        return [int(r[0]) for r in rows]

    def _last_closed_seq(self, till: str) -> int:
        row = self.db.execute_sql(
            "SELECT MAX(last_seq) FROM z_close WHERE till = ?", (till,)
        ).fetchone()
        return int(row[0] or 0)

    def _totals(self, till: str, where: str, params: tuple[Any, ...]) -> PeriodTotals:
        scope = f"FROM sale s WHERE s.till = ? AND {where}"
        args = (till, *params)
        head = self.db.execute_sql(
            "SELECT MIN(s.seq), MAX(s.seq), "
            "SUM(s.status = 'completed'), "
            "SUM(CASE WHEN s.status = 'completed' THEN s.subtotal_cents END), "
            "SUM(CASE WHEN s.status = 'completed' THEN s.discount_cents END), "
            "SUM(CASE WHEN s.status = 'completed' THEN s.tax_cents END), "
            "SUM(CASE WHEN s.status = 'completed' THEN s.total_cents END), "
            "SUM(CASE WHEN s.status = 'completed' THEN s.rounding_cents END), "
            "SUM(s.status = 'voided'), SUM(s.voided_lines) " + scope,
            args,
        ).fetchone()
        taxes = self.db.execute_sql(
            "SELECT t.code, t.rate_bp, SUM(t.base_cents), SUM(t.tax_cents) "
            f"FROM sale_tax t JOIN sale s ON s.id = t.sale_id WHERE s.till = ? AND {where} "
            "AND s.status = 'completed' GROUP BY t.code, t.rate_bp ORDER BY t.code, t.rate_bp",
            args,
        ).fetchall()
        tenders = self.db.execute_sql(
            "SELECT p.kind, SUM(p.amount_cents) "
            f"FROM payment p JOIN sale s ON s.id = p.sale_id WHERE s.till = ? AND {where} "
            "AND s.status = 'completed' GROUP BY p.kind",
            args,
        ).fetchall()
        return PeriodTotals(
            first_seq=head[0],
            last_seq=head[1],
            sales_count=int(head[2] or 0),
            gross_cents=int(head[3] or 0),
            discount_cents=int(head[4] or 0),
            tax_cents=int(head[5] or 0),
            total_cents=int(head[6] or 0),
            rounding_cents=int(head[7] or 0),
            voids_count=int(head[8] or 0),
            voided_lines=int(head[9] or 0),
            taxes=tuple(TaxTotal(c, int(r), int(b), int(t)) for c, r, b, t in taxes),
            tenders={k: int(v) for k, v in tenders},
        )


def _stamp(moment: datetime) -> str:
    return to_utc_naive(moment).isoformat(sep=" ")
