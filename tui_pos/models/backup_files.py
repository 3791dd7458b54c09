"""The till's database as the backup service sees it (``services.backups.BackupFiles``):
online backups, their rotation and a restore over it, through :mod:`tui_pos.models.backup`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tui_pos.models.backup import backup_database, restore_database, rotate_backups


class SqliteBackupFiles:
    """Backups of the database file at ``db_path``; ``close`` closes the till's own
    connection before a restore replaces the file under it."""

    def __init__(self, db_path: Path, close: Callable[[], object]) -> None:
        self.db_path = db_path
        self.close = close

    def back_up(self, dest: Path, now: datetime) -> Path:
        return backup_database(self.db_path, dest, now=now)

    def rotate(self, folder: Path, keep: int) -> list[Path]:
        return rotate_backups(folder, keep)

    def restore(self, backup: Path) -> None:
        self.close()
        restore_database(backup, self.db_path, replace=True)
