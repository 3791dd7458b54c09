"""Backing up the till's database and restoring a backup over it: who may, decided here.

A backup holds everything the till knows (every sale, every customer's personal data, the
staff list), so taking one to a place of one's choosing is ``DATABASE_ADMIN`` (managers
unless ``[staff.permissions]`` says otherwise). A restore throws away whatever the
database holds now, so it is ``DATABASE_RESTORE`` (managers); it is its own action so
that an owner can let supervisors take the evening backup without letting them restore.
A refusal is audited in the database that is there now (a restore replaces it) and
nothing else happens. The backup after a Z close (``database.backup_on_z``) is the Z's
own act: the Z's approval covers it, nobody is asked twice.

The files themselves are written by the :class:`BackupFiles` port (SQLite's backup API
in :mod:`tui_pos.models.backup`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from tui_pos.domain.staff import Action, Approval
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import Clock


class BackupFiles(Protocol):
    """The till's database as files: online backups, their rotation, a restore over it."""

    def back_up(self, dest: Path, now: datetime) -> Path:
        """Back the database up to ``dest`` (a folder or a new file name); the backup."""

    def rotate(self, folder: Path, keep: int) -> list[Path]:
        """Delete the oldest backups in ``folder`` beyond the newest ``keep``; those."""

    def restore(self, backup: Path) -> None:
        """Replace the database with ``backup`` (checked first; the till's connections
        are closed before)."""


@dataclass(frozen=True)
class BackupMade:
    """A backup written, and the old ones rotation removed (oldest first)."""

    path: Path
    removed: tuple[Path, ...] = ()


@dataclass(frozen=True)
class ZBackups:
    """``[database]``'s backups after a Z close: where (None: none are made), how many kept."""

    folder: Path | None
    keep: int


class Backups:
    """The database's backup and restore use cases of one till."""

    def __init__(self, files: BackupFiles, auth: Authorizer, clock: Clock, z: ZBackups) -> None:
        self.files = files
        self.auth = auth
        self.clock = clock
        self.z = z

    def back_up(self, dest: Path, approval: Approval | None, keep: int | None = None) -> BackupMade:
        """Back up to ``dest`` if ``approval`` covers DATABASE_ADMIN (PermissionDenied,
        audited, otherwise); with ``keep``, only the newest ``keep`` backups stay there."""
        self.auth.authorize(Action.DATABASE_ADMIN, approval, f"backup to {dest}")
        return self._made(dest, keep)

    def after_z(self, z_approval: Approval | None) -> BackupMade | None:
        """The backup after a Z close, covered by the Z's own approval (Z_CLOSE); None when
        backups after a Z are off. A failure raises StorageError (the Z stays closed)."""
        if self.z.folder is None:
            return None
        self.auth.authorize(Action.Z_CLOSE, z_approval, "backup after the Z close")
        return self._made(self.z.folder, self.z.keep)

    def restore(self, backup: Path, approval: Approval | None) -> None:
        """Replace the database with ``backup`` if ``approval`` covers DATABASE_RESTORE;
        a refusal is audited in the database as it is now, which stays as it is."""
        self.auth.authorize(Action.DATABASE_RESTORE, approval, f"restore {backup.name} over it")
        self.files.restore(backup)

    def _made(self, dest: Path, keep: int | None) -> BackupMade:
        made = self.files.back_up(dest, self.clock())
        removed = self.files.rotate(made.parent, keep) if keep is not None else []
        return BackupMade(made, tuple(removed))
