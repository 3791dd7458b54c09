"""``tui-pos report x|z|sales`` (the staff, loyalty and other report commands join the
group from their own modules) and the analysis output shared by them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import click

from tui_pos.cli.context import Context, console, parse_date_option
from tui_pos.cli.lazy import LazyGroup
from tui_pos.cli.signing import AS_OPTION, BY_OPTION, signed
from tui_pos.domain.analysis import REPORT_KINDS
from tui_pos.domain.errors import DomainError, StorageError
from tui_pos.domain.staff import Action, Approval

if TYPE_CHECKING:
    from tui_pos.bootstrap import Till
    from tui_pos.domain.analysis import AnalysisReport


@click.group(
    cls=LazyGroup,
    lazy={
        "hours": "tui_pos.cli.staff:report_hours",
        "audit": "tui_pos.cli.staff:report_audit",
        "loyalty": "tui_pos.cli.loyalty:report_loyalty",
    },
)
def report() -> None:
    """Day reports (x, z) and analysis reports (sales --by ...)."""


_FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table"
)
_STORE = click.option(
    "--store", help="Only this store's sales: a till knows only its own store (refused otherwise)."
)


def _check_store(db: object, store: str | None) -> None:
    """Refuse a store this till is not a till of (the sync package loads only then)."""
    if store is not None:
        from tui_pos.sync.state import check_store

        check_store(db, store)  # type: ignore[arg-type]


@report.command("x")
@click.option(
    "--date", "day", callback=parse_date_option, help="A day (YYYY-MM-DD): that day's sales."
)
@_STORE
@_FORMAT
@BY_OPTION
@click.pass_obj
def report_x(obj: Context, day: date | None, store: str | None, fmt: str, by: str | None) -> None:
    """X report: the sales since the last Z (or of one day); changes nothing."""
    _day_report(obj, "x", day, store, fmt, by)


@report.command("z")
@click.option(
    "--date",
    "day",
    callback=parse_date_option,
    help="A day (YYYY-MM-DD): the Z closes made that day (nothing is closed).",
)
@_STORE
@_FORMAT
@BY_OPTION
@click.pass_obj
def report_z(obj: Context, day: date | None, store: str | None, fmt: str, by: str | None) -> None:
    """Z report: close the day (the next Z number), or list a day's closes."""
    _day_report(obj, "z", day, store, fmt, by)


def _day_report(
    obj: Context, kind: str, day: date | None, store: str | None, fmt: str, by: str | None
) -> None:
    """X or Z: the till's own takings (channel ``till``; its web orders are in ``report
    sales --by channel``), of its own store only."""
    from tui_pos.cli.output import render_csv, render_json, render_table

    closing = kind == "z" and day is None
    action = Action.X_REPORT if kind == "x" else Action.Z_CLOSE if closing else Action.REPORTS
    what = f"{kind.upper()} report {day.isoformat() if day else ''}".rstrip()
    if closing:  # the one that writes: the whole till (the backup after the Z)
        with obj.open_till() as till:
            _check_store(till.db, store)
            approval = signed(till, by, action, what)
            tax_codes = [t.code for t in till.config.taxes]
            reports = [till.reports.close_day(approval)]
            _backup_after_z(till, approval)
    else:
        with obj.report_till() as reading:
            _check_store(reading.db, store)
            signed(reading, by, action, what)
            tax_codes = [t.code for t in reading.config.taxes]
            if kind == "x" or day is None:  # (not closing: z always has a day here)
                reports = [reading.reports.x_report(day)]
            else:
                reports = reading.reports.z_reports(day)
                if not reports:
                    raise DomainError(f"No Z close on {day.isoformat()}")
    emit: dict[str, Callable[[], None]] = {
        "json": lambda: click.echo(render_json(reports, single=day is None or kind == "x")),
        "csv": lambda: click.echo(render_csv(reports, tax_codes), nl=False),
        "table": lambda: render_table(reports, console()),
    }
    emit[fmt]()


@report.command("sales")
@click.option(
    "--by",
    "kind",
    required=True,
    type=click.Choice([*REPORT_KINDS, "channel"]),
    help="Which report.",
)
@_STORE
@click.option("--date", "day", help="One day (YYYY-MM-DD).")
@click.option("--from", "first", help="First day of the range (YYYY-MM-DD), included.")
@click.option("--to", "last", help="Last day of the range (YYYY-MM-DD), included.")
@click.option("--top", type=click.IntRange(min=1), help="Only the first N rows (--by item).")
@_FORMAT
@AS_OPTION
@click.pass_obj
def report_sales(
    obj: Context,
    kind: str,
    store: str | None,
    day: str | None,
    first: str | None,
    last: str | None,
    top: int | None,
    fmt: str,
    by: str | None,
) -> None:
    """Analysis reports over local calendar days (default: today); read only (signed
    with --as, as --by names the report, once the till has staff)."""
    from tui_pos.domain.analysis import parse_range

    with obj.report_till() as till:
        signed(till, by, Action.REPORTS, f"sales report by {kind}", flag="--as")
        _check_store(till.db, store)
        period = parse_range(till.analysis.today(), day=day, first=first, last=last)
        result = till.analysis.report(kind, period, top)
    emit_analysis(result, fmt)


def emit_analysis(result: AnalysisReport, fmt: str) -> None:
    """An analysis report on stdout as a table (or its empty message), JSON or CSV."""
    from tui_pos.cli.output import analysis_csv, analysis_json, analysis_table

    if fmt == "json":
        click.echo(analysis_json(result))
    elif fmt == "csv":
        click.echo(analysis_csv(result), nl=False)
    elif result.is_empty:
        click.echo(f"{result.title}: {result.empty_message}")
    else:
        console().print(analysis_table(result))


def _backup_after_z(till: Till, z_approval: Approval) -> None:
    """The Z is stored; its backup is covered by its approval; a failed backup is only a
    warning (exit code stays 0)."""
    try:
        made = till.backups.after_z(z_approval)
    except StorageError as exc:
        click.echo(f"tui-pos: warning: the Z is closed but the backup failed: {exc}", err=True)
        return
    if made is not None:
        click.echo(f"backup written: {made.path}", err=True)
