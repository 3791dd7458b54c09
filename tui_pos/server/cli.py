"""``tui-pos server ...``: create the schema, run the API, enroll and revoke tills.

The database is named with ``--url`` or ``TUI_POS_SERVER_URL``. Commands that change or
reveal data name who does it with ``--operator`` and are written to the server's audit table.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from tui_pos.domain.errors import DomainError

URL_OPTION = click.option(
    "--url",
    envvar="TUI_POS_SERVER_URL",
    required=True,
    help="PostgreSQL URL (or TUI_POS_SERVER_URL), e.g. postgresql://pos@localhost/pos",
)
#: Who does it, written to the server's audit table (the till's staff and PINs are not
#: at the server, so these commands are not signed like the till's).
BY_OPTION = click.option(
    "--operator", "by", required=True, help="Who does this (written to the server's audit)."
)


PIN_KEY_OPTION = click.option(
    "--pin-key",
    envvar="TUI_POS_SERVER_PIN_KEY",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The organisation's PIN key file (made 0600 when missing): handed to each till "
    "as it enrolls, so staff and PINs are managed here for every till. Without it each "
    "till keeps its own staff.",
)


def org_pin_key(path: Path) -> bytes:
    """The organisation's PIN key in ``path`` (made when missing; the same file format
    as a till's pin.key). Kept out of PostgreSQL, which holds the PIN hashes."""
    from tui_pos.models.pin_key import read_key_file

    return read_key_file(
        path, "organisation PIN key", create=True, recovery="restore it from where you keep it"
    )


@contextmanager
def server_errors() -> Iterator[Any]:
    """Import the server's libraries and turn their failures into one line and exit 1."""
    try:
        import psycopg

        from tui_pos.server import schema, tills, wire
    except ImportError as exc:
        click.echo(
            f"tui-pos: the store server needs its extra: pip install 'tui-pos[server]' ({exc})",
            err=True,
        )
        sys.exit(1)
    try:
        yield psycopg
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        click.echo(f"tui-pos: server database: {first}", err=True)
        sys.exit(1)
    except (schema.SchemaError, tills.TillError, wire.WireError, DomainError) as exc:
        click.echo(f"tui-pos: {exc}", err=True)
        sys.exit(1)


def audited(conn: Any, by: str, action: str, detail: str) -> None:
    with conn.transaction():
        conn.execute(
            "INSERT INTO audit (actor, action, detail) VALUES (%s, %s, %s)", (by, action, detail)
        )


@click.group()
def server() -> None:
    """The store server (PostgreSQL + HTTP API) that tills sync with."""


@server.command("init")
@URL_OPTION
def server_init(url: str) -> None:
    """Create or migrate the server's schema."""
    with server_errors() as psycopg:
        from tui_pos.server.schema import LATEST, migrate

        with psycopg.connect(url, autocommit=True) as conn:
            applied = migrate(conn)
        names = ", ".join(f"{m.version} ({m.name})" for m in applied) or "none"
        click.echo(f"server schema at version {LATEST}; applied: {names}")


@server.command("run")
@URL_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8740, show_default=True, type=click.IntRange(1, 65535))
@PIN_KEY_OPTION
@click.option(
    "--claim-lease",
    default=900,
    show_default=True,
    type=click.IntRange(1, 86_400),
    help="Seconds a return claim counts when its return is neither completed nor released.",
)
def server_run(url: str, host: str, port: int, pin_key: Path | None, claim_lease: int) -> None:
    """Serve the API until stopped (Ctrl+C)."""
    with server_errors():
        import uvicorn

        from tui_pos.server.api import build_app

        key = org_pin_key(pin_key) if pin_key else None
        app = build_app(url, pin_key=key, claim_lease_s=claim_lease)
        uvicorn.run(app, host=host, port=port, log_level=os.environ.get("TUI_POS_LOG", "warning"))


@server.command("enroll")
@URL_OPTION
@click.option("--store", required=True, help="Store id, e.g. S01.")
@click.option("--till", required=True, help="Till id, e.g. T2 (the till's store.till).")
@BY_OPTION
def server_enroll(url: str, store: str, till: str, by: str) -> None:
    """Print a one-time code that enrolls a till (good for 24 hours)."""
    from tui_pos.server.tills import new_enrollment

    _print_secret(
        url, by, "enroll", f"store {store} till {till}", lambda c: new_enrollment(c, store, till)
    )


@server.command("shop-token")
@URL_OPTION
@click.option("--store", required=True, help="The store the web shop sells from, e.g. S01.")
@click.option("--shop", required=True, help="Web shop id, e.g. WEB1.")
@BY_OPTION
def server_shop_token(url: str, store: str, shop: str, by: str) -> None:
    """Print a new API token for a web shop, scoped to one store (the old token stops)."""
    from tui_pos.server.webshop import new_shop_token

    _print_secret(
        url,
        by,
        "shop-token",
        f"store {store} web shop {shop}",
        lambda c: new_shop_token(c, store, shop),
    )


def _print_secret(url: str, by: str, action: str, detail: str, make: Callable[[Any], str]) -> None:
    """Make a secret (an enrollment code, a shop token) on a current schema, audit who asked
    for it, and print it once."""
    with server_errors() as psycopg:
        from tui_pos.server.schema import check_current

        with psycopg.connect(url, autocommit=True) as conn:
            check_current(conn)
            secret = make(conn)
            audited(conn, by, action, detail)
        click.echo(secret)


