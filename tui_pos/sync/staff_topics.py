"""Staff managed at the store server, applied at this till: topic ``staff``.

A change carries the whole latest record of one employee number (``{name, role, active,
pin_hash, badge}``; the PIN hash is made under the organisation's PIN key, which every
enrolled till holds as its ``pin.key``), so applying it is an upsert by number and
applying it twice changes nothing. A new PIN hash lifts this till's lock-out of that
employee (as ``staff set-pin`` does); a deactivated employee is refused here from the
moment the change is applied. A badge another local employee holds moves to this one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from peewee import Database

from tui_pos.domain.staff import Role
from tui_pos.models.times import to_utc_naive
from tui_pos.sync.topics import Change, topic

_ROLES = {r.value for r in Role}


@topic("staff")
def apply_staff(db: Database, change: Change) -> int:
    body, code = change.get("body"), change.get("key")
    if not isinstance(body, dict) or not isinstance(code, str) or not code.isdigit():
        return 0
    name, role, pin_hash = body.get("name"), body.get("role"), body.get("pin_hash")
    badge = body.get("badge") or None
    if not isinstance(name, str) or role not in _ROLES or not isinstance(pin_hash, str):
        return 0
    active = int(bool(body.get("active", True)))
    if badge is not None:
        db.execute_sql(
            "UPDATE employee SET badge = NULL WHERE badge = ? AND code <> ?", (badge, code)
        )
    row = db.execute_sql("SELECT pin_hash FROM employee WHERE code = ?", (code,)).fetchone()
    if row is None:
        db.execute_sql(
            "INSERT INTO employee (code, name, role, pin_hash, badge, active, failed_attempts, "
            "locked_until, created_at) VALUES (?,?,?,?,?,?,0,NULL,?)",
            (code, name, role, pin_hash, badge, active, _now_text()),
        )
        return 1
    db.execute_sql(
        "UPDATE employee SET name = ?, role = ?, pin_hash = ?, badge = ?, active = ? "
        "WHERE code = ?",
        (name, role, pin_hash, badge, active, code),
    )
    if row[0] != pin_hash:  # a new PIN: this till's count of wrong ones starts again
        db.execute_sql(
            "UPDATE employee SET failed_attempts = 0, locked_until = NULL WHERE code = ?", (code,)
        )
    return 1


def _now_text() -> str:
    return to_utc_naive(datetime.now(UTC)).isoformat(sep=" ")
