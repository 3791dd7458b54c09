"""Migrations 20 and 21 (frozen: never edit one, add a new step): the store server's
keys for promotions pushed down, and the head check of a restored till."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_pos.models.migrations.script import run_script

if TYPE_CHECKING:
    from peewee import Database


def v20_server_keys(db: Database) -> None:
    run_script(
        db,
        'ALTER TABLE "promotion" ADD COLUMN "server_key" VARCHAR(64);\n'
        'CREATE UNIQUE INDEX "promotion_server_key" ON "promotion" ("server_key");\n',
    )


def v21_head_check(db: Database) -> None:
    """``sync_state.head_check``: 1 = a restored database that may not sell until the
    store server confirms its head, 2 = the server holds more than it (blocked). A restore
    may have added the column already (tui_pos.sync.state.require_head_check)."""
    columns = [r[1] for r in db.execute_sql('PRAGMA table_info("sync_state")').fetchall()]
    if "head_check" not in columns:
        run_script(
            db, 'ALTER TABLE "sync_state" ADD COLUMN "head_check" INTEGER NOT NULL DEFAULT 0;\n'
        )
