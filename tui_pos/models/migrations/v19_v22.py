"""Migrations 19 and 22 (frozen: never edit one, add a new step): the store server's
sync state, birthday-month promotions. Numbers between are other branches' (gaps are
expected: migrate applies what is missing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_pos.models.migrations.script import run_script

if TYPE_CHECKING:
    from peewee import Database

_V19_SYNC_STATE = """
CREATE TABLE "sync_state" ("id" INTEGER NOT NULL PRIMARY KEY CHECK ("id" = 1),
  "url" TEXT NOT NULL, "store" TEXT NOT NULL, "till" TEXT NOT NULL, "token" TEXT NOT NULL,
  "acked_seq" INTEGER NOT NULL, "acked_hash" TEXT NOT NULL,
  "pull_cursor" TEXT NOT NULL DEFAULT '0:0', "conflict" TEXT, "last_ok_at" TEXT,
  "offline_since" TEXT, "enrolled_at" TEXT NOT NULL);
"""


def v19_sync_state(db: Database) -> None:
    run_script(db, _V19_SYNC_STATE)


def v22_birthday_promotions(db: Database) -> None:
    run_script(db, 'ALTER TABLE "promotion" ADD COLUMN "birthday" INTEGER NOT NULL DEFAULT 0;\n')
