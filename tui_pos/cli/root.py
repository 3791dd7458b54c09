"""The ``tui-pos`` command: the root group, ``run`` and ``demo``; every other command
group lives in its own module of this package and is added here. Exit codes: 0 ok, 1 user
error (message on stderr), 2 usage."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tui_pos.cli.context import (
    Context,
    on_terminal,
    require_terminal,
    show_new_recovery_code,
    user_errors,
)
from tui_pos.cli.lazy import LazyGroup
from tui_pos.config import database_path
from tui_pos.files import keep_files_private
from tui_pos.startup_gc import release
from tui_pos.till_opening import TillOpening, for_the_register, open_later

if TYPE_CHECKING:
    from tui_pos.bootstrap import Till

#: The commands of the root group besides ``run`` and ``demo``, imported when chosen.
COMMANDS = {
    "db": "tui_pos.cli.db:db",
    "import": "tui_pos.cli.root:import_",
    "export": "tui_pos.cli.root:export",
    "report": "tui_pos.cli.reports:report",
    "devices": "tui_pos.cli.devices:devices",
    "staff": "tui_pos.cli.staff:staff",
    "config": "tui_pos.cli.config_group:config_group",
    "promo": "tui_pos.cli.stock:promo",
    "tax": "tui_pos.cli.tax:tax",
    "customer": "tui_pos.cli.customers:customer",
    "campaign": "tui_pos.cli.mail:campaign",
    "mail": "tui_pos.cli.mail:mail",
    "server": "tui_pos.server.cli:server",
    "sync": "tui_pos.sync.cli:sync",
}


class RootGroup(LazyGroup):
    """The root group: the one place a command's user error (a ``PosError`` or an
    ``OSError``) becomes its message on stderr and exit code 1, whichever command raised
    it (no command catches them itself)."""

    def invoke(self, ctx: click.Context) -> Any:
        with user_errors():
            return super().invoke(ctx)


@click.group(cls=RootGroup, lazy=COMMANDS, invoke_without_command=True)
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Config file.")
@click.option("--db", "db_path", type=click.Path(path_type=Path), help="SQLite database file.")
@click.version_option(package_name="tui-pos")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, db_path: Path | None) -> None:
    """tui-pos: a keyboard-first terminal cash register. With no command: run."""
    if ctx.invoked_subcommand not in (None, "run"):
        release()  # held since the first import; the register releases it at its first frame
    keep_files_private()  # receipts, logs, exports, backups, keys: 0600 whatever the umask
    ctx.obj = Context(config_path, db_path)
    if ctx.invoked_subcommand is None:
        ctx.invoke(run)


def _open_register(till: Till | TillOpening, login_hint: str = "") -> None:
    """Run the register on an open till, or on one the App opens behind its log-in
    screen; an unexpected error exits with CRASH_EXIT and a crash log."""
    from tui_pos.app import PosApp  # Textual is loaded only to run the UI
    from tui_pos.crash_log import CRASH_EXIT, crash_log_path, crash_message, record_crash
    from tui_pos.keymap_check import check_keymap
    from tui_pos.process_exit import exit_now
    from tui_pos.run_log import start_log

    status = 0
    app: PosApp | None = None
    try:
        require_terminal()
        start_log(till.db_path)  # device details go there, not on the screen
        with user_errors():  # here too: a user error starting the UI is not a crash (below)
            check_keymap(till.config.keymap, till.config.source)
            if not isinstance(till, TillOpening):
                for_the_register(till)
            app = PosApp(till, login_hint)
        app.run()
        if app.open_error is not None:  # as user_errors says it
            click.echo(f"tui-pos: {app.open_error}", err=True)
            status = 1
        elif app.return_code:  # the traceback is in the crash log, not on the screen
            click.echo(crash_message(app.crash_logged), err=True)
            status = CRASH_EXIT
    except Exception as exc:  # outside Textual's own handler (starting, stopping)
        click.echo(crash_message(record_crash(crash_log_path(till.db_path), exc)), err=True)
        status = CRASH_EXIT
    finally:
        if app is not None:
            app.close_till()  # the till it was given, or the one it opened
            if app.opened and app.opening is not None:  # opened there: shown once, now
                show_new_recovery_code(app.till.recovery_code, till.db_path)
        elif not isinstance(till, TillOpening):
            till.close()
    exit_now(status)  # quitting is prompt: see process_exit


@main.command()
@click.pass_obj
def run(obj: Context) -> None:
    """Open the register (on a terminal: it refuses to start without one). An existing
    database is opened behind the log-in screen; a new one before (its recovery code is
    shown before the register starts), and any without a terminal (its error first)."""
    config = obj.config()
    path = (obj.db_path or database_path(config)).expanduser()
    if not path.exists() or not on_terminal():
        _open_register(obj.till())
        return
    _open_register(open_later(config, path))


@main.command()
@click.option("--db", "db_path", type=click.Path(path_type=Path), help="Demo database file.")
@click.pass_obj
def demo(obj: Context, db_path: Path | None) -> None:
    """Create (or reuse) a demo store, then open the register on it."""
    require_terminal()
    from tui_pos.demo import DEMO_LOGIN_HINT, ensure_demo_catalog, ensure_demo_staff
    from tui_pos.demo.customers import ensure_demo_customers
    from tui_pos.demo.sales import ensure_demo_sales
    from tui_pos.demo.stock import ensure_demo_deliveries, ensure_demo_extras

    path = db_path or obj.db_path or obj.database_path().with_name("demo.db")
    till = obj.till(path)
    ensure_demo_catalog(till)
    ensure_demo_staff(till)
    ensure_demo_sales(till)  # ten days of history for the reports (Ctrl+R)
    ensure_demo_extras(till)
    ensure_demo_customers(till)
    ensure_demo_deliveries(till)  # the history sold more than the imported stock
    _open_register(till, DEMO_LOGIN_HINT)


@click.group(
    "import",
    cls=LazyGroup,
    lazy={
        "products": "tui_pos.cli.products:import_products_cmd",
        "orders": "tui_pos.cli.stock:import_orders",
        "customers": "tui_pos.cli.customers:import_customers_cmd",
    },
)
def import_() -> None:
    """Import data from CSV and JSON files."""


@click.group(
    "export",
    cls=LazyGroup,
    lazy={
        "stock": "tui_pos.cli.stock:export_stock",
        "customers": "tui_pos.cli.customers:export_customers_cmd",
    },
)
def export() -> None:
    """Export data as CSV or JSON on stdout (customer exports hold personal data: keep
    them safe)."""
