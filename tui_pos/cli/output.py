"""Rendering reports (X/Z day reports, analysis reports) as a Rich table, JSON or CSV."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tui_pos.domain.analysis import AnalysisReport
from tui_pos.domain.csv_export import csv_text
from tui_pos.domain.outputs import DAY_REPORT
from tui_pos.domain.report import DayReport
from tui_pos.domain.report_rows import report_rows


def render_table(reports: list[DayReport], console: Console) -> None:
    """Print each report as a two-column table."""
    for report in reports:
        table = Table(title=f"{report.kind} report", show_header=False)
        table.add_column("", style="bold")
        table.add_column("", justify="right")
        for label, value in report_rows(report):
            table.add_row(Text(label), Text(value))  # names are text, never markup
        console.print(table)


def day_report_record(report: DayReport) -> dict[str, Any]:
    """A day report in its documented output shape (:data:`DAY_REPORT`): every tender
    kind present, the tender amounts under ``tenders_cents``."""
    data = report.to_dict()  # the stored form (a Z keeps it): keys stay as they were
    data["tenders_cents"] = data.pop("tenders")
    return DAY_REPORT.record(**data)


def render_json(reports: list[DayReport], single: bool) -> str:
    """JSON: one object for one report, else a list."""
    data: Any = [day_report_record(r) for r in reports]
    return json.dumps(data[0] if single and data else data, indent=2)


def render_csv(reports: list[DayReport], tax_codes: Sequence[str]) -> str:
    """CSV: one row per report; the header is the same for every report of a config
    (every tender kind; the config's ``tax_codes``, then any other code a report has)."""
    codes = list(tax_codes)
    for report in reports:
        codes += sorted(t.code for t in report.totals.taxes if t.code not in codes)
    rows = [DAY_REPORT.csv_row(day_report_record(r), codes) for r in reports]
    return csv_text(DAY_REPORT.csv_header(codes), rows)


# -- analysis reports ------------------------------------------------------------------
def analysis_table(report: AnalysisReport) -> Table:
    """The report as a Rich table: numbers right-aligned, totals as the footer."""
    totals = report.text_totals()
    table = Table(
        title=Text(f"{report.title}  ·  {report.till}  ·  {report.period.label}"),
        caption=Text(report.note) if report.note else None,
        show_footer=totals is not None and not report.is_empty,
    )
    for i, column in enumerate(report.columns):
        table.add_column(
            column.title,
            footer=Text(totals[i] if totals else ""),
            justify="left" if column.kind in ("text", "time") else "right",
        )
    for row in report.text_rows():
        table.add_row(*(Text(cell) for cell in row))  # names and reasons are never markup
    return table


def analysis_json(report: AnalysisReport) -> str:
    """JSON: range, columns, rows as objects, totals."""
    return json.dumps(report.to_dict(), indent=2)


def analysis_csv(report: AnalysisReport) -> str:
    """CSV: one header row of column keys, then the rows with raw values (money in minor
    units, quantities in thousandths), no totals row (a spreadsheet sums)."""
    return csv_text([c.key for c in report.columns], report.rows)
