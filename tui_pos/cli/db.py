"""``tui-pos db init|migrate|check|verify|backup|restore``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui_pos.cli.context import Context
from tui_pos.cli.signing import BY_OPTION, signed
from tui_pos.domain.errors import DomainError
from tui_pos.domain.staff import Action


@click.group()
def db() -> None:
    """Create, migrate and check the database."""


@db.command("init")
@click.pass_obj
def db_init(obj: Context) -> None:
    """Create the database (and bring it to the latest schema); a new one's recovery code
    is shown once."""
    from tui_pos.models.pin_recovery import has_recovery_code

    with obj.open_till() as till:
        click.echo(f"Database ready: {till.db_path}")
        if not has_recovery_code(till.db):
            click.echo("No recovery code yet: tui-pos staff recovery-code --by NUMBER makes one")


@db.command("migrate")
@click.pass_obj
def db_migrate(obj: Context) -> None:
    """Apply pending schema migrations."""
    from tui_pos.models.database import open_database
    from tui_pos.models.errors import storage_errors
    from tui_pos.models.migrations import LATEST_VERSION, migrate

    path = obj.database_path()
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

    path = obj.database_path()
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

    path = obj.database_path()
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
    from tui_pos.models.backup import backup_database, rotate_backups
    from tui_pos.models.times import utc_now

    path = obj.database_path()
    if not path.exists():
        raise DomainError(f"{path}: no database there")
    with obj.open_till(path) as till:
        signed(till, by, Action.DATABASE_ADMIN, f"backup to {dest}")
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
    from tui_pos.sync.state import require_head_check

    if replace and target.exists():
        # Checked against the database replaced; its audit log goes with it, and the
        # anchor is what shows the restore (an appended line would read as a rebuild).
        with obj.open_till(target) as till:
            signed(till, by, Action.DATABASE_ADMIN, f"restore {backup.name} over it")
    restore_database(backup, target, replace=replace)
    notes = anchor_restored(target) + require_head_check(target)
    for note in notes:
        click.echo(f"tui-pos: note: {note}", err=True)
    click.echo(f"restored {backup} to {target}: run 'tui-pos --db {target} db verify'")
