"""Staff changes made at a till that shares the organisation's staff go to the server.

On a till enrolled with a store server that handed over the organisation's PIN key
(``models/org_pin_key.py``), ``staff add``, ``set-pin`` and ``change`` are checked here
as the staff service checks them, signed at the till (PIN), and sent to ``POST
/v1/catalog`` as topic ``staff`` keyed by employee number: a new employee as a whole
record, a change as the fields it changes (the server merges them into the record it
holds). The PIN is hashed here under the organisation's key: the server never sees a
PIN. Every till, this one too, applies the record from the feed. Lock-outs stay per
till (``staff unlock`` is local). Unreachable or refusing server: nothing changes.
"""

from __future__ import annotations

from typing import Any

from peewee import Database

from tui_pos.domain.pin import ScryptCost, check_pin_shape, hash_pin
from tui_pos.domain.staff import Employee, Role, StaffError, check_employee_code
from tui_pos.models.org_pin_key import uses_org_key
from tui_pos.sync.managed import pulled, send


def shared(db: Database) -> bool:
    """True when this till's staff are the store server's."""
    return uses_org_key(db)


def add(
    db: Database,
    number: str,
    name: str,
    role: Role,
    pin_hash: str,
    badge: str | None,
    by: Employee | None,
) -> str:
    """Send a new employee (``pin_hash`` made by :func:`pin_hash_for`); what happened."""
    code = check_employee_code(number)
    name = " ".join(name.split())
    if not name or len(name) > 60:
        raise StaffError("A name is 1 to 60 characters")
    if db.execute_sql("SELECT 1 FROM employee WHERE code = ?", (code,)).fetchone():
        raise StaffError(f"Employee number {code} is taken")
    body = {"name": name, "role": role.value, "active": True, "pin_hash": pin_hash}
    return _send(db, code, body | {"badge": (badge or "").strip() or None}, by)


def change(db: Database, number: str, fields: dict[str, Any], by: Employee | None) -> str:
    """Send changed fields of an existing employee; what happened."""
    code = check_employee_code(number)
    if db.execute_sql("SELECT 1 FROM employee WHERE code = ?", (code,)).fetchone() is None:
        raise StaffError(f"No employee number {code}")
    return _send(db, code, fields, by)


def pin_hash_for(pin: str, pepper: bytes, cost: ScryptCost) -> str:
    """The PIN's hash under this till's key (the organisation's)."""
    return hash_pin(check_pin_shape(pin), pepper, cost)


def _send(db: Database, code: str, body: dict[str, Any], by: Employee | None) -> str:
    send(db, "staff", [{"key": code, "body": body}], by)
    here = pulled(db, "SELECT 1 FROM employee WHERE code = ?", code)
    later = "" if here else "; this till applies it when it syncs"
    return f"employee {code}: sent to the store server, every till applies it{later}"
