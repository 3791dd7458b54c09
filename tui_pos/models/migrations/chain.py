"""Migrations 9 and 10 (frozen): the keyed chain, and online orders' contacts moved out
of the append-only order rows so that erasing a customer reaches them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_pos.models.migrations.script import append_only_triggers, run_script

if TYPE_CHECKING:
    from peewee import Database

_V9_CHAIN = """
CREATE TABLE "chain" ("seq" INTEGER NOT NULL PRIMARY KEY, "till" VARCHAR(16) NOT NULL,
  "marks" TEXT NOT NULL, "rows" INTEGER NOT NULL, "digest" CHAR(64) NOT NULL,
  "amount_cents" INTEGER NOT NULL, "grand_total_cents" INTEGER NOT NULL,
  "prev_mac" CHAR(64) NOT NULL, "mac" CHAR(64) NOT NULL);
"""


def v9_chain(db: Database) -> None:
    """The chain table (append-only), and every row stored so far chained once."""
    from tui_pos.models.chain_store import seal

    run_script(db, _V9_CHAIN)
    run_script(db, append_only_triggers(("chain",), hint="") + "\n")
    seal(db, "")  # one entry covering everything stored before (none on a new database)


_V10_CONTACTS = """
CREATE TABLE "online_order_contact" ("order_id" INTEGER NOT NULL PRIMARY KEY,
  "customer_id" INTEGER, "name" VARCHAR(120) NOT NULL DEFAULT '',
  "email" VARCHAR(254) NOT NULL DEFAULT '', "phone" VARCHAR(40) NOT NULL DEFAULT '',
  "phone_digits" VARCHAR(20) NOT NULL DEFAULT '', "card" VARCHAR(48) NOT NULL DEFAULT '',
  FOREIGN KEY ("order_id") REFERENCES "online_order" ("id"),
  FOREIGN KEY ("customer_id") REFERENCES "customer" ("id"));
CREATE INDEX "online_order_contact_customer_id" ON "online_order_contact" ("customer_id");
"""

_PERSONAL = ("customer_name", "customer_email", "customer_phone", "customer_card")


def v10_order_contacts(db: Database) -> None:
    """Move each online order's contact into ``online_order_contact``, linked to the
    customer it earned points for (else the one its card, phone or e-mail names); clear
    those of erased customers; drop the contact columns from ``online_order``."""
    from tui_pos.domain.customer import phone_digits  # (every open imports the migrations)

    run_script(db, _V10_CONTACTS)
    orders = db.execute_sql(
        "SELECT id, order_id, customer_name, customer_email, customer_phone, customer_card"
        " FROM online_order ORDER BY id"
    ).fetchall()
    earned = {
        str(note).removeprefix("online order "): int(customer)
        for note, customer in db.execute_sql(
            "SELECT note, customer_id FROM loyalty_entry WHERE note LIKE 'online order %'"
        ).fetchall()
    }
    customers = db.execute_sql(
        "SELECT id, card, phone_digits, lower(email), erased_at IS NOT NULL FROM customer"
    ).fetchall()
    erased = {int(c[0]) for c in customers if c[4]}
    by_card = {c[1]: int(c[0]) for c in customers if c[1] and not c[4]}
    by_phone = {c[2]: int(c[0]) for c in customers if c[2] and not c[4]}
    by_email = {c[3]: int(c[0]) for c in customers if c[3] and not c[4]}
    for pk, order_id, name, email, phone, card in orders:
        digits = phone_digits(phone)
        customer = (
            earned.get(order_id)
            or by_card.get(card.strip())
            or by_phone.get(digits)
            or by_email.get(email.strip().lower())
        )
        if customer in erased:
            name = email = phone = digits = card = ""
        if customer is None and not (name or email or phone or card):
            continue
        db.execute_sql(
            "INSERT INTO online_order_contact (order_id, customer_id, name, email, phone,"
            " phone_digits, card) VALUES (?,?,?,?,?,?,?)",
            (pk, customer, name, email, phone, digits, card),
        )
    for column in _PERSONAL:
        db.execute_sql(f'ALTER TABLE "online_order" DROP COLUMN "{column}"')
