"""Online orders' contact details, kept outside the append-only orders (migration 10).

An order names its customer by id (``customer_id``, when the import matched one); the
name, e-mail, phone and card the web shop sent live here, where erasing the customer
clears them and ``customer export`` finds them.
"""

from __future__ import annotations

from typing import Any

from peewee import Database

from tui_pos.domain.customer import phone_digits


def insert_contact(
    db: Database,
    order_pk: int,
    customer_id: int | None,
    name: str,
    email: str,
    phone: str,
    card: str,
) -> None:
    """Keep an imported order's contact (call inside the import's transaction)."""
    if customer_id is None and not (name or email or phone or card):
        return
    db.execute_sql(
        "INSERT INTO online_order_contact (order_id, customer_id, name, email, phone,"
        " phone_digits, card) VALUES (?,?,?,?,?,?,?)",
        (order_pk, customer_id, name, email, phone, phone_digits(phone), card),
    )


_THEIRS = (
    "c.customer_id = ? OR (c.card != '' AND c.card = ?)"
    " OR (c.phone_digits != '' AND c.phone_digits = ?) OR (c.email != '' AND lower(c.email) = ?)"
)


def _theirs(db: Database, customer_id: int) -> tuple[Any, ...]:
    """Parameters of ``_THEIRS``: the orders linked to the customer, and those holding its
    card, phone or e-mail (imported before the profile existed)."""
    row = db.execute_sql(
        "SELECT COALESCE(card, ''), phone_digits, lower(email) FROM customer WHERE id = ?",
        (customer_id,),
    ).fetchone()
    card, digits, email = row if row else ("", "", "")
    return (customer_id, card, digits, email)


def erase_contacts(db: Database, customer_id: int) -> None:
    """Clear the contacts of a customer's orders (linked to it, or holding its card, phone
    or e-mail). Call inside the erasure's transaction, before the profile is cleared."""
    db.execute_sql(
        "UPDATE online_order_contact AS c SET customer_id = ?, name = '', email = '',"
        f" phone = '', phone_digits = '', card = '' WHERE {_THEIRS}",
        (customer_id, *_theirs(db, customer_id)),
    )


def orders_of(db: Database, customer_id: int) -> list[dict[str, Any]]:
    """The online orders held for a customer, with their contact, lines and hand-over."""
    orders = db.execute_sql(
        "SELECT o.id, o.order_id, o.created_at, o.collection, o.total_cents, c.name, c.email,"
        " c.phone, c.card, (SELECT e.created_at FROM online_order_event e"
        " WHERE e.order_id = o.id AND e.kind = 'collected')"
        " FROM online_order o JOIN online_order_contact c ON c.order_id = o.id"
        f" WHERE {_THEIRS} ORDER BY o.created_at, o.id",
        _theirs(db, customer_id),
    ).fetchall()
    found = []
    for pk, order_id, created, collection, total, name, email, phone, card, collected in orders:
        lines = db.execute_sql(
            "SELECT name, qty_milli, unit_price_cents, amount_cents FROM online_order_line"
            " WHERE order_id = ? ORDER BY position",
            (pk,),
        ).fetchall()
        found.append(
            {
                "order_id": order_id,
                "created_at": str(created),
                "collection": bool(collection),
                "collected_at": str(collected) if collected else None,
                "total_cents": total,
                "contact": {"name": name, "email": email, "phone": phone, "card": card},
                "lines": [
                    {"name": n, "qty_milli": q, "unit_price_cents": p, "amount_cents": a}
                    for n, q, p, a in lines
                ],
            }
        )
    return found
