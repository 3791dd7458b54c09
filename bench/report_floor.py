"""The floor of ``tui-pos report x`` / ``report sales --by hour`` as whole processes.

Usage: ``python bench/report_floor.py DB TILL x`` or ``... DB TILL hour FIRST LAST``.
Prints the same JSON as the app's ``--format json`` from hand-written SQL on a plain
connection with the app's pragmas; the rows become the report through the domain's own
plain-Python report values (no Peewee, Textual, click or services are loaded).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import UTC, date, datetime

from raw_period import raw_period

from tui_pos.domain.analysis import DateRange, offset_spans
from tui_pos.domain.analysis_figures import HourSales
from tui_pos.domain.analysis_reports import by_hour
from tui_pos.domain.output_schema import TENDER_KINDS
from tui_pos.domain.report import DayReport
from tui_pos.domain.sale import format_sale_number

PRAGMAS = ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON", "cache_size = -16000")


def main(db_path: str, till: str, kind: str, *days: str) -> None:
    db = sqlite3.connect(db_path, isolation_level=None)
    for pragma in PRAGMAS:
        db.execute(f"PRAGMA {pragma}")
    if kind == "x":
        period = raw_period(db, till)
        report = DayReport(
            "X",
            datetime.now().astimezone().date().isoformat(),
            till,
            period.totals,
            unprinted_receipts=tuple(format_sale_number(till, s) for s in period.unprinted),
        )
        # the documented output shape: every tender kind, the amounts under tenders_cents
        data = {
            ("tenders_cents" if key == "tenders" else key): value
            for key, value in report.to_dict().items()
        }
        data["tenders_cents"] = {k: period.totals.tenders.get(k, 0) for k in TENDER_KINDS}
        print(json.dumps(data, indent=2))
        return
    span = DateRange(date.fromisoformat(days[0]), date.fromisoformat(days[1]))
    rows: list[HourSales] = []
    for part in offset_spans(*span.bounds(None), None):
        found = db.execute(
            "SELECT ((CAST(substr(created_at, 12, 2) AS INTEGER) * 60"
            " + CAST(substr(created_at, 15, 2) AS INTEGER) + ?) % 1440 + 1440) % 1440 / 60,"
            " COUNT(*), SUM(subtotal_cents - discount_cents) FROM sale"
            " WHERE till = ? AND created_at >= ? AND created_at < ? AND status = 'completed'"
            " GROUP BY 1",
            (
                part.offset_minutes,
                till,
                part.start.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" "),
                part.end.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" "),
            ),
        )
        rows += [HourSales(*row) for row in found]
    print(json.dumps(by_hour(till, span, rows).to_dict(), indent=2))


if __name__ == "__main__":
    main(*sys.argv[1:])
