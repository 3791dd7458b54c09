"""``tui-pos staff reset-key`` and ``staff recovery-code``: the way back when the PIN key
file (``pin.key``) is lost or damaged.

Without its key no stored PIN can be checked, so the till refuses to start rather than
make a new key behind everyone's back (every right PIN would then fail and count toward
the lock-out). The recovery code shown when the database was made proves the right to
make a new one; each use replaces the code with a new one, shown once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tui_pos.cli.console import show_recovery_code
from tui_pos.cli.context import Context
from tui_pos.cli.signing import BY_OPTION, read_pin, signed
from tui_pos.domain.staff import Action

if TYPE_CHECKING:
    from peewee import Database


@click.command("reset-key")
@click.option(
    "--recovery-code",
    "code",
    help="The database's recovery code (asked for, hidden, when not given).",
)
@click.option(
    "--manager",
    help="Number of the manager whose new PIN is asked for now (they then set the others').",
)
@click.pass_obj
def staff_reset_key(obj: Context, code: str | None, manager: str | None) -> None:
    """Make a new PIN key with the recovery code: every PIN is cleared and must be set
    again, starting with --manager's (asked for now)."""
    from tui_pos.config import database_path, pin_key_path
    from tui_pos.domain.errors import DomainError
    from tui_pos.domain.pin import DEFAULT_COST
    from tui_pos.models.database import open_database
    from tui_pos.models.errors import storage_errors
    from tui_pos.models.migrations import migrate
    from tui_pos.models.pin_recovery import reset_pin_key
    from tui_pos.models.times import utc_now

    config = obj.config()
    path = obj.db_path or database_path(config)
    if not path.exists():
        raise DomainError(f"{path}: no database there")
    code = code if code is not None else read_pin("Recovery code")
    pin = read_pin(f"New PIN for manager {manager}", confirm=True) if manager else ""
    with storage_errors():
        database = open_database(path)
    try:
        with storage_errors():
            migrate(database)
        _refuse_shared_key(database)
        new_code = reset_pin_key(
            database,
            pin_key_path(config, path),
            code,
            manager=(manager, pin) if manager else None,
            till=config.store.till,
            now=utc_now(),
            cost=DEFAULT_COST,
        )
    finally:
        database.close()
    click.echo(f"New PIN key made for {path}: every PIN was cleared.")
    if manager:
        click.echo(f"Manager {manager} has the new PIN; they set the others' with")
        click.echo(f"  tui-pos staff set-pin NUMBER --by {manager}")
    show_recovery_code(new_code, "The code used no longer works; the new")


@click.command("recovery-code")
@BY_OPTION
@click.pass_obj
def staff_recovery_code(obj: Context, by: str | None) -> None:
    """Make a new recovery code (the old one stops working): for a database made before
    recovery codes, or after the code was used or seen by someone."""
    with obj.open_till() as till:
        approval = signed(till, by, Action.STAFF_ADMIN, "new recovery code")
        code = till.recovery_codes.renew(approval)
    show_recovery_code(code, "The old code no longer works; the new")


def _refuse_shared_key(database: Database) -> None:
    """An enrolled till that took the organisation's PIN key may not replace it alone:
    every PIN of the organisation depends on it."""
    from tui_pos.domain.errors import DomainError
    from tui_pos.models.org_pin_key import uses_org_key

    if uses_org_key(database):
        raise DomainError(
            "this till uses the organisation's PIN key from the store server: PINs are "
            "set there (tui-pos staff set-pin N --by M on any enrolled till); a lost "
            "pin.key comes back by enrolling the till again (tui-pos server enroll)"
        )
