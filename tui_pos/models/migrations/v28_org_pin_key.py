"""Migration 28 (frozen: never edit it, add a new step): ``sync_state.org_key`` = 1 when
this till's ``pin.key`` is the organisation's, handed over by the store server at
enrollment (its staff are then the server's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_pos.models.migrations.script import run_script

if TYPE_CHECKING:
    from peewee import Database


def v28_org_pin_key(db: Database) -> None:
    run_script(db, 'ALTER TABLE "sync_state" ADD COLUMN "org_key" INTEGER NOT NULL DEFAULT 0;\n')
