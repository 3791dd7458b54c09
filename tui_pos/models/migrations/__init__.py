"""Versioned schema migrations, run by ``tui-pos db migrate`` and on start.

Each migration is frozen SQL: the models may change later, a migration never does.
A new schema change is a new entry at the end of :data:`MIGRATIONS`, its step in a module
of this package (steps by era: ``v01_v08``, ``chain`` (9, 10), ``v11_v16``, ``v19_v22``;
``script`` runs their SQL), named ``"module:function"`` and imported only when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module
from typing import TYPE_CHECKING

from tui_pos.domain.errors import StorageError

if TYPE_CHECKING:
    from peewee import Database


@dataclass(frozen=True)
class Migration:
    """One schema step: ``apply`` runs inside a transaction."""

    version: int
    name: str
    #: The step as ``"module:function"`` of this package, imported when the migration
    #: runs: a database already at the latest version never loads the steps' SQL.
    step: str

    def apply(self, db: Database) -> None:
        """Run the step on ``db`` (inside the caller's transaction)."""
        module, _, function = self.step.partition(":")
        getattr(import_module(f"{__package__}.{module}"), function)(db)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", "v01_v08:v1_initial"),
    Migration(2, "print queue and drawer events", "v01_v08:v2_devices"),
    Migration(3, "hash-chained journal", "v01_v08:v3_journal"),
    Migration(4, "open cart journal", "v01_v08:v4_open_cart"),
    Migration(5, "staff, audit log, time clock, cash movements", "v01_v08:v5_staff"),
    Migration(6, "customers and loyalty", "v01_v08:v6_customers"),
    Migration(7, "returns, stock control, promotions, online orders", "v01_v08:v7_returns_stock"),
    Migration(8, "sale index by till and time (reports)", "v01_v08:v8_sale_time_index"),
    Migration(9, "keyed hash chain over every document and ledger row", "chain:v9_chain"),
    Migration(
        10, "online order contacts outside the append-only orders", "chain:v10_order_contacts"
    ),
    Migration(11, "print jobs: sending state and delivery mark", "v11_v16:v11_print_confirmation"),
    Migration(12, "open cart journal as an append-only log", "v11_v16:v12_open_cart_log"),
    Migration(13, "index of refund lines (reports)", "v11_v16:v13_refund_line_index"),
    Migration(14, "PIN key recovery code", "v11_v16:v14_pin_recovery"),
    Migration(
        15,
        "loyalty offers, coupons, campaigns, consent log, mail outbox",
        "v11_v16:v15_loyalty_mail",
    ),
    Migration(16, "loyalty analytics indexes, targeted promotions", "v11_v16:v16_loyalty_offers"),
    Migration(
        18, "tax codes set by command or by the store server", "v18_tax_source:v18_tax_source"
    ),
    Migration(19, "store server: the till's sync state", "v19_v22:v19_sync_state"),
    Migration(20, "store server: promotions keyed by the server", "v20_v21:v20_server_keys"),
    Migration(21, "store server: head check of a restored till", "v20_v21:v21_head_check"),
    Migration(22, "birthday-month promotions", "v19_v22:v22_birthday_promotions"),
    Migration(23, "one customer across tills: field stamps, outbox", "v23_v24:v23_customer_stamps"),
    Migration(
        24,
        "store server: claims of return lines sold elsewhere",
        "v24_return_claims:v24_return_claims",
    ),
    Migration(
        25, "one customer across tills: profiles joined by the server", "v25_v26:v25_customer_alias"
    ),
    Migration(26, "one customer across tills: other tills' spend", "v25_v26:v26_customer_spend"),
    Migration(28, "store server: the organisation's PIN key", "v28_org_pin_key:v28_org_pin_key"),
)

#: The highest version (branches land their numbers in any order: not the last entry).
LATEST_VERSION = max(m.version for m in MIGRATIONS)


def current_version(db: Database) -> int:
    """The schema version of ``db`` (0 for an empty database)."""
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "schema_version" ("version" INTEGER NOT NULL PRIMARY KEY, '
        '"name" TEXT NOT NULL, "applied_at" TEXT NOT NULL)'
    )
    row = db.execute_sql('SELECT MAX("version") FROM "schema_version"').fetchone()
    return int(row[0] or 0)


def pending(db: Database) -> list[Migration]:
    """Migrations not yet applied to ``db``, in order. Versions are compared as a set, not
    as "above the current one": branches developed side by side may land a higher number
    first, and a database migrated in between must still get the lower one."""
    current_version(db)  # makes the schema_version table
    rows = db.execute_sql('SELECT "version" FROM "schema_version"').fetchall()
    applied = {int(r[0]) for r in rows}
    return [m for m in MIGRATIONS if m.version not in applied]


def migrate(db: Database) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; return those applied.

    A database newer than this program is refused rather than misread.
    """
    version = current_version(db)
    if version > LATEST_VERSION:
        raise StorageError(
            f"The database is at schema version {version}, newer than this tui-pos "
            f"({LATEST_VERSION}): upgrade tui-pos"
        )
    applied = []
    for migration in pending(db):
        with db.atomic():
            migration.apply(db)
            db.execute_sql(
                'INSERT INTO "schema_version" ("version", "name", "applied_at") VALUES (?, ?, ?)',
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
        applied.append(migration)
    return applied
