"""Versioned schema migrations, run by ``tui-pos db migrate`` and on start.

Each migration is frozen SQL: the models may change later, a migration never does.
A new schema change is a new entry at the end of :data:`MIGRATIONS`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from peewee import Database

from tui_pos.domain.errors import StorageError


@dataclass(frozen=True)
class Migration:
    """One schema step: ``apply`` runs inside a transaction."""

    version: int
    name: str
    apply: Callable[[Database], None]


_V1_TABLES = """
CREATE TABLE "tax_code" ("code" VARCHAR(8) NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL,
  "rate_bp" INTEGER NOT NULL);
CREATE TABLE "category" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL);
CREATE UNIQUE INDEX "category_name" ON "category" ("name");
CREATE TABLE "product" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL,
  "price_cents" INTEGER NOT NULL, "tax_code" VARCHAR(8) NOT NULL, "category_id" INTEGER,
  "unit" VARCHAR(4) NOT NULL, "plu" VARCHAR(6), "reorder_level_milli" INTEGER NOT NULL,
  "active" INTEGER NOT NULL,
  FOREIGN KEY ("tax_code") REFERENCES "tax_code" ("code"),
  FOREIGN KEY ("category_id") REFERENCES "category" ("id"));
CREATE INDEX "product_tax_code" ON "product" ("tax_code");
CREATE INDEX "product_category_id" ON "product" ("category_id");
CREATE UNIQUE INDEX "product_plu" ON "product" ("plu");
CREATE TABLE "barcode" ("code" VARCHAR(48) NOT NULL PRIMARY KEY, "product_id" INTEGER NOT NULL,
  FOREIGN KEY ("product_id") REFERENCES "product" ("id") ON DELETE CASCADE);
CREATE INDEX "barcode_product_id" ON "barcode" ("product_id");
CREATE TABLE "stock_movement" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "till" VARCHAR(16) NOT NULL, "seq" INTEGER NOT NULL, "product_id" INTEGER NOT NULL,
  "qty_milli" INTEGER NOT NULL, "kind" VARCHAR(12) NOT NULL, "sale_line_id" INTEGER,
  "note" TEXT NOT NULL, "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("product_id") REFERENCES "product" ("id"));
CREATE UNIQUE INDEX "stock_movement_uuid" ON "stock_movement" ("uuid");
CREATE INDEX "stock_movement_product_id" ON "stock_movement" ("product_id");
CREATE UNIQUE INDEX "stock_movement_till_seq" ON "stock_movement" ("till", "seq");
CREATE TABLE "sale" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "till" VARCHAR(16) NOT NULL, "seq" INTEGER NOT NULL, "status" VARCHAR(10) NOT NULL,
  "created_at" DATETIME NOT NULL, "cashier" VARCHAR(255) NOT NULL,
  "subtotal_cents" INTEGER NOT NULL, "discount_cents" INTEGER NOT NULL,
  "tax_cents" INTEGER NOT NULL, "total_cents" INTEGER NOT NULL,
  "rounding_cents" INTEGER NOT NULL, "change_cents" INTEGER NOT NULL,
  "voided_lines" INTEGER NOT NULL);
CREATE UNIQUE INDEX "sale_uuid" ON "sale" ("uuid");
CREATE UNIQUE INDEX "sale_till_seq" ON "sale" ("till", "seq");
CREATE INDEX "sale_created_at" ON "sale" ("created_at");
CREATE TABLE "sale_line" ("id" INTEGER NOT NULL PRIMARY KEY, "sale_id" INTEGER NOT NULL,
  "position" INTEGER NOT NULL, "product_id" INTEGER, "name" VARCHAR(255) NOT NULL,
  "code" VARCHAR(255) NOT NULL, "unit" VARCHAR(4) NOT NULL, "qty_milli" INTEGER NOT NULL,
  "unit_price_cents" INTEGER NOT NULL, "base_cents" INTEGER NOT NULL,
  "line_discount_cents" INTEGER NOT NULL, "cart_discount_cents" INTEGER NOT NULL,
  "amount_cents" INTEGER NOT NULL, "tax_code" VARCHAR(8) NOT NULL,
  "tax_rate_bp" INTEGER NOT NULL,
  FOREIGN KEY ("sale_id") REFERENCES "sale" ("id"),
  FOREIGN KEY ("product_id") REFERENCES "product" ("id"));
CREATE INDEX "sale_line_sale_id" ON "sale_line" ("sale_id");
CREATE INDEX "sale_line_product_id" ON "sale_line" ("product_id");
CREATE UNIQUE INDEX "sale_line_sale_id_position" ON "sale_line" ("sale_id", "position");
CREATE TABLE "sale_tax" ("id" INTEGER NOT NULL PRIMARY KEY, "sale_id" INTEGER NOT NULL,
  "code" VARCHAR(8) NOT NULL, "rate_bp" INTEGER NOT NULL, "base_cents" INTEGER NOT NULL,
  "tax_cents" INTEGER NOT NULL, FOREIGN KEY ("sale_id") REFERENCES "sale" ("id"));
