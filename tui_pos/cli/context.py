"""What every command shares: the global options (:class:`Context`) with ``open_till()``,
the config file chosen, the terminal check, user errors as exit code 1, date options and
the CSV readers. Command modules import from
here, never from the root group (no import cycle)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from tui_pos.config import Config, database_path, default_config_path, load_config
from tui_pos.domain.errors import ConfigError, DomainError, PosError

if TYPE_CHECKING:
    from tui_pos.bootstrap import Till
    from tui_pos.report_till import ReportTill

_USER_ERRORS = (PosError, OSError)


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


def config_path_checked(given: Path | None) -> Path | None:
    """The config file to read: ``--config``, else ``$TUI_POS_CONFIG``, else the user's
    default one if it exists (None: built-in defaults).

    A file named with ``--config`` or ``$TUI_POS_CONFIG`` that does not exist is an error
    (``load_config`` says "not found"): a till silently running the demo defaults because
    of a typo in its unit file is worse than a till that does not start.
    """
    if given is not None:
        return given
    path = default_config_path()
    if os.environ.get("TUI_POS_CONFIG"):
        return path
    return path if path.exists() else None


def on_terminal(streams: tuple[TextIO, ...] = ()) -> bool:
    """True when every stream (stdin and stdout by default) is a terminal."""
    for stream in streams or (sys.stdin, sys.stdout):
        try:
            if not stream.isatty():
                return False
        except (AttributeError, ValueError):
            return False
    return True


def require_terminal(streams: tuple[TextIO, ...] = ()) -> None:
    """Refuse to open the register without a terminal to draw it on (exit 1)."""
    if not on_terminal(streams):
        click.echo(
            "tui-pos: the register needs a terminal (stdin and stdout are not one); "
            "run it on a console or in a terminal. See docs/kiosk.md for a till that "
            "starts by itself.",
            err=True,
        )
        sys.exit(1)


def show_new_recovery_code(code: str | None, db_path: Path) -> None:
    """The recovery code this open issued (a database's first), if it issued one."""
    if code is not None:
        show_recovery_code(code, f"New database {db_path}: its")


def show_recovery_code(code: str, lead: str) -> None:
    """A recovery code on stderr (after ``lead``): shown this once, kept nowhere else."""
    click.echo(
        f"{lead} recovery code is {code}\n"
        "  Write it down and keep it away from the till: it is shown only now, and it is "
        "the way back if the PIN key file is lost (tui-pos staff reset-key).",
        err=True,
    )


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a user error into a message on stderr and exit code 1 (no traceback)."""
    try:
        yield
    except _USER_ERRORS as exc:
        click.echo(f"tui-pos: {exc}", err=True)
        sys.exit(1)


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
