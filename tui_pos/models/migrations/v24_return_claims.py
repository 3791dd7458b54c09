"""Migration 24 (frozen: never edit it, add a new step): ``return_claim_line``, the store
server's claim id of each return line taken back of a document sold elsewhere (another
till's sale, a web order). Chained and append-only like the sale it belongs to: pushed
with a completed sale it completes the claim at the server, with a voided sale it
releases it (docs/DESIGN.md, "Return claims: released, expired, completed once")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_pos.models.migrations.script import append_only_triggers, run_script

if TYPE_CHECKING:
    from peewee import Database

_V24 = """
CREATE TABLE "return_claim_line" ("id" INTEGER NOT NULL PRIMARY KEY,
  "sale_line_id" INTEGER NOT NULL, "claim" VARCHAR(64) NOT NULL,
  FOREIGN KEY ("sale_line_id") REFERENCES "sale_line" ("id"));
CREATE INDEX "return_claim_line_sale_line" ON "return_claim_line" ("sale_line_id");
"""


def v24_return_claims(db: Database) -> None:
    run_script(db, _V24)
    run_script(db, append_only_triggers(("return_claim_line",), hint="") + "\n")
