"""Migration 18 (frozen: never edit it, add a new step): where each tax code comes from.

``tax_code.source``: ``config`` (the config's ``[[tax]]``, rewritten at every start),
``till`` (``tui-pos tax set`` on a till without a store server) or ``server`` (the store
server's feed). A start never overwrites a code set by command or by the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_pos.models.migrations.script import run_script

if TYPE_CHECKING:
    from peewee import Database


def v18_tax_source(db: Database) -> None:
    run_script(
        db, """ALTER TABLE "tax_code" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'config';\n"""
    )
