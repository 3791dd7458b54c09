"""Migration 23 (frozen: never edit it, add a new step): one customer across tills.

- ``hlc_clock``: this till's last hybrid-logical-clock stamp (tui_pos.domain.hlc).
- ``customer_stamp``: the stamp of each profile field's last edit (field ``erased``: the
  erasure's tombstone), so edits from other tills merge per field.
- ``customer_outbox``: customers with local edits the store server has not acknowledged
  (``at`` = the newest local stamp when it was queued).
- ``consent_stamp``: the stamp of each consent log entry (the log itself stays the
  append-only, chained ``consent_event``); the current consent is the latest entry's.

Existing profiles get stamps from their last change (node ``local``) and are queued, so
an enrolled till shares the customers it already had; existing log entries get stamps
from their time. A consent held without any log entry is shared as one entry stamped with
the profile's creation (tui_pos.models.customer_stamps.document_of).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tui_pos.models.migrations.script import run_script

if TYPE_CHECKING:
    from peewee import Database

_V23 = """
CREATE TABLE "hlc_clock" ("id" INTEGER NOT NULL PRIMARY KEY CHECK ("id" = 1),
  "last" VARCHAR(96) NOT NULL);
CREATE TABLE "customer_stamp" ("customer_id" INTEGER NOT NULL, "field" VARCHAR(16) NOT NULL,
  "at" VARCHAR(96) NOT NULL, PRIMARY KEY ("customer_id", "field"),
  FOREIGN KEY ("customer_id") REFERENCES "customer" ("id"));
CREATE TABLE "customer_outbox" ("customer_id" INTEGER NOT NULL PRIMARY KEY,
  "at" VARCHAR(96) NOT NULL, FOREIGN KEY ("customer_id") REFERENCES "customer" ("id"));
CREATE TABLE "consent_stamp" ("event_id" INTEGER NOT NULL PRIMARY KEY,
  "customer_id" INTEGER NOT NULL, "at" VARCHAR(96) NOT NULL,
  FOREIGN KEY ("event_id") REFERENCES "consent_event" ("id"));
CREATE UNIQUE INDEX "consent_stamp_customer_at" ON "consent_stamp" ("customer_id", "at");
"""

_FIELDS = ("name", "phone", "email", "birthday", "notes", "preferences", "card")


def _ms(text: object) -> int:
    moment = datetime.fromisoformat(str(text))
    # stamps start in 2020 (tui_pos.domain.hlc.EARLIEST_MS): older times count as then
    return max(
        1_577_836_800_000, int(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp() * 1000)
    )


def v23_customer_stamps(db: Database) -> None:
    run_script(db, _V23)
    customers = db.execute_sql("SELECT id, updated_at, erased_at FROM customer").fetchall()
    for cid, updated, erased in customers:
        at = f"{_ms(updated):013d}.00000.local"
        fields = ("erased",) if erased else _FIELDS
        db.cursor().executemany(
            "INSERT INTO customer_stamp (customer_id, field, at) VALUES (?,?,?)",
            [(cid, f, at) for f in fields],
        )
        db.execute_sql("INSERT INTO customer_outbox (customer_id, at) VALUES (?,?)", (cid, at))
    for event, cid, created in db.execute_sql(
        "SELECT id, customer_id, created_at FROM consent_event ORDER BY id"
    ).fetchall():
        db.execute_sql(
            "INSERT INTO consent_stamp (event_id, customer_id, at) VALUES (?,?,?)",
            (event, cid, f"{_ms(created):013d}.00000.local-{event}"),
        )
