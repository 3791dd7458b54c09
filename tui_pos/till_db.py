"""Opening a till's database: the one sequence every opener runs (``bootstrap.open_till``
for the register and most commands, ``report_till.open_report_till`` for the read-only
reports): create or migrate, check the chain key, load the PIN key.

Kept apart from ``bootstrap`` so that a command which needs only the database and a few
services does not import every store and service (start-up time, issue 17).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui_pos.config import Config, database_path, pin_key_path
from tui_pos.domain.errors import ConfigError
from tui_pos.domain.pin import DEFAULT_COST, ScryptCost
from tui_pos.domain.staff import Permissions, StaffError
from tui_pos.models.chain_store import chain_key
from tui_pos.models.database import open_database
from tui_pos.models.errors import storage_errors
from tui_pos.models.migrations import migrate
from tui_pos.models.pin_recovery import load_pin_key
from tui_pos.models.times import utc_now
from tui_pos.services.staff_records import StaffSettings

if TYPE_CHECKING:
    from peewee import Database

    from tui_pos.services.ports import Clock


@dataclass(frozen=True)
class TillDatabase:
    """An open till database and what opening it found."""

    db: Database
    path: Path
    #: The PIN key (the staff service's pepper).
    pepper: bytes
    #: The recovery code issued when this open made the database: shown once, never kept.
    recovery_code: str | None


def open_till_database(
    config: Config, db_path: Path | None = None, clock: Clock = utc_now
) -> TillDatabase:
    """The configured (or given) database, created and migrated as needed, its chain key
    checked and its PIN key loaded. A missing, damaged or unreadable one is a StorageError
    (the connection is closed again)."""
    if config.database.url is not None:
        raise ConfigError("database.url: server databases are not supported yet; use path")
    path = db_path or database_path(config)
    with storage_errors():
        db = open_database(path, config.database.busy_timeout_ms)
    try:
        with storage_errors():
            migrate(db)
            chain_key(db)  # made with the database; a missing key of a chained one stops here
        pepper, recovery_code = load_pin_key(db, pin_key_path(config, path), clock())
    except BaseException:
        db.close()
        raise
    return TillDatabase(db, path, pepper, recovery_code)


def staff_settings(config: Config, cost: ScryptCost = DEFAULT_COST) -> StaffSettings:
    """The staff rules of the config."""
    try:
        permissions = Permissions.with_overrides(config.staff.permissions)
    except StaffError as exc:
        raise ConfigError(f"staff.permissions: {exc}") from exc
    return StaffSettings(
        permissions=permissions,
        max_attempts=config.staff.max_pin_attempts,
        lockout_minutes=config.staff.lockout_minutes,
        lock_after_idle_seconds=config.staff.lock_after_idle_seconds,
        discount_limit_percent=config.staff.discount_limit_percent,
        cost=cost,
    )