CREATE INDEX "sale_tax_sale_id" ON "sale_tax" ("sale_id");
CREATE TABLE "payment" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "till" VARCHAR(16) NOT NULL, "seq" INTEGER NOT NULL, "sale_id" INTEGER NOT NULL,
  "kind" VARCHAR(10) NOT NULL, "amount_cents" INTEGER NOT NULL,
  "tendered_cents" INTEGER NOT NULL, "change_cents" INTEGER NOT NULL,
  "reference" VARCHAR(255) NOT NULL, FOREIGN KEY ("sale_id") REFERENCES "sale" ("id"));
CREATE UNIQUE INDEX "payment_uuid" ON "payment" ("uuid");
CREATE INDEX "payment_sale_id" ON "payment" ("sale_id");
CREATE UNIQUE INDEX "payment_till_seq" ON "payment" ("till", "seq");
CREATE TABLE "suspended_cart" ("id" INTEGER NOT NULL PRIMARY KEY, "till" VARCHAR(16) NOT NULL,
  "created_at" DATETIME NOT NULL, "label" VARCHAR(255) NOT NULL,
  "item_count" INTEGER NOT NULL, "total_cents" INTEGER NOT NULL, "cart_json" TEXT NOT NULL);
CREATE TABLE "z_close" ("id" INTEGER NOT NULL PRIMARY KEY, "till" VARCHAR(16) NOT NULL,
  "z_number" INTEGER NOT NULL, "closed_at" DATETIME NOT NULL, "first_seq" INTEGER NOT NULL,
  "last_seq" INTEGER NOT NULL, "report_json" TEXT NOT NULL);
CREATE UNIQUE INDEX "z_close_till_z_number" ON "z_close" ("till", "z_number");
"""

# Name search as you type on a large catalog: an external-content FTS5 index kept in
# step with the product table by triggers.
_V1_SEARCH = """
CREATE VIRTUAL TABLE "product_search" USING fts5(name, content='product', content_rowid='id',
  tokenize="unicode61 remove_diacritics 2");
CREATE TRIGGER "product_search_ai" AFTER INSERT ON "product" BEGIN
  INSERT INTO "product_search"(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER "product_search_ad" AFTER DELETE ON "product" BEGIN
  INSERT INTO "product_search"("product_search", rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER "product_search_au" AFTER UPDATE OF name ON "product" BEGIN
  INSERT INTO "product_search"("product_search", rowid, name) VALUES ('delete', old.id, old.name);
  INSERT INTO "product_search"(rowid, name) VALUES (new.id, new.name);
END;
"""

# Finished documents are append-only at the database level too.
_APPEND_ONLY = ("sale", "sale_line", "sale_tax", "payment", "stock_movement", "z_close")


_CORRECTION = ": record a correction"


def _append_only_triggers(tables: tuple[str, ...] = _APPEND_ONLY, hint: str = _CORRECTION) -> str:
    """Triggers that abort any UPDATE or DELETE on ``tables`` (one statement a line)."""
    parts = []
    for table in tables:
        for op in ("UPDATE", "DELETE"):
            parts.append(
                f'CREATE TRIGGER "{table}_no_{op.lower()}" BEFORE {op} ON "{table}" BEGIN '
                f"SELECT RAISE(ABORT, '{table} rows are never changed{hint}');"
                " END;"
            )
    return "\n".join(parts)


def _run_script(db: Database, script: str) -> None:
    # executescript() would commit the surrounding transaction, so run statement by
    # statement; complete_statement() keeps trigger bodies whole.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute_sql(statement.strip())
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL in migration: {statement[:60]!r}")


def _v1_initial(db: Database) -> None:
    _run_script(db, _V1_TABLES)
    _run_script(db, _V1_SEARCH)
    _run_script(db, _append_only_triggers() + "\n")


# Receipts owed and drawer openings. A print job is work to do, not a fiscal document:
# its status changes. A drawer event is a record (no-sales are counted in reports).
_V2_DEVICES = """
CREATE TABLE "print_job" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "till" VARCHAR(16) NOT NULL, "sale_id" INTEGER, "kind" VARCHAR(12) NOT NULL,
  "status" VARCHAR(10) NOT NULL, "attempts" INTEGER NOT NULL DEFAULT 0,
  "last_error" TEXT NOT NULL DEFAULT '', "created_at" DATETIME NOT NULL, "printed_at" DATETIME,
  FOREIGN KEY ("sale_id") REFERENCES "sale" ("id"));
CREATE UNIQUE INDEX "print_job_uuid" ON "print_job" ("uuid");
CREATE INDEX "print_job_till_status" ON "print_job" ("till", "status", "id");
CREATE TABLE "drawer_event" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "till" VARCHAR(16) NOT NULL, "seq" INTEGER NOT NULL, "reason" VARCHAR(12) NOT NULL,
  "sale_id" INTEGER, "created_at" DATETIME NOT NULL, "sent" INTEGER NOT NULL,
  "error" TEXT NOT NULL DEFAULT '', FOREIGN KEY ("sale_id") REFERENCES "sale" ("id"));
