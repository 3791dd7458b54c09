"""Migrations 11 to 16 (frozen: never edit one, add a new step; 9 and 10 are in
``chain``): print confirmation, the open cart log, the refund index,
PIN key recovery, loyalty mail and offers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_pos.models.migrations.script import append_only_triggers, run_script

if TYPE_CHECKING:
    from peewee import Database

# A print job is printed only once the printer confirmed it. "sending" (committed before
# the first byte goes out) means the outcome is unknown until then; ``sent_mark`` is what
# the printer needs to tell afterwards whether that send arrived (a file printer's offset,
# length and digest), ``as_copy`` that an earlier send may have printed the original.
_V11_PRINT_CONFIRMATION = """
ALTER TABLE "print_job" ADD COLUMN "sent_mark" VARCHAR(120) NOT NULL DEFAULT '';
ALTER TABLE "print_job" ADD COLUMN "as_copy" INTEGER NOT NULL DEFAULT 0;
"""


def v11_print_confirmation(db: Database) -> None:
    run_script(db, _V11_PRINT_CONFIRMATION)


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


def v12_open_cart_log(db: Database) -> None:
    run_script(db, _V12_OPEN_CART_LOG)


# Refund lines are the only negative sale lines: the X/Z refund sum reads this small index
# instead of every line of the period (issue 17).
_V13_REFUND_LINE_INDEX = """
CREATE INDEX "sale_line_refund" ON "sale_line" ("sale_id") WHERE "amount_cents" < 0;
"""


def v13_refund_line_index(db: Database) -> None:
    run_script(db, _V13_REFUND_LINE_INDEX)


def v14_pin_recovery(db: Database) -> None:
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


def v15_loyalty_mail(db: Database) -> None:
    run_script(db, _V15_LOYALTY_MAIL)
    tables = ("campaign", "campaign_member", "coupon", "coupon_redemption", "consent_event")
    run_script(db, append_only_triggers(tables) + "\n")


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


def v16_loyalty_offers(db: Database) -> None:
    run_script(db, _V16_LOYALTY_OFFERS)
