"""The ``tui-pos`` command: the root group, ``run`` and ``demo``; every other command
group lives in its own module of this package and is added here. Exit codes: 0 ok, 1 user
error (message on stderr), 2 usage."""

from __future__ import annotations

from pathlib import Path

import click

from tui_pos.bootstrap import Till
from tui_pos.cli.config_group import config_group
from tui_pos.cli.context import Context, require_terminal, user_errors
from tui_pos.cli.customers import customer, export_customers_cmd, import_customers_cmd
from tui_pos.cli.db import db
from tui_pos.cli.devices import devices
from tui_pos.cli.loyalty import report_loyalty
from tui_pos.cli.mail import campaign, mail, unsubscribe_cmd
from tui_pos.cli.products import import_products_cmd
from tui_pos.cli.recovery import staff_recovery_code, staff_reset_key
from tui_pos.cli.reports import report
from tui_pos.cli.staff import report_audit, report_hours, staff
from tui_pos.cli.stock import export_stock, import_orders, promo
from tui_pos.crash_log import CRASH_EXIT, crash_log_path, crash_message, record_crash
from tui_pos.files import keep_files_private
from tui_pos.run_log import start_log
from tui_pos.server.cli import server
from tui_pos.sync.cli import sync


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
    from tui_pos.demo.customers import ensure_demo_customers
    from tui_pos.demo.sales import ensure_demo_sales
    from tui_pos.demo.stock import ensure_demo_deliveries, ensure_demo_extras

    with user_errors():
        path = db_path or obj.db_path or obj.database_path().with_name("demo.db")
        till = obj.till(path)
        ensure_demo_catalog(till)
        ensure_demo_staff(till)
        ensure_demo_sales(till)  # ten days of history for the reports (Ctrl+R)
        ensure_demo_extras(till)
        ensure_demo_customers(till)
        ensure_demo_deliveries(till)  # the history sold more than the imported stock
    _open_register(till, DEMO_LOGIN_HINT)


@click.group("import")
def import_() -> None:
    """Import data from CSV and JSON files."""


@click.group("export")
def export() -> None:
    """Export data as CSV or JSON on stdout (customer exports hold personal data: keep
    them safe)."""


main.add_command(db)
main.add_command(import_)
main.add_command(export)
main.add_command(report)
main.add_command(devices)
import_.add_command(import_products_cmd)
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