CREATE UNIQUE INDEX "drawer_event_uuid" ON "drawer_event" ("uuid");
CREATE UNIQUE INDEX "drawer_event_till_seq" ON "drawer_event" ("till", "seq");
"""


def _v2_devices(db: Database) -> None:
    _run_script(db, _V2_DEVICES)
    # Receipts of sales stored before the queue existed are not owed: they were produced.


_V3_JOURNAL = """
CREATE TABLE "journal" ("id" INTEGER NOT NULL PRIMARY KEY, "till" VARCHAR(16) NOT NULL,
  "seq" INTEGER NOT NULL, "kind" VARCHAR(10) NOT NULL, "doc_uuid" VARCHAR(40) NOT NULL,
  "created_at" TEXT NOT NULL, "payload" TEXT NOT NULL, "amount_cents" INTEGER NOT NULL,
  "grand_total_cents" INTEGER NOT NULL, "prev_hash" CHAR(64) NOT NULL,
  "hash" CHAR(64) NOT NULL);
CREATE UNIQUE INDEX "journal_till_seq" ON "journal" ("till", "seq");
CREATE UNIQUE INDEX "journal_kind_doc_uuid" ON "journal" ("kind", "doc_uuid");
CREATE TRIGGER "journal_no_update" BEFORE UPDATE ON "journal" BEGIN
  SELECT RAISE(ABORT, 'journal rows are never changed');
END;
CREATE TRIGGER "journal_no_delete" BEFORE DELETE ON "journal" BEGIN
  SELECT RAISE(ABORT, 'journal rows are never changed');
END;
CREATE TRIGGER "drawer_event_no_update" BEFORE UPDATE ON "drawer_event" BEGIN
  SELECT RAISE(ABORT, 'drawer_event rows are never changed: record a correction');
END;
CREATE TRIGGER "drawer_event_no_delete" BEFORE DELETE ON "drawer_event" BEGIN
  SELECT RAISE(ABORT, 'drawer_event rows are never changed: record a correction');
END;
"""


def _v3_journal(db: Database) -> None:
    _run_script(db, _V3_JOURNAL)
    # Documents stored before the journal existed are chained now, in a fixed order.
    from tui_pos.models.journal_store import backfill_journal

    backfill_journal(db)


# The crash journal of the open sale: one row per till, replaced on every change of the
# sale; rows that could not be restored are kept as they were for a manager.
_V4_OPEN_CART = """
CREATE TABLE "open_cart" ("till" VARCHAR(16) NOT NULL PRIMARY KEY, "json" TEXT NOT NULL,
  "updated_at" DATETIME NOT NULL);
CREATE TABLE "open_cart_set_aside" ("id" INTEGER NOT NULL PRIMARY KEY,
  "till" VARCHAR(16) NOT NULL, "json" TEXT NOT NULL, "updated_at" DATETIME NOT NULL,
  "set_aside_at" DATETIME NOT NULL, "reason" TEXT NOT NULL);
"""


def _v4_open_cart(db: Database) -> None:
    _run_script(db, _V4_OPEN_CART)


# Staff, the audit log, the time clock and cash movements. Employees are master data (their
# lock-out counters change); the audit log, clock punches and cash movements are records.
_V5_STAFF = """
CREATE TABLE "employee" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(8) NOT NULL,
  "name" VARCHAR(255) NOT NULL, "role" VARCHAR(12) NOT NULL, "pin_hash" TEXT NOT NULL,
  "badge" VARCHAR(48), "active" INTEGER NOT NULL DEFAULT 1,
  "failed_attempts" INTEGER NOT NULL DEFAULT 0, "locked_until" DATETIME,
  "created_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "employee_code" ON "employee" ("code");
CREATE UNIQUE INDEX "employee_badge" ON "employee" ("badge");
CREATE TABLE "audit_event" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "till" VARCHAR(16) NOT NULL, "seq" INTEGER NOT NULL, "created_at" DATETIME NOT NULL,
  "action" VARCHAR(32) NOT NULL, "outcome" VARCHAR(12) NOT NULL,
  "employee_id" INTEGER, "employee_name" VARCHAR(255) NOT NULL,
  "approver_id" INTEGER, "approver_name" VARCHAR(255) NOT NULL, "detail" TEXT NOT NULL,
  FOREIGN KEY ("employee_id") REFERENCES "employee" ("id"),
  FOREIGN KEY ("approver_id") REFERENCES "employee" ("id"));
