"""Migrations 25 and 26 (frozen: never edit them, add a new step): one customer really one.

- 25 ``customer_alias``: a profile the store server joined into another (two tills
  created the same person offline): its uuid names the survivor from now on;
  ``card_alias``: a card the joined profile no longer carries names the survivor too.
- 26 ``customer_spend``: other tills' and the web shop's completed sales and returns of a
  customer, as the store server publishes them (topic ``spend``), so visits, spend and
  the tier count the whole organisation; this till's own sales stay in ``sale``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peewee import Database

from tui_pos.models.migrations.script import run_script

_V25 = """
CREATE TABLE "customer_alias" ("uuid" VARCHAR(32) NOT NULL PRIMARY KEY,
  "survivor" VARCHAR(32) NOT NULL, "rule" VARCHAR(16) NOT NULL,
  "created_at" DATETIME NOT NULL);
CREATE INDEX "customer_alias_survivor" ON "customer_alias" ("survivor");
CREATE TABLE "card_alias" ("card" VARCHAR(32) NOT NULL PRIMARY KEY,
  "survivor" VARCHAR(32) NOT NULL);
"""

_V26 = """
CREATE TABLE "customer_spend" ("uuid" VARCHAR(64) NOT NULL PRIMARY KEY,
  "customer_id" INTEGER NOT NULL, "channel" VARCHAR(8) NOT NULL,
  "origin" VARCHAR(64) NOT NULL, "total_cents" INTEGER NOT NULL,
  "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("customer_id") REFERENCES "customer" ("id"));
CREATE INDEX "customer_spend_customer" ON "customer_spend" ("customer_id", "created_at");
"""


def v25_customer_alias(db: Database) -> None:
    run_script(db, _V25)


def v26_customer_spend(db: Database) -> None:
    run_script(db, _V26)
