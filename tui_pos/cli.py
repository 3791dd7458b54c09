"""The ``tui-pos`` command. Exit codes: 0 ok, 1 user error (message on stderr), 2 usage."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tui_pos.bootstrap import Till, open_till
from tui_pos.cli_console import config_group, config_path_checked, require_terminal
from tui_pos.cli_signing import AS_OPTION, BY_OPTION, signed
from tui_pos.config import Config, database_path, load_config
from tui_pos.crash_log import CRASH_EXIT, crash_log_path, crash_message, record_crash
from tui_pos.domain.analysis import REPORT_KINDS
from tui_pos.domain.errors import ConfigError, DomainError
from tui_pos.domain.staff import Action
from tui_pos.files import keep_files_private
from tui_pos.run_log import start_log
from tui_pos.services.ports import DeviceError, StorageError

if TYPE_CHECKING:
    from tui_pos.domain.analysis import AnalysisReport

_USER_ERRORS = (DomainError, StorageError, DeviceError, OSError)


class Context:
    """What the global options chose."""

    def __init__(self, config_path: Path | None, db_path: Path | None) -> None:
        self.config_path = config_path
        self.db_path = db_path

    def config(self) -> Config:
        """The config file named with --config or $TUI_POS_CONFIG (it must exist), else
        the default one if it exists."""
        return load_config(config_path_checked(self.config_path))

    def till(self, db_path: Path | None = None, *, read_only: bool = False) -> Till:
        """Open the till's database and services (a new database's recovery code is
        shown here, once). ``read_only``: a command that only reads never creates a
        database (a typo in --db is then an error, not a new till)."""
        config = self.config()
        path = db_path or self.db_path
        if read_only:
            where = path or database_path(config)
            if not where.exists():
                raise ConfigError(f"no database at {where} (create it: tui-pos db init)")
        till = open_till(config, path)
        if till.recovery_code is not None:
            show_recovery_code(till.recovery_code, f"New database {till.db_path}: its")
        return till


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


@click.group(invoke_without_command=True)
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Config file.")
@click.option("--db", "db_path", type=click.Path(path_type=Path), help="SQLite database file.")
@click.version_option(package_name="tui-pos")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, db_path: Path | None) -> None:
    """tui-pos: a keyboard-first terminal cash register. With no command: run."""
    keep_files_private()  # receipts, logs, exports, backups, keys: 0600 whatever the umask
    ctx.obj = Context(config_path, db_path)
    if ctx.invoked_subcommand is None:
        ctx.invoke(run)


def _open_register(till: Till, login_hint: str = "") -> None:
    """Run the register; an unexpected error exits with CRASH_EXIT and a crash log."""
    from tui_pos.app import build_app  # Textual is loaded only to run the UI
    from tui_pos.process_exit import exit_now

    status = 0
    try:
        require_terminal()
        start_log(till.db_path)  # device details go there, not on the screen
        with user_errors():
            app = build_app(till, login_hint)
        app.run()
        if app.return_code:  # the traceback is in the crash log, not on the screen
            click.echo(crash_message(app.crash_logged), err=True)
            status = CRASH_EXIT
    except Exception as exc:  # outside Textual's own handler (starting, stopping)
        click.echo(crash_message(record_crash(crash_log_path(till.db_path), exc)), err=True)
        status = CRASH_EXIT
    finally:
        till.close()
    exit_now(status)  # quitting is prompt: see process_exit


@main.command()
@click.pass_obj
def run(obj: Context) -> None:
    """Open the register (on a terminal: it refuses to start without one)."""
    with user_errors():
        till = obj.till()
    _open_register(till)


@main.command()
@click.option("--db", "db_path", type=click.Path(path_type=Path), help="Demo database file.")
@click.pass_obj
def demo(obj: Context, db_path: Path | None) -> None:
    """Create (or reuse) a demo store, then open the register on it."""
    require_terminal()
    from tui_pos.demo import DEMO_LOGIN_HINT, ensure_demo_catalog, ensure_demo_staff
    from tui_pos.demo_customers import ensure_demo_customers
    from tui_pos.demo_sales import ensure_demo_sales
    from tui_pos.demo_stock import ensure_demo_deliveries, ensure_demo_extras

    with user_errors():
        path = db_path or obj.db_path or _database_path(obj).with_name("demo.db")
        till = obj.till(path)
        ensure_demo_catalog(till)
        ensure_demo_staff(till)
        ensure_demo_sales(till)  # ten days of history for the reports (Ctrl+R)
        ensure_demo_extras(till)
        ensure_demo_customers(till)
        ensure_demo_deliveries(till)  # the history sold more than the imported stock
    _open_register(till, DEMO_LOGIN_HINT)


@main.group()
def db() -> None:
    """Create, migrate and check the database."""


@db.command("init")
@click.pass_obj
def db_init(obj: Context) -> None:
    """Create the database (and bring it to the latest schema); a new one's recovery code
    is shown once."""
    from tui_pos.models.pin_recovery import has_recovery_code

    with user_errors():
        till = obj.till()
        click.echo(f"Database ready: {till.db_path}")
        if not has_recovery_code(till.db):
            click.echo("No recovery code yet: tui-pos staff recovery-code --by NUMBER makes one")
        till.close()


@db.command("migrate")
@click.pass_obj
def db_migrate(obj: Context) -> None:
    """Apply pending schema migrations."""
    from tui_pos.models.database import open_database
    from tui_pos.models.errors import storage_errors
    from tui_pos.models.migrations import LATEST_VERSION, migrate

    with user_errors():
        path = obj.db_path or _database_path(obj)
        with storage_errors():
            database = open_database(path)
            applied = migrate(database)
            database.close()
        for m in applied:
            click.echo(f"applied {m.version}: {m.name}")
        click.echo(f"{path}: schema version {LATEST_VERSION}")


@db.command("check")
@click.pass_obj
def db_check(obj: Context) -> None:
    """Run SQLite's integrity and foreign-key checks; exit 1 on a problem."""
    from tui_pos.models.health import check_database

    with user_errors():
        path = obj.db_path or _database_path(obj)
        if not path.exists():
            raise DomainError(f"{path}: no database there")
        problems, version = check_database(path)
        if problems:
            for p in problems:
                click.echo(f"problem: {p}", err=True)
            sys.exit(1)
        click.echo(f"{path}: ok (schema version {version})")