CREATE UNIQUE INDEX "audit_event_uuid" ON "audit_event" ("uuid");
CREATE UNIQUE INDEX "audit_event_till_seq" ON "audit_event" ("till", "seq");
CREATE INDEX "audit_event_created_at" ON "audit_event" ("created_at");
CREATE TABLE "time_clock" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "till" VARCHAR(16) NOT NULL, "seq" INTEGER NOT NULL, "employee_id" INTEGER NOT NULL,
  "kind" VARCHAR(3) NOT NULL CHECK ("kind" IN ('in', 'out')), "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("employee_id") REFERENCES "employee" ("id"));
CREATE UNIQUE INDEX "time_clock_uuid" ON "time_clock" ("uuid");
CREATE UNIQUE INDEX "time_clock_till_seq" ON "time_clock" ("till", "seq");
CREATE INDEX "time_clock_employee" ON "time_clock" ("employee_id", "created_at");
CREATE TABLE "cash_movement" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "till" VARCHAR(16) NOT NULL, "seq" INTEGER NOT NULL,
  "kind" VARCHAR(5) NOT NULL CHECK ("kind" IN ('float', 'in', 'out')),
  "amount_cents" INTEGER NOT NULL CHECK ("amount_cents" >= 0), "reason" TEXT NOT NULL,
  "employee_id" INTEGER, "employee_name" VARCHAR(255) NOT NULL, "approver_name" VARCHAR(255)
  NOT NULL DEFAULT '', "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("employee_id") REFERENCES "employee" ("id"));
CREATE UNIQUE INDEX "cash_movement_uuid" ON "cash_movement" ("uuid");
CREATE UNIQUE INDEX "cash_movement_till_seq" ON "cash_movement" ("till", "seq");
ALTER TABLE "sale" ADD COLUMN "employee_id" INTEGER REFERENCES "employee" ("id");
ALTER TABLE "z_close" ADD COLUMN "last_cash_seq" INTEGER NOT NULL DEFAULT 0;
"""


def _v5_staff(db: Database) -> None:
    _run_script(db, _V5_STAFF)
    _run_script(db, _append_only_triggers(("audit_event", "time_clock", "cash_movement")) + "\n")


# Customers, the loyalty points ledger (append-only, like the other ledgers), saved
# segments, and the customer of a sale. An erased customer keeps its row (the sales and
# the ledger point at it) with the personal fields cleared.
_V6_CUSTOMERS = """
CREATE TABLE "customer" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "card" VARCHAR(32), "name" VARCHAR(80) NOT NULL, "phone" VARCHAR(40) NOT NULL,
  "phone_digits" VARCHAR(20) NOT NULL, "email" VARCHAR(120) NOT NULL, "birthday" TEXT,
  "notes" TEXT NOT NULL, "preferences" TEXT NOT NULL, "marketing_consent" INTEGER NOT NULL,
  "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "erased_at" DATETIME);
CREATE UNIQUE INDEX "customer_uuid" ON "customer" ("uuid");
CREATE UNIQUE INDEX "customer_card" ON "customer" ("card");
CREATE INDEX "customer_phone_digits" ON "customer" ("phone_digits");
CREATE INDEX "customer_name" ON "customer" ("name" COLLATE NOCASE);
CREATE TABLE "loyalty_entry" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "till" VARCHAR(16) NOT NULL, "seq" INTEGER NOT NULL, "customer_id" INTEGER NOT NULL,
  "points" INTEGER NOT NULL, "kind" VARCHAR(10) NOT NULL, "sale_id" INTEGER,
  "note" TEXT NOT NULL, "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("customer_id") REFERENCES "customer" ("id"),
  FOREIGN KEY ("sale_id") REFERENCES "sale" ("id"));
CREATE UNIQUE INDEX "loyalty_entry_uuid" ON "loyalty_entry" ("uuid");
CREATE UNIQUE INDEX "loyalty_entry_till_seq" ON "loyalty_entry" ("till", "seq");
CREATE INDEX "loyalty_entry_customer_id" ON "loyalty_entry" ("customer_id", "id");
CREATE INDEX "loyalty_entry_sale_id" ON "loyalty_entry" ("sale_id");
CREATE TRIGGER "loyalty_entry_no_update" BEFORE UPDATE ON "loyalty_entry" BEGIN
  SELECT RAISE(ABORT, 'loyalty_entry rows are never changed: record a correction');
END;
CREATE TRIGGER "loyalty_entry_no_delete" BEFORE DELETE ON "loyalty_entry" BEGIN
  SELECT RAISE(ABORT, 'loyalty_entry rows are never changed: record a correction');
END;
CREATE TABLE "customer_event" ("id" INTEGER NOT NULL PRIMARY KEY,
  "customer_id" INTEGER NOT NULL, "kind" VARCHAR(12) NOT NULL, "created_at" DATETIME NOT NULL,
  "note" TEXT NOT NULL, FOREIGN KEY ("customer_id") REFERENCES "customer" ("id"));
