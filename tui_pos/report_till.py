"""The read-only reports' till: the database, the report services and the staff service
(which signs them), nothing else.

``report x`` and ``report sales`` run as whole processes (issue 17: within 1.2x of a plain
script doing the same SQL), so they open only what they read: no register, devices, crash
journal, print queue or tax-code sync, and none of those modules are imported. The numbers
come from the same services and stores as the register's (``report_service`` and
``analysis_service`` build them for both).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui_pos.config import Config, backup_dir, user_path
from tui_pos.models.staff_store import SqliteStaffStore
from tui_pos.models.times import utc_now
from tui_pos.models.unit_of_work import SqliteUnitOfWork
from tui_pos.services.staff import Staff
from tui_pos.till_db import open_till_database, staff_settings

if TYPE_CHECKING:
    from peewee import Database

    from tui_pos.services.analysis import Analysis
    from tui_pos.services.ports import Clock
    from tui_pos.services.reports import Reports
    from tui_pos.services.unit_of_work import UnitOfWork


@dataclass
class ReportTill:
    """What a read-only report needs of a till (the same names as ``bootstrap.Till``)."""

    config: Config
    db: Database
    db_path: Path
    reports: Reports
    analysis: Analysis
    staff: Staff
    recovery_code: str | None = None

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()


def report_service(db: Database, uow: UnitOfWork, staff: Staff, till: str, clock: Clock) -> Reports:
    """The X/Z report service of ``till`` on ``db`` (local time zone). Its modules are
    imported here: the register builds it on first use (``bootstrap.Till.reports``)."""
    from tui_pos.models.report_store import SqliteReportStore
    from tui_pos.services.reports import Reports

    return Reports(SqliteReportStore(db), uow, staff, till, clock, None)


def analysis_service(db: Database, till: str, clock: Clock) -> Analysis:
    """The analysis report service of ``till`` on ``db`` (local time zone), imported and
    built when asked for (``bootstrap.Till.analysis``)."""
    from tui_pos.models.analysis_store import SqliteAnalysisStore
    from tui_pos.services.analysis import Analysis

    return Analysis(SqliteAnalysisStore(db), till, clock, None)


def open_report_till(
    config: Config, db_path: Path | None = None, *, clock: Clock = utc_now
) -> ReportTill:
    """Open the database (created and migrated as every opener does) to read reports."""
    opened = open_till_database(config, db_path, clock)
    try:
        check_config_paths(config, opened.path)
        uow = SqliteUnitOfWork(opened.db, config.store.till)
        staff = Staff(
            SqliteStaffStore(opened.db),
            uow,
            config.store.till,
            opened.pepper,
            clock,
            staff_settings(config),
        )
    except BaseException:
        opened.db.close()
        raise
    till = config.store.till
    return ReportTill(
        config,
        opened.db,
        opened.path,
        report_service(opened.db, uow, staff, till, clock),
        analysis_service(opened.db, till, clock),
        staff,
        opened.recovery_code,
    )


def check_config_paths(config: Config, db_path: Path) -> None:
    """The config's other paths resolve as the register resolves them at start (a
    ``~user`` that this machine lacks is a ConfigError), though a report uses none of
    them: a broken config is refused whatever the command."""
    backup_dir(config, db_path)
    if config.printer.target:
        user_path(config.printer.target, "printer.target")