@db.command("verify")
@click.pass_obj
def db_verify(obj: Context) -> None:
    """Check the keyed hash chain, every chained row, the anchor file and the schema
    (append-only triggers); exit 1 on a problem."""
    from tui_pos.models.database import open_database
    from tui_pos.models.journal_verify import verify_journal

    with user_errors():
        path = obj.db_path or _database_path(obj)
        if not path.exists():
            raise DomainError(f"{path}: no database there")
        database = open_database(path)
        try:
            problems, checked = verify_journal(database)
        finally:
            database.close()
    if problems:
        for problem in problems:
            click.echo(f"BROKEN: {problem}", err=True)
        sys.exit(1)
    click.echo(
        f"{path}: journal ok ({checked} chain entries; every row, the anchor and the schema match)"
    )


@db.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--keep", type=click.IntRange(min=1), help="Keep only the newest N backups there.")
@BY_OPTION
@click.pass_obj
def db_backup(obj: Context, dest: Path, keep: int | None, by: str | None) -> None:
    """Online backup to DEST (a folder, or a file name); safe while the till sells
    (signed with --by once the till has staff: a backup holds everything)."""
    from tui_pos.bootstrap import utc_now
    from tui_pos.models.backup import backup_database, rotate_backups

    with user_errors():
        path = obj.db_path or _database_path(obj)
        if not path.exists():
            raise DomainError(f"{path}: no database there")
        till = obj.till(path)
        try:
            signed(till, by, Action.DATABASE_ADMIN, f"backup to {dest}")
        finally:
            till.close()
        made = backup_database(path, dest, now=utc_now())
        click.echo(f"backup written: {made}")
        if keep is not None:
            for old in rotate_backups(made.parent, keep):
                click.echo(f"removed old backup {old.name}")