CREATE INDEX "customer_event_customer_id" ON "customer_event" ("customer_id");
CREATE TABLE "customer_segment" ("name" VARCHAR(40) NOT NULL PRIMARY KEY,
  "rule_json" TEXT NOT NULL, "created_at" DATETIME NOT NULL);
ALTER TABLE "sale" ADD COLUMN "customer_id" INTEGER REFERENCES "customer" ("id");
CREATE INDEX "sale_customer_id" ON "sale" ("customer_id", "created_at");
"""

# The segments a store starts with (frozen here: later changes to the defaults in
# domain/segments.py do not rewrite a store's saved segments).
_V6_SEGMENTS = (
    ("gold-lapsed", '{"not_seen_days": 60, "tier": "Gold"}'),
    ("champions", '{"rfm_group": "Champions"}'),
    ("at-risk", '{"rfm_group": "At risk"}'),
    ("lost", '{"rfm_group": "Lost"}'),
    ("new", '{"rfm_group": "New"}'),
    ("newsletter", '{"consent_only": true}'),
)


def _v6_customers(db: Database) -> None:
    _run_script(db, _V6_CUSTOMERS)
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    for name, rule in _V6_SEGMENTS:
        db.execute_sql(
            'INSERT INTO "customer_segment" ("name", "rule_json", "created_at") VALUES (?,?,?)',
            (name, rule, now),
        )


# Reports select a till's sales by time: with only (till, seq) and (created_at) indexes,
# SQLite (no ANALYZE on a till) walked every sale of the till for one day's totals.
_V8_SALE_TIME_INDEX = """
CREATE INDEX "sale_till_created_at" ON "sale" ("till", "created_at");
"""


def _v8_sale_time_index(db: Database) -> None:
    _run_script(db, _V8_SALE_TIME_INDEX)


# Returns, stock control, promotions, online orders (issue 6).
# - A return is a sale document whose return lines have negative quantities and amounts and
#   name the line they return (``return_of_line_id``); "already returned" is their sum.
# - Promotion name and discount per line (the discount is also inside line_discount_cents).
# - Store credit is a ledger: a credit note's balance is the sum of its rows.
# - Promotions are settings (they change: an end date is set), not documents.
# - Online orders are imported once (UNIQUE order id); a hand-over is an appended event.
_V7_RETURNS_STOCK = """
ALTER TABLE "sale_line" ADD COLUMN "return_of_line_id" INTEGER REFERENCES "sale_line" ("id");
ALTER TABLE "sale_line" ADD COLUMN "promotion" VARCHAR(80) NOT NULL DEFAULT '';
ALTER TABLE "sale_line" ADD COLUMN "promo_discount_cents" INTEGER NOT NULL DEFAULT 0;
CREATE INDEX "sale_line_return_of_line_id" ON "sale_line" ("return_of_line_id");
CREATE INDEX "stock_movement_kind" ON "stock_movement" ("kind", "product_id");
CREATE TABLE "store_credit" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "till" VARCHAR(16) NOT NULL, "seq" INTEGER NOT NULL, "code" VARCHAR(16) NOT NULL,
  "kind" VARCHAR(8) NOT NULL, "amount_cents" INTEGER NOT NULL, "sale_id" INTEGER NOT NULL,
  "created_at" DATETIME NOT NULL, FOREIGN KEY ("sale_id") REFERENCES "sale" ("id"));
CREATE UNIQUE INDEX "store_credit_uuid" ON "store_credit" ("uuid");
CREATE UNIQUE INDEX "store_credit_till_seq" ON "store_credit" ("till", "seq");
CREATE UNIQUE INDEX "store_credit_issue_code" ON "store_credit" ("code") WHERE "kind" = 'issue';
CREATE INDEX "store_credit_code" ON "store_credit" ("code");
CREATE TRIGGER "store_credit_no_update" BEFORE UPDATE ON "store_credit" BEGIN
  SELECT RAISE(ABORT, 'store_credit rows are never changed: record a correction');
END;
CREATE TRIGGER "store_credit_no_delete" BEFORE DELETE ON "store_credit" BEGIN
  SELECT RAISE(ABORT, 'store_credit rows are never changed: record a correction');
END;
CREATE TABLE "promotion" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(80) NOT NULL,
  "kind" VARCHAR(12) NOT NULL, "product_id" INTEGER, "category_id" INTEGER,
  "value" INTEGER NOT NULL, "buy_qty" INTEGER NOT NULL DEFAULT 0,
  "pay_qty" INTEGER NOT NULL DEFAULT 0, "starts_on" DATE NOT NULL, "ends_on" DATE,
  "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("product_id") REFERENCES "product" ("id"),
  FOREIGN KEY ("category_id") REFERENCES "category" ("id"),
  CHECK (("product_id" IS NULL) <> ("category_id" IS NULL)));
