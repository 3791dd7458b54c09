"""Rendering reports (X/Z day reports, analysis reports) as a Rich table, JSON or CSV."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tui_pos.domain.analysis import AnalysisReport
from tui_pos.domain.csv_export import csv_text
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


def render_json(reports: list[DayReport], single: bool) -> str:
    """JSON: one object for one report, else a list."""
    data: Any = [r.to_dict() for r in reports]
    return json.dumps(data[0] if single and data else data, indent=2)


def render_csv(reports: list[DayReport]) -> str:
    """CSV: one row per report, the JSON fields as columns (tax and tenders flattened)."""
    flat = [_flatten(r.to_dict()) for r in reports]
    fields: list[str] = []
    for row in flat:
        fields += [k for k in row if k not in fields]
    return csv_text(fields, flat)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = " ".join(str(v) for v in value)
        else:
            flat[name] = "" if value is None else value
    return flat


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
            justify="left" if column.kind == "text" else "right",
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
