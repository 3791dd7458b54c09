"""``tui-pos config init|paths`` and the checks for running the register on a console.

The example config is written from the key declarations (``tui_pos.config.example``), so
``config init`` works from a wheel on a till with no source tree. ``run`` refuses to start
without a terminal (under a service manager with no tty the screen would go nowhere and the
till would look dead).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from tui_pos.config import (
    backup_dir,
    config_path_checked,
    database_path,
    default_config_path,
    load_config,
    pin_key_path,
)
from tui_pos.config.example import example_text
from tui_pos.run_log import log_path


def example_config() -> str:
    """The text of the commented example config (every key with its default)."""
    return example_text()


def _receipts(config: Any, db: Path) -> str:
    printer = config.printer
    if printer.driver == "file":
        return printer.target or str(db.parent / "receipts" / f"{config.store.till}.txt")
    return f"printer ({printer.driver})"


@click.group("config")
def config_group() -> None:
    """Write an example config, or show where the till keeps its files."""


@config_group.command("init")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing file.")
def config_init(path: Path | None, force: bool) -> None:
    """Write the commented example config to PATH (default: the user config file)."""
    target = path or default_config_path()
    if target.exists() and not force:
        click.echo(f"tui-pos: {target} exists (use --force to replace it)", err=True)
        sys.exit(1)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(example_config(), encoding="utf-8")
    except OSError as exc:
        click.echo(f"tui-pos: cannot write {target}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo(f"Config written: {target} (every key with its default; edit, then run)")


@config_group.command("paths")
@click.pass_obj
def config_paths(obj: Any) -> None:
    """Where the config, database, PIN key, backups, receipts and exports are."""
    source = config_path_checked(obj.config_path)
    config = load_config(source)
    db = obj.db_path or database_path(config)
    shown = source or f"{default_config_path()} (absent: built-in defaults)"
    rows = [
        ("config", str(shown)),
        ("database", str(db) + ("" if db.exists() else " (not created yet)")),
        ("pin key", str(pin_key_path(config, db))),
        ("backups", str(backup_dir(config, db))),
        ("receipts", _receipts(config, db)),
        ("exports", str(db.parent / "exports")),
        ("log", str(log_path(db))),
    ]
    for name, value in rows:
        click.echo(f"{name + ':':<10} {value}")