CREATE INDEX "promotion_dates" ON "promotion" ("starts_on", "ends_on");
CREATE TABLE "online_order" ("id" INTEGER NOT NULL PRIMARY KEY,
  "order_id" VARCHAR(64) NOT NULL, "created_at" DATETIME NOT NULL,
  "imported_at" DATETIME NOT NULL, "till" VARCHAR(16) NOT NULL,
  "customer_name" VARCHAR(120) NOT NULL DEFAULT '',
  "customer_email" VARCHAR(254) NOT NULL DEFAULT '',
  "customer_phone" VARCHAR(40) NOT NULL DEFAULT '',
  "customer_card" VARCHAR(48) NOT NULL DEFAULT '',
  "collection" INTEGER NOT NULL, "total_cents" INTEGER NOT NULL);
CREATE UNIQUE INDEX "online_order_order_id" ON "online_order" ("order_id");
CREATE TABLE "online_order_line" ("id" INTEGER NOT NULL PRIMARY KEY,
  "order_id" INTEGER NOT NULL, "position" INTEGER NOT NULL, "product_id" INTEGER NOT NULL,
  "name" VARCHAR(255) NOT NULL, "qty_milli" INTEGER NOT NULL,
  "unit_price_cents" INTEGER NOT NULL, "amount_cents" INTEGER NOT NULL,
  FOREIGN KEY ("order_id") REFERENCES "online_order" ("id"),
  FOREIGN KEY ("product_id") REFERENCES "product" ("id"));
CREATE UNIQUE INDEX "online_order_line_order_position"
  ON "online_order_line" ("order_id", "position");
CREATE TABLE "online_order_event" ("id" INTEGER NOT NULL PRIMARY KEY,
  "order_id" INTEGER NOT NULL, "kind" VARCHAR(12) NOT NULL, "till" VARCHAR(16) NOT NULL,
  "cashier" VARCHAR(255) NOT NULL DEFAULT '', "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("order_id") REFERENCES "online_order" ("id"));
CREATE UNIQUE INDEX "online_order_event_order_kind" ON "online_order_event" ("order_id", "kind");
"""


def _v7_returns_stock(db: Database) -> None:
    _run_script(db, _V7_RETURNS_STOCK)
    orders = ("online_order", "online_order_line", "online_order_event")
    _run_script(db, _append_only_triggers(orders, hint="") + "\n")


def _v9_chain(db: Database) -> None:
    from tui_pos.models.chain_migrations import v9_chain

    v9_chain(db)


def _v10_order_contacts(db: Database) -> None:
    from tui_pos.models.chain_migrations import v10_order_contacts

    v10_order_contacts(db)


# A print job is printed only once the printer confirmed it. "sending" (committed before
# the first byte goes out) means the outcome is unknown until then; ``sent_mark`` is what
# the printer needs to tell afterwards whether that send arrived (a file printer's offset,
# length and digest), ``as_copy`` that an earlier send may have printed the original.
_V11_PRINT_CONFIRMATION = """
ALTER TABLE "print_job" ADD COLUMN "sent_mark" VARCHAR(120) NOT NULL DEFAULT '';
ALTER TABLE "print_job" ADD COLUMN "as_copy" INTEGER NOT NULL DEFAULT 0;
"""


def _v11_print_confirmation(db: Database) -> None:
    _run_script(db, _V11_PRINT_CONFIRMATION)


# The open sale's crash journal becomes an append-only log (a scan appends its line
# instead of rewriting the whole cart); a journaled open sale is carried over as a snapshot.
_V12_OPEN_CART_LOG = """
CREATE TABLE "open_cart_event" ("id" INTEGER NOT NULL PRIMARY KEY,
  "till" VARCHAR(16) NOT NULL, "cart_uuid" VARCHAR(32) NOT NULL,
  "kind" VARCHAR(8) NOT NULL CHECK ("kind" IN ('snapshot', 'line')),
  "json" TEXT NOT NULL, "created_at" DATETIME NOT NULL);
INSERT INTO "open_cart_event" ("till", "cart_uuid", "kind", "json", "created_at")
  SELECT "till", COALESCE(CASE WHEN json_valid("json")
    THEN CAST(json_extract("json", '$.cart.uuid') AS TEXT) END, ''),
  'snapshot', "json", "updated_at" FROM "open_cart";
DROP TABLE "open_cart";
"""


def _v12_open_cart_log(db: Database) -> None:
    _run_script(db, _V12_OPEN_CART_LOG)


# Refund lines are the only negative sale lines: the X/Z refund sum reads this small index
# instead of every line of the period (issue 17).
_V13_REFUND_LINE_INDEX = """
CREATE INDEX "sale_line_refund" ON "sale_line" ("sale_id") WHERE "amount_cents" < 0;
"""


def _v13_refund_line_index(db: Database) -> None:
    _run_script(db, _V13_REFUND_LINE_INDEX)


def _v14_pin_recovery(db: Database) -> None:
    # One row: the hash of the code that makes a new PIN key when the key file is lost.
    db.execute_sql(
        'CREATE TABLE "pin_recovery" ("id" INTEGER NOT NULL PRIMARY KEY CHECK ("id" = 1), '
        '"code_hash" TEXT NOT NULL, "created_at" DATETIME NOT NULL)'
    )


# Loyalty offers and customer mail (issue 16).
# - A personal coupon belongs to one customer; its redemption is a row whose code is
#   UNIQUE, so a coupon is redeemed once whichever till (or process) gets there first;
#   the store server arbitrates with the same key (ON CONFLICT (code) DO NOTHING).
# - A campaign remembers who was mailed and who was held out as the control group.
# - Consent changes are an append-only log (the customer row keeps the current value).
# - Campaigns, their members, coupons, redemptions and consent events are append-only and
#   chained (models/chain_tables.py): they hold customer ids, never contact data.
# - The mail outbox is a queue (its rows change state: queued, sent, failed); the send
#   log is its rows with their attempts. Addresses and bodies are personal data: erasure
#   deletes the customer's unsent mail and blanks the sent mail's address and bodies.
_V15_LOYALTY_MAIL = """
CREATE TABLE "campaign" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(80) NOT NULL,
  "segment" VARCHAR(40) NOT NULL, "template" TEXT NOT NULL, "subject" TEXT NOT NULL,
  "control_percent" INTEGER NOT NULL, "coupon_kind" VARCHAR(8) NOT NULL DEFAULT '',
  "coupon_value" INTEGER NOT NULL DEFAULT 0, "sent_by" VARCHAR(255) NOT NULL,
  "created_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "campaign_name" ON "campaign" ("name");
CREATE TABLE "campaign_member" ("id" INTEGER NOT NULL PRIMARY KEY,
  "campaign_id" INTEGER NOT NULL, "customer_id" INTEGER NOT NULL, "grp" VARCHAR(8) NOT NULL,
  FOREIGN KEY ("campaign_id") REFERENCES "campaign" ("id"),
  FOREIGN KEY ("customer_id") REFERENCES "customer" ("id"));
CREATE UNIQUE INDEX "campaign_member_campaign_customer"
  ON "campaign_member" ("campaign_id", "customer_id");
CREATE TABLE "coupon" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(16) NOT NULL,
  "customer_id" INTEGER NOT NULL, "campaign_id" INTEGER, "kind" VARCHAR(8) NOT NULL,
  "value" INTEGER NOT NULL, "valid_from" DATE NOT NULL, "valid_to" DATE,
  "till" VARCHAR(16) NOT NULL, "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("customer_id") REFERENCES "customer" ("id"),
  FOREIGN KEY ("campaign_id") REFERENCES "campaign" ("id"));
