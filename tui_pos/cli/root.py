"""The ``tui-pos`` command: the root group, ``run`` and ``demo``; every other command
group lives in its own module of this package and is added here. Exit codes: 0 ok, 1 user
error (message on stderr), 2 usage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tui_pos.cli.console import on_terminal, require_terminal, user_errors
from tui_pos.cli.context import Context
from tui_pos.cli.lazy import LazyGroup
from tui_pos.cli.start import open_register
from tui_pos.config import database_path
from tui_pos.files import keep_files_private
from tui_pos.startup_gc import release
from tui_pos.till_opening import open_later

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


@main.command()
@click.pass_obj
def run(obj: Context) -> None:
    """Open the register (on a terminal: it refuses to start without one). An existing
    database is opened behind the log-in screen; a new one before (its recovery code is
    shown before the register starts), and any without a terminal (its error first)."""
    config = obj.config()
    path = (obj.db_path or database_path(config)).expanduser()
    if not path.exists() or not on_terminal():
        open_register(obj.till())
        return
    open_register(open_later(config, path))


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
    open_register(till, DEMO_LOGIN_HINT)


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