@db.command("restore")
@click.argument("backup", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--replace", is_flag=True, help="Overwrite TARGET if it holds a database.")
@BY_OPTION
@click.pass_obj
def db_restore(obj: Context, backup: Path, target: Path, replace: bool, by: str | None) -> None:
    """Restore BACKUP as the database TARGET (stop the till first when replacing; replacing
    a database that has staff is signed with --by)."""
    from tui_pos.models.backup import restore_database
    from tui_pos.models.chain_store import anchor_restored

    with user_errors():
        if replace and target.exists():
            # Checked against the database replaced; its audit log goes with it, and the
            # anchor is what shows the restore (an appended line would read as a rebuild).
            till = obj.till(target)
            try:
                signed(till, by, Action.DATABASE_ADMIN, f"restore {backup.name} over it")
            finally:
                till.close()
        restore_database(backup, target, replace=replace)
        notes = anchor_restored(target)
    for note in notes:
        click.echo(f"tui-pos: note: {note}", err=True)
    click.echo(f"restored {backup} to {target}: run 'tui-pos --db {target} db verify'")


def _backup_after_z(till: Till) -> None:
    """The Z is stored; a failed backup is only a warning (exit code stays 0)."""
    try:
        made = till.backup_after_z()
    except StorageError as exc:
        click.echo(f"tui-pos: warning: the Z is closed but the backup failed: {exc}", err=True)
        return
    if made is not None:
        click.echo(f"backup written: {made}", err=True)


def _database_path(obj: Context) -> Path:
    from tui_pos.config import database_path

    return database_path(obj.config())


@main.group("import")
def import_() -> None:
    """Import data from CSV and JSON files."""


@import_.command("products")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
@BY_OPTION
@click.pass_obj
def import_products_cmd(obj: Context, file: Path, dry_run: bool, by: str | None) -> None:
    """Import products from FILE.csv: all rows valid or nothing written (signed with --by
    once the till has staff)."""
    from tui_pos.services.product_import import import_products

    with user_errors():
        lines = _stream_lines(file)  # read as it is imported: never all in memory
        till = obj.till()
        if not dry_run:
            signed(till, by, Action.PRODUCT_ADMIN, f"import products {file.name}")
        summary = import_products(
            lines,
            till.catalog_writer,
            [t.code for t in till.config.taxes],
            till.parser,
            till=till.config.store.till,
            now=till.register.clock(),
            dry_run=dry_run,
        )
        till.close()
        verb = "would create" if dry_run else "created"
        click.echo(f"{file}: {verb} {summary.created}, updated {summary.updated} products")


def _stream_lines(file: Path) -> Iterator[str]:
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


def _read_csv(file: Path) -> list[str]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(f"{file}: not UTF-8 text ({exc.reason})") from exc
    return text.splitlines(keepends=True)


@main.group("export")
def export() -> None:
    """Export data as CSV or JSON on stdout (customer exports hold personal data: keep
    them safe)."""


@main.group()
def report() -> None:
    """Day reports (x, z) and analysis reports (sales --by ...)."""


_FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table"
)


@report.command("x")
@click.option(
    "--date", "day", callback=parse_date_option, help="A day (YYYY-MM-DD): that day's sales."
)
@_FORMAT
@BY_OPTION
@click.pass_obj
def report_x(obj: Context, day: date | None, fmt: str, by: str | None) -> None:
    """X report: the sales since the last Z (or of one day); changes nothing."""
    _day_report(obj, "x", day, fmt, by)


@report.command("z")
@click.option(
    "--date",
    "day",
    callback=parse_date_option,
    help="A day (YYYY-MM-DD): the Z closes made that day (nothing is closed).",
)
@_FORMAT
@BY_OPTION
@click.pass_obj
def report_z(obj: Context, day: date | None, fmt: str, by: str | None) -> None:
    """Z report: close the day (the next Z number), or list a day's closes."""
    _day_report(obj, "z", day, fmt, by)


