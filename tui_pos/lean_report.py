"""The lean start of ``tui-pos report x`` and ``tui-pos report sales --by hour`` (issue 17:
whole processes within 1.2x of a plain script doing the same SQL).

The console script (:mod:`tui_pos.entry`) asks :func:`run` first. It reads the command line
without click and the few config keys these reports use without the config package
(tomllib only), opens the database with the app's pragmas, checks what every opener checks
(no pending migration, the chain key, the PIN key) and prints the report computed by the
same stores, services and renderers as the full command. It answers only when it is
sure to do exactly what the full command would: anything else (another command or
option, ``--help``, a value it does not accept as certainly valid, a config value it is
not sure of, a database to create or migrate, a recovery code to issue, a till with
employees, who must sign with their PIN, any error) returns None before anything was
printed or written, and the full command line runs from the start and says what it says.
The config keys come from :mod:`tui_pos.lean_config`.

A till with employees always takes the full path: the report is signed there (PIN,
permission, audit entry), exactly as before. Config keys this path does not read are not
checked by it (the register and every other command still refuse a bad config).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from tui_pos.cli.console import global_options
from tui_pos.lean_config import (
    LeanConfig,
    Unsure,
    beside_config,
    config_file,
    database_file,
    read_config,
)

if TYPE_CHECKING:
    from peewee import Database

    from tui_pos.domain.analysis import AnalysisReport
    from tui_pos.domain.report import DayReport

FORMATS = ("json", "csv")


@dataclass(frozen=True)
class Request:
    """What the command line asked for."""

    config: str | None
    db: str | None
    kind: str  # "x" or "hour"
    fmt: str
    day: str | None = None
    first: str | None = None
    last: str | None = None


def parse_args(argv: Sequence[str]) -> Request | None:
    """``[--config P] [--db P] report x [--date D] [--format F] [--by N]`` or ``... report
    sales --by hour [--date D] [--from D] [--to D] [--format F] [--as N]``, each option
    once, written ``--name value``; None for anything else."""
    read = global_options(argv)
    if read is None:
        return None
    found, args = read
    allowed: tuple[str, ...]
    if args[:2] == ["report", "x"]:
        allowed = ("--date", "--format", "--by")
    elif args[:2] == ["report", "sales"]:
        allowed = ("--by", "--date", "--from", "--to", "--format", "--as")
    else:
        return None
    options: dict[str, str] = {}
    rest = args[2:]
    while rest:
        if len(rest) < 2 or rest[0] not in allowed or rest[0] in options:
            return None
        if rest[1].startswith("-"):
            return None
        options[rest[0]] = rest[1]
        rest = rest[2:]
    fmt = options.get("--format", "table")
    if fmt not in FORMATS:
        return None  # the table loads Rich anyway: the full command prints it
    config, db = found.get("--config"), found.get("--db")
    if args[1] == "x":
        day = options.get("--date")
        if day is not None and not _is_date(day):
            return None  # the full command's message
        return Request(config, db, "x", fmt, day=day)
    if options.get("--by") != "hour":
        return None
    return Request(
        config,
        db,
        "hour",
        fmt,
        day=options.get("--date"),
        first=options.get("--from"),
        last=options.get("--to"),
    )


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def run(argv: Sequence[str]) -> int | None:
    """Print the report and return the exit code (0), or None: the full command runs."""
    request = parse_args(argv)
    if request is None:
        return None
    try:
        config = read_config(config_file(request.config))
        if config is None or (
            request.kind == "x" and request.fmt == "csv" and not config.tax_codes
        ):
            return None
        db_path = database_file(request.db, config)
    except Unsure:
        return None
    if not db_path.exists():
        return None
    from tui_pos.files import keep_files_private

    keep_files_private()  # as the full command does first
    text = _report(request, config, db_path)
    if text is None:
        return None
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def _report(request: Request, config: LeanConfig, db_path: Path) -> str | None:
    """The report's text as the full command prints it, or None (nothing written)."""
    import sqlite3

    from tui_pos.domain.errors import PosError
    from tui_pos.models.plain_db import PlainDatabase

    try:
        db = PlainDatabase(db_path, config.busy_timeout_ms)
    except (sqlite3.Error, OSError):
        return None
    # The stores' read methods, the migrations check and the chain key call only
    # ``execute_sql``, which the plain connection has (tests/integration/test_lean_report.py).
    reader = cast("Database", db)
    try:
        if not _opens_as_is(reader, config, db_path):
            return None
        return _render(request, config, reader)
    except (PosError, OSError, sqlite3.Error):
        return None
    finally:
        db.close()


def _opens_as_is(db: Database, config: LeanConfig, db_path: Path) -> bool:
    """True when opening it the full way would change nothing and find nothing wrong:
    schema current, chain key in place, no employees (nobody to sign), recovery code and
    PIN key there (each key read as every open reads it)."""
    from tui_pos.models.chain_store import chain_key, key_path
    from tui_pos.models.migrations import LATEST_VERSION, current_version, pending
    from tui_pos.models.pin_key import read_or_create_key

    if current_version(db) > LATEST_VERSION or pending(db):
        return False
    if not key_path(db_path).exists():
        return False  # made now (a new chain) or refused: the full way says which
    chain_key(db, file=db_path)
    if db.execute_sql("SELECT 1 FROM employee LIMIT 1").fetchone() is not None:
        return False
    if db.execute_sql("SELECT 1 FROM pin_recovery WHERE id = 1").fetchone() is None:
        return False
    key = beside_config(config, config.key_file) if config.key_file else None
    key_path_ = key or db_path.parent / "pin.key"
    if not key_path_.exists():
        return False
    read_or_create_key(key_path_, create=True)
    return True


def _render(request: Request, config: LeanConfig, db: Database) -> str:
    from tui_pos.models.times import utc_now

    if request.kind == "x":
        return _x_text(request, config, db, utc_now)
    return _hour_text(request, config, db, utc_now)


def _x_text(
    request: Request, config: LeanConfig, db: Database, clock: Callable[[], datetime]
) -> str:
    from tui_pos.cli.output import render_csv, render_json
    from tui_pos.models.report_store import SqliteReportStore
    from tui_pos.services.reports import x_report

    day = date.fromisoformat(request.day) if request.day else None
    reports: list[DayReport] = [x_report(SqliteReportStore(db), config.till, clock, None, day)]
    if request.fmt == "json":
        return render_json(reports, single=True) + "\n"
    return render_csv(reports, config.tax_codes or ())


def _hour_text(
    request: Request, config: LeanConfig, db: Database, clock: Callable[[], datetime]
) -> str:
    from tui_pos.cli.output import analysis_csv, analysis_json
    from tui_pos.domain.analysis import parse_range
    from tui_pos.models.analysis_store import SqliteAnalysisStore
    from tui_pos.services.analysis import Analysis

    analysis = Analysis(SqliteAnalysisStore(db), config.till, clock, None)
    period = parse_range(analysis.today(), day=request.day, first=request.first, last=request.last)
    result: AnalysisReport = analysis.report("hour", period)
    if request.fmt == "json":
        return analysis_json(result) + "\n"
    return analysis_csv(result)