def _till_change(url: str, store: str, till: str, by: str, action: str) -> None:
    """Revoke a till or clear its conflict, audited; exit 1 when there is nothing to do."""
    with server_errors() as psycopg:
        from tui_pos.server.tills import clear_conflict, revoke

        change, refused, done = {
            "revoke": (
                revoke,
                "no enrolled till {t} in store {s}",
                "till {t} of store {s} revoked",
            ),
            "clear-conflict": (
                clear_conflict,
                "till {t} of store {s} has no conflict",
                "till {t} of store {s} may push again",
            ),
        }[action]
        with psycopg.connect(url, autocommit=True) as conn:
            if not change(conn, store, till):
                click.echo(f"tui-pos: {refused.format(t=till, s=store)}", err=True)
                sys.exit(1)
            audited(conn, by, action, f"store {store} till {till}")
        click.echo(done.format(t=till, s=store))


@server.command("revoke")
@URL_OPTION
@click.option("--store", required=True)
@click.option("--till", required=True)
@BY_OPTION
def server_revoke(url: str, store: str, till: str, by: str) -> None:
    """Cut a till off (lost or stolen device) until it enrolls again."""
    _till_change(url, store, till, by, "revoke")


@server.command("clear-conflict")
@URL_OPTION
@click.option("--store", required=True)
@click.option("--till", required=True)
@BY_OPTION
def server_clear_conflict(url: str, store: str, till: str, by: str) -> None:
    """Let a till push again after its conflict alert was dealt with."""
    _till_change(url, store, till, by, "clear-conflict")


@server.command("alerts")
@URL_OPTION
@BY_OPTION
def server_alerts(url: str, by: str) -> None:
    """List the alerts (conflicts) the server recorded."""
    with server_errors() as psycopg:
        with psycopg.connect(url, autocommit=True) as conn:
            with conn.transaction():
                rows = conn.execute(
                    "SELECT created_at, store_id, coalesce(till_id, ''), kind, message "
                    "FROM alert ORDER BY id"
                ).fetchall()
            audited(conn, by, "alerts", f"{len(rows)} alerts shown")
        for at, store, till, kind, message in rows:
            click.echo(f"{at:%Y-%m-%d %H:%M} {store} {till} {kind}: {message}")


@server.command("report")
@click.argument(
    "report_by",
    metavar="BY",
    type=click.Choice(
        ["till", "store", "day", "hour", "category", "employee", "channel", "item", "tender"]
        + ["tax", "z"]
    ),
)
@URL_OPTION
@click.option("--store", help="One store (default: every store).")
@click.option(
    "--channel",
    type=click.Choice(["till", "web"]),
    help="One channel: the tills' sales or the web shops' orders (default: both).",
)
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC).")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day (UTC).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@BY_OPTION
def server_report_cmd(
    report_by: str,
    url: str,
    store: str | None,
    channel: str | None,
    first: Any,
    last: Any,
    fmt: str,
    by: str,
) -> None:
    """Sales of one store or all stores by till, store, day, hour, category, employee,
    channel, item, tender or tax, from what the tills pushed (days and hours in UTC); z:
    each store's day as its tills closed it (the sum of their Z reports)."""
    with server_errors() as psycopg:
        from tui_pos.cli.reports import emit_analysis
        from tui_pos.server.report import server_report, whole_range

        period = whole_range(first.date() if first else None, last.date() if last else None)
        with psycopg.connect(url, autocommit=True) as conn:
            result = server_report(conn, report_by, period, store, channel)
            where = f"{store or 'all stores'}{f' {channel}' if channel else ''}"
            audited(conn, by, "report", f"{report_by} {where} {period.label}")
        emit_analysis(result, fmt)


@server.command("staff-add")
@URL_OPTION
@click.option(
    "--pin-key",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The organisation's PIN key file (the one 'server run --pin-key' uses).",
)
@click.option("--number", required=True, help="The employee number typed at log-in (digits).")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["cashier", "supervisor", "manager"]), required=True)
@BY_OPTION
def server_staff_add(url: str, pin_key: Path, number: str, name: str, role: str, by: str) -> None:
    """Add an employee for every till (the first manager of an organisation; later ones
    are added at any enrolled till with 'tui-pos staff add --by N'). The PIN is read
    like a till's (twice at a terminal, one line on stdin otherwise)."""
    with server_errors() as psycopg:
        from tui_pos.cli.signing import read_pin
        from tui_pos.domain.pin import check_pin_shape, hash_pin
        from tui_pos.server.catalog import publish, staff_record
        from tui_pos.server.schema import check_current

        key = org_pin_key(pin_key)
        pin = check_pin_shape(read_pin(f"PIN for {name}", confirm=True))
        body = {"name": name, "role": role, "pin_hash": hash_pin(pin, key)}
        with psycopg.connect(url, autocommit=True) as conn:
            check_current(conn)
            with conn.transaction():
                if conn.execute(
                    "SELECT 1 FROM catalog WHERE topic = 'staff' AND key = %s", (number,)
                ).fetchone():
                    raise DomainError(f"employee number {number} is taken at the store server")
                code, record = staff_record(conn, number, body)
                publish(conn, "staff", code, record, by, "server")
            audited(conn, by, "staff-add", f"employee {code} {record['name']} ({role})")
        click.echo(f"Added {code} {record['name']} ({role}) for every till")
