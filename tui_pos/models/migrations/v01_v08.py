"""Migrations 1 to 8 (frozen: never edit one, add a new step).

The till's first schema, devices, the journal, the open cart, staff, customers and
loyalty, returns/stock/promotions/online orders, the report index."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tui_pos.models.migrations.script import append_only_triggers, run_script

if TYPE_CHECKING:
    from peewee import Database

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


def v1_initial(db: Database) -> None:
    run_script(db, _V1_TABLES)
    run_script(db, _V1_SEARCH)
    run_script(db, append_only_triggers() + "\n")


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


def v2_devices(db: Database) -> None:
    run_script(db, _V2_DEVICES)
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


def v3_journal(db: Database) -> None:
    run_script(db, _V3_JOURNAL)
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


def v4_open_cart(db: Database) -> None:
    run_script(db, _V4_OPEN_CART)


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


def v5_staff(db: Database) -> None:
    run_script(db, _V5_STAFF)
    run_script(db, append_only_triggers(("audit_event", "time_clock", "cash_movement")) + "\n")


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


def v6_customers(db: Database) -> None:
    run_script(db, _V6_CUSTOMERS)
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


def v8_sale_time_index(db: Database) -> None:
    run_script(db, _V8_SALE_TIME_INDEX)


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


def v7_returns_stock(db: Database) -> None:
    run_script(db, _V7_RETURNS_STOCK)
    orders = ("online_order", "online_order_line", "online_order_event")
    run_script(db, append_only_triggers(orders, hint="") + "\n")
