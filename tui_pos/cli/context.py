"""What every command shares: the global options (:class:`Context`) with ``open_till()``,
date options and the CSV readers (stderr messages, user errors as exit code 1 and the
terminal check: :mod:`tui_pos.cli.console`). Command modules import from here, never from
the root group (no import cycle)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tui_pos.cli.console import show_new_recovery_code
from tui_pos.config import Config, config_path_checked, database_path, load_config
from tui_pos.domain.errors import ConfigError, DomainError

if TYPE_CHECKING:
    from tui_pos.bootstrap import Till
    from tui_pos.report_till import ReportTill


class Context:
    """What the global options chose."""

    def __init__(self, config_path: Path | None, db_path: Path | None) -> None:
        self.config_path = config_path
        self.db_path = db_path

    def config(self) -> Config:
        """The config file named with --config or $TUI_POS_CONFIG (it must exist), else
        the default one if it exists."""
        return load_config(config_path_checked(self.config_path))

    def database_path(self) -> Path:
        """The database named with --db, else the config's."""
        return self.db_path or database_path(self.config())

    def till(self, db_path: Path | None = None, *, read_only: bool = False) -> Till:
        """Open the till's database and services (a new database's recovery code is
        shown here, once). ``read_only``: a command that only reads never creates a
        database (a typo in --db is then an error, not a new till)."""
        from tui_pos.bootstrap import open_till  # every store and service: only when used

        config = self.config()
        path = self._path(config, db_path, read_only)
        till = open_till(config, path)
        show_new_recovery_code(till.recovery_code, till.db_path)
        return till

    def _path(self, config: Config, db_path: Path | None, read_only: bool) -> Path | None:
        path = db_path or self.db_path
        if read_only:
            where = path or database_path(config)
            if not where.exists():
                raise ConfigError(f"no database at {where} (create it: tui-pos db init)")
        return path

    @contextmanager
    def open_till(self, db_path: Path | None = None, *, read_only: bool = False) -> Iterator[Till]:
        """:meth:`till`, closed when the block ends (also on an error)."""
        till = self.till(db_path, read_only=read_only)
        try:
            yield till
        finally:
            till.close()

    @contextmanager
    def report_till(self) -> Iterator[ReportTill]:
        """The existing database with only the report, analysis and staff services (a
        read-only report loads nothing else: issue 17), closed when the block ends."""
        from tui_pos.report_till import open_report_till

        config = self.config()
        till = open_report_till(config, self._path(config, None, True))
        try:
            show_new_recovery_code(till.recovery_code, till.db_path)
            yield till
        finally:
            till.close()


def parse_date_option(_ctx: Any, _param: Any, value: str | None) -> date | None:
    """A click callback: ``YYYY-MM-DD`` as a date (None when absent)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-25") from None


def stream_lines(file: Path) -> Iterator[str]:
    """The lines of a UTF-8 file (BOM skipped) as they are read. The file is opened now (a
    missing file fails before anything else); bad UTF-8 is a user error raised inside the
    import's transaction, so nothing is written."""
    lines = file.open(encoding="utf-8-sig", newline="")

    def decoded() -> Iterator[str]:
        with lines:
            try:
                yield from lines
            except UnicodeDecodeError as exc:
                raise DomainError(f"{file}: not UTF-8 text ({exc.reason})") from exc

    return decoded()


def read_csv(file: Path) -> list[str]:
    """The lines of a UTF-8 file (BOM skipped), all read now."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(f"{file}: not UTF-8 text ({exc.reason})") from exc
    return text.splitlines(keepends=True)


def console() -> Any:
    """A Rich console on stdout (Rich is loaded only when a table is printed)."""
    from rich.console import Console

    return Console()