CREATE UNIQUE INDEX "coupon_code" ON "coupon" ("code");
CREATE INDEX "coupon_customer_id" ON "coupon" ("customer_id");
CREATE TABLE "coupon_redemption" ("id" INTEGER NOT NULL PRIMARY KEY,
  "uuid" VARCHAR(32) NOT NULL, "till" VARCHAR(16) NOT NULL, "code" VARCHAR(16) NOT NULL,
  "customer_id" INTEGER NOT NULL, "sale_uuid" VARCHAR(32) NOT NULL,
  "discount_cents" INTEGER NOT NULL, "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("code") REFERENCES "coupon" ("code"));
CREATE UNIQUE INDEX "coupon_redemption_uuid" ON "coupon_redemption" ("uuid");
CREATE UNIQUE INDEX "coupon_redemption_code" ON "coupon_redemption" ("code");
CREATE TABLE "consent_event" ("id" INTEGER NOT NULL PRIMARY KEY,
  "customer_id" INTEGER NOT NULL, "consent" INTEGER NOT NULL, "source" VARCHAR(16) NOT NULL,
  "note" TEXT NOT NULL, "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("customer_id") REFERENCES "customer" ("id"));
CREATE INDEX "consent_event_customer_id" ON "consent_event" ("customer_id", "id");
CREATE TABLE "unsubscribe_token" ("token" VARCHAR(32) NOT NULL PRIMARY KEY,
  "customer_id" INTEGER NOT NULL, "campaign_id" INTEGER, "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("customer_id") REFERENCES "customer" ("id"));
CREATE TABLE "mail_outbox" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL,
  "kind" VARCHAR(10) NOT NULL, "customer_id" INTEGER, "campaign_id" INTEGER,
  "sale_uuid" VARCHAR(32), "recipient" VARCHAR(254) NOT NULL, "subject" TEXT NOT NULL,
  "body_text" TEXT NOT NULL, "body_html" TEXT NOT NULL, "headers_json" TEXT NOT NULL,
  "status" VARCHAR(8) NOT NULL, "attempts" INTEGER NOT NULL DEFAULT 0,
  "next_attempt_at" DATETIME NOT NULL, "last_error" TEXT NOT NULL DEFAULT '',
  "created_at" DATETIME NOT NULL, "sent_at" DATETIME,
  FOREIGN KEY ("customer_id") REFERENCES "customer" ("id"),
  FOREIGN KEY ("campaign_id") REFERENCES "campaign" ("id"));
CREATE UNIQUE INDEX "mail_outbox_uuid" ON "mail_outbox" ("uuid");
CREATE INDEX "mail_outbox_due" ON "mail_outbox" ("status", "next_attempt_at");
CREATE INDEX "mail_outbox_customer_id" ON "mail_outbox" ("customer_id");
"""


def _v15_loyalty_mail(db: Database) -> None:
    _run_script(db, _V15_LOYALTY_MAIL)
    tables = ("campaign", "campaign_member", "coupon", "coupon_redemption", "consent_event")
    _run_script(db, _append_only_triggers(tables) + "\n")


# Loyalty analytics and targeted offers (issue 16).
# - Covering indexes: the analytics read only (customer, time, status, total) of sales and
#   (customer, time, kind, points) of the ledger; without them each report walked the
#   year's rows through the table (bench/loyalty_bench.py: seconds instead of tenths).
#   Each costs one more index entry per sale or ledger row written.
# - A partial index finds the lines a promotion was given on (few among millions).
# - A promotion may be kept for a tier or a saved segment ('' = everybody).
_V16_LOYALTY_OFFERS = """
CREATE INDEX "sale_customer_visit" ON "sale" ("customer_id", "created_at", "status", "total_cents");
CREATE INDEX "sale_time_customer" ON "sale" ("created_at", "customer_id", "status", "total_cents");
CREATE INDEX "loyalty_entry_customer_time"
  ON "loyalty_entry" ("customer_id", "created_at", "points");
CREATE INDEX "loyalty_entry_time"
  ON "loyalty_entry" ("created_at", "kind", "points", "customer_id");
CREATE INDEX "sale_line_promotion" ON "sale_line" ("promotion", "sale_id") WHERE "promotion" <> '';
ALTER TABLE "promotion" ADD COLUMN "tier" VARCHAR(40) NOT NULL DEFAULT '';
ALTER TABLE "promotion" ADD COLUMN "segment" VARCHAR(40) NOT NULL DEFAULT '';
"""


def _v16_loyalty_offers(db: Database) -> None:
    _run_script(db, _V16_LOYALTY_OFFERS)


_V19_SYNC_STATE = """
CREATE TABLE "sync_state" ("id" INTEGER NOT NULL PRIMARY KEY CHECK ("id" = 1),
  "url" TEXT NOT NULL, "store" TEXT NOT NULL, "till" TEXT NOT NULL, "token" TEXT NOT NULL,
  "acked_seq" INTEGER NOT NULL, "acked_hash" TEXT NOT NULL,
  "pull_cursor" TEXT NOT NULL DEFAULT '0:0', "conflict" TEXT, "last_ok_at" TEXT,
  "offline_since" TEXT, "enrolled_at" TEXT NOT NULL);
"""


def _v19_sync_state(db: Database) -> None:
    _run_script(db, _V19_SYNC_STATE)


def _v22_birthday_promotions(db: Database) -> None:
    _run_script(db, 'ALTER TABLE "promotion" ADD COLUMN "birthday" INTEGER NOT NULL DEFAULT 0;\n')


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _v1_initial),
    Migration(2, "print queue and drawer events", _v2_devices),
    Migration(3, "hash-chained journal", _v3_journal),
    Migration(4, "open cart journal", _v4_open_cart),
    Migration(5, "staff, audit log, time clock, cash movements", _v5_staff),
    Migration(6, "customers and loyalty", _v6_customers),
    Migration(7, "returns, stock control, promotions, online orders", _v7_returns_stock),
    Migration(8, "sale index by till and time (reports)", _v8_sale_time_index),
    Migration(9, "keyed hash chain over every document and ledger row", _v9_chain),
    Migration(10, "online order contacts outside the append-only orders", _v10_order_contacts),
    Migration(11, "print jobs: sending state and delivery mark", _v11_print_confirmation),
    Migration(12, "open cart journal as an append-only log", _v12_open_cart_log),
    Migration(13, "index of refund lines (reports)", _v13_refund_line_index),
    Migration(14, "PIN key recovery code", _v14_pin_recovery),
    Migration(
        15, "loyalty offers, coupons, campaigns, consent log, mail outbox", _v15_loyalty_mail
    ),
    Migration(16, "loyalty analytics indexes, targeted promotions", _v16_loyalty_offers),
    Migration(19, "store server: the till's sync state", _v19_sync_state),
    Migration(22, "birthday-month promotions", _v22_birthday_promotions),
)

LATEST_VERSION = MIGRATIONS[-1].version


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