def _day_report(obj: Context, kind: str, day: date | None, fmt: str, by: str | None) -> None:
    from tui_pos.report_output import render_csv, render_json, render_table

    closing = kind == "z" and day is None
    action = Action.X_REPORT if kind == "x" else Action.Z_CLOSE if closing else Action.REPORTS
    what = f"{kind.upper()} report {day.isoformat() if day else ''}".rstrip()
    with user_errors():
        till = obj.till(read_only=kind == "x" or day is not None)  # only a Z close writes
        try:
            signer = signed(till, by, action, what)
            if kind == "x":
                reports = [till.reports.x_report(day)]
            elif day is None:
                reports = [till.reports.close_day(closed_by=signer.name if signer else "")]
                _backup_after_z(till)
            else:
                reports = till.reports.z_reports(day)
                if not reports:
                    raise DomainError(f"No Z close on {day.isoformat()}")
        finally:
            till.close()
    emit: dict[str, Callable[[], None]] = {
        "json": lambda: click.echo(render_json(reports, single=day is None or kind == "x")),
        "csv": lambda: click.echo(render_csv(reports), nl=False),
        "table": lambda: render_table(reports, _console()),
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
@click.option("--store", help="Only this store's sales: a till knows only its own store.")
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
    from tui_pos.sync.state import check_store

    with user_errors():
        till = obj.till(read_only=True)
        try:
            signed(till, by, Action.REPORTS, f"sales report by {kind}", flag="--as")
            if store is not None:
                check_store(till.db, store)
            period = parse_range(till.analysis.today(), day=day, first=first, last=last)
            result = till.analysis.report(kind, period, top)
        finally:
            till.close()
    emit_analysis(result, fmt)


def emit_analysis(result: AnalysisReport, fmt: str) -> None:
    """An analysis report on stdout as a table (or its empty message), JSON or CSV."""
    from tui_pos.report_output import analysis_csv, analysis_json, analysis_table

    if fmt == "json":
        click.echo(analysis_json(result))
    elif fmt == "csv":
        click.echo(analysis_csv(result), nl=False)
    elif result.is_empty:
        click.echo(f"{result.title}: {result.empty_message}")
    else:
        _console().print(analysis_table(result))


def _console() -> Any:
    from rich.console import Console

    return Console()


@main.group()
def devices() -> None:
    """List and test the till's devices."""


@devices.command("list")
@click.pass_obj
def devices_list(obj: Context) -> None:
    """Scanners and serial ports found, and the configured printer with its status."""
    from tui_pos.devices import make_devices
    from tui_pos.drivers.scanners.discovery import list_evdev_devices, list_serial_ports

    with user_errors():
        config = obj.config()
        path = obj.db_path or _database_path(obj)
        found = make_devices(config, path)
    click.echo(f"printer: {config.printer.driver} {found.printer_note}")
    if found.status_printer is not None:
        click.echo(f"  status: {found.status_printer.status().label}")
    drawer = "through the printer" if found.drawer else "not configured"
    click.echo(f"drawer: {drawer}")
    display = config.display
    shown = f"{display.driver} {display.target} ({display.command_set})"
    click.echo(f"customer display: {shown if found.display else 'none'}")
    click.echo(f"scanner mode: {config.scanner.mode} {config.scanner.device}".rstrip())
    evdev = list_evdev_devices()
    click.echo(f"input devices (evdev): {len(evdev)}")
    for info in evdev:
        kind = "keyboard-like" if info.keyboard else "other"
        click.echo(f"  {info.path}  {info.vid_pid}  {info.name}  ({kind})")
    ports = list_serial_ports()
    click.echo(f"serial ports: {len(ports)}")
    for port in ports:
        click.echo(f"  {port.device}  {port.description}  {port.hwid}")


@devices.command("test-print")
@click.pass_obj
def devices_test_print(obj: Context) -> None:
    """Print a test receipt (code page, width, barcode, cut) on the configured printer."""
    from tui_pos.devices import make_devices
    from tui_pos.domain.receipt import printer_test_receipt

    with user_errors():
        config = obj.config()
        found = make_devices(config, obj.db_path or _database_path(obj))
        found.printer.print_receipt(printer_test_receipt(config.store.name, config.printer.width))
    click.echo(f"test receipt sent: {found.printer_note}")


@devices.command("open-drawer")
@BY_OPTION
@click.pass_obj
def devices_open_drawer(obj: Context, by: str | None) -> None:
    """Open the cash drawer (recorded as a no-sale, signed with --by once the till has
    staff)."""
    import time

    with user_errors():
        till = obj.till()
        try:
            signed(till, by, Action.NO_SALE, "open the drawer from the command line")
            problem = till.drawer.no_sale(time.monotonic())
        finally:
            till.close()
        if problem:
            raise DeviceError(problem)
    click.echo("drawer opened (no-sale recorded)")


def _add_subcommands() -> None:
    from tui_pos.cli_customers import customer, export_customers_cmd, import_customers_cmd
    from tui_pos.cli_loyalty import report_loyalty
    from tui_pos.cli_mail import campaign, mail, unsubscribe_cmd
    from tui_pos.cli_recovery import staff_recovery_code, staff_reset_key
    from tui_pos.cli_staff import report_audit, report_hours, staff
    from tui_pos.cli_stock import export_stock, import_orders, promo
    from tui_pos.server.cli import server
    from tui_pos.sync.cli import sync

    main.add_command(staff)
    main.add_command(config_group)
    staff.add_command(staff_reset_key)
    staff.add_command(staff_recovery_code)
    report.add_command(report_hours)
    report.add_command(report_audit)
    import_.add_command(import_orders)
    export.add_command(export_stock)
    main.add_command(promo)
    main.add_command(customer)
    import_.add_command(import_customers_cmd)
    export.add_command(export_customers_cmd)
    report.add_command(report_loyalty)
    main.add_command(campaign)
    main.add_command(mail)
    customer.add_command(unsubscribe_cmd)
    main.add_command(server)
    main.add_command(sync)


_add_subcommands()
