"""Customer profiles on SQLite: create, find, update, erase, import, segments.

Prepared SQL like the sale commit: the tables are small and the queries few.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from peewee import Database

from tui_pos.domain.customer import (
    Customer,
    CustomerDetails,
    CustomerError,
    phone_digits,
)
from tui_pos.domain.segments import SegmentRule
from tui_pos.models.customer_aliases import customer_by_card
from tui_pos.models.customer_stamps import clear_profile, log_consent, stamp_edit
from tui_pos.models.errors import storage_errors
from tui_pos.models.order_contacts import orders_of
from tui_pos.models.times import stamp
from tui_pos.models.unit_of_work import writing

_COLUMNS = (
    "id, uuid, card, name, phone, email, birthday, notes, preferences, marketing_consent,"
    " created_at, erased_at"
)


def _customer(row: Sequence[Any]) -> Customer:
    (cid, uuid, card, name, phone, email, birthday, notes, prefs, consent, created, erased) = row
    created_at = datetime.fromisoformat(str(created))
    return Customer(
        id=int(cid),
        uuid=str(uuid),
        details=CustomerDetails(
            name=str(name),
            phone=str(phone),
            email=str(email),
            birthday=date.fromisoformat(birthday) if birthday else None,
            notes=str(notes),
            preferences=str(prefs),
            marketing_consent=bool(consent),
            card=card,
        ),
        created_at=created_at.replace(tzinfo=created_at.tzinfo or UTC),
        erased=erased is not None,
    )


#: The profile fields shared across tills (marketing consent travels as its log).
_SHARED = ("name", "phone", "email", "birthday", "notes", "preferences", "card")


class _DryRun(Exception):
    pass


class SqliteCustomerStore:
    """Implements :class:`tui_pos.services.ports.CustomerStore`."""

    def __init__(self, db: Database, till: str = "local") -> None:
        self.db = db
        self.till = till  #: whose chain entries seal the consent log rows it writes

    def _one(self, where: str, args: Sequence[Any]) -> Customer | None:
        row = self.db.execute_sql(f"SELECT {_COLUMNS} FROM customer WHERE {where}", args).fetchone()
        return _customer(row) if row else None

    def get(self, customer_id: int) -> Customer | None:
        """A profile by id."""
        with storage_errors():
            return self._one("id = ?", (customer_id,))

    def by_card(self, card: str) -> Customer | None:
        """The profile with this loyalty card (a card of a profile joined into another
        names the survivor: :func:`customer_by_card`)."""
        with storage_errors():
            found = customer_by_card(self.db, card)
            return self._one("id = ?", (found,)) if found is not None else None

    def search(self, text: str, limit: int) -> list[Customer]:
        """By card (exact), e-mail (exact, any case), phone digits (contained) or name words
        (each a prefix of a word); a profile the server joined into another is not found
        (its survivor is)."""
        cleaned = text.strip()
        if not cleaned:
            return []
        digits = phone_digits(cleaned)
        clauses, args = [], []
        if "@" in cleaned:
            clauses.append("card = ? OR lower(email) = lower(?)")
            args += [cleaned, cleaned]
        elif digits and len(digits) >= 3 and len(digits) == len(cleaned.replace(" ", "")):
            clauses.append("card = ? OR phone_digits LIKE ?")
            args += [cleaned, f"%{digits}%"]
        else:
            words = [w.replace("%", "").replace("_", "") for w in cleaned.split()]
            name_clause = " AND ".join("(' ' || name) LIKE ?" for w in words if w)
            clauses.append(f"card = ? OR ({name_clause or '0'})")
            args += [cleaned] + [f"% {w}%" for w in words if w]
        joined = "uuid NOT IN (SELECT uuid FROM customer_alias)"  # joined into another
        where = f"erased_at IS NULL AND {joined} AND ({clauses[0]})"
        with storage_errors():
            rows = self.db.execute_sql(
                f"SELECT {_COLUMNS} FROM customer WHERE {where} ORDER BY name COLLATE NOCASE"
                " LIMIT ?",
                (*args, limit),
            ).fetchall()
        return [_customer(r) for r in rows]

    def create(self, details: CustomerDetails, now: datetime) -> Customer:
        """A new profile (CustomerError if its card is someone else's)."""
        with writing(self.db, self.till):
            new_id = self._insert(details, now)
            created = self._one("id = ?", (new_id,))
        assert created is not None
        return created

    def update(self, customer_id: int, details: CustomerDetails, now: datetime) -> Customer:
        """Replace the editable fields of a profile."""
        with writing(self.db, self.till):
            self._check_card(details.card, customer_id)
            self._update(customer_id, details, now)
            updated = self._one("id = ?", (customer_id,))
        if updated is None:
            raise CustomerError("That customer does not exist")
        return updated

    def erase(self, customer_id: int, note: str, now: datetime) -> None:
        """Clear the personal data of a profile and record that it was done."""
        with writing(self.db, self.till):
            clear_profile(self.db, customer_id, now)
            self._event(customer_id, "erased", note, now)
            stamp_edit(self.db, customer_id, ["erased"])

    def online_orders(self, customer_id: int) -> list[dict[str, Any]]:
        """The online orders held for the customer, with their contact details."""
        with storage_errors():
            return orders_of(self.db, customer_id)

    def record_event(self, customer_id: int, kind: str, note: str, now: datetime) -> None:
        """Note that something was done with a profile (an export, an erasure)."""
        with writing(self.db, self.till):
            self._event(customer_id, kind, note, now)

    def events(self, customer_id: int) -> list[tuple[str, str, str]]:
        """(time, kind, note) of what was done with a profile, oldest first."""
        with storage_errors():
            rows = self.db.execute_sql(
                "SELECT created_at, kind, note FROM customer_event WHERE customer_id = ?"
                " ORDER BY id",
                (customer_id,),
            ).fetchall()
        return [(str(a), str(b), str(c)) for a, b, c in rows]

    def all_customers(self) -> list[Customer]:
        """Every profile (erased ones too), by id."""
        with storage_errors():
            rows = self.db.execute_sql(f"SELECT {_COLUMNS} FROM customer ORDER BY id").fetchall()
        return [_customer(r) for r in rows]

    def import_customers(
        self, records: Sequence[tuple[int, CustomerDetails]], now: datetime, dry_run: bool
    ) -> tuple[int, int]:
        """Create or update (matched by card, else by phone) in one transaction.

        Returns (created, updated); a dry run rolls everything back.
        """
        created = updated = 0
        try:
            with writing(self.db, self.till):
                for line, details in records:
                    existing = self._match(details)
                    try:
                        if existing is None:
                            self._insert(details, now)
                            created += 1
                        else:
                            self._update(existing, details, now)
                            updated += 1
                    except CustomerError as exc:
                        raise CustomerError(f"line {line}: {exc}; nothing imported") from exc
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        return created, updated

    def segments(self) -> list[tuple[str, SegmentRule]]:
        """Saved segments by name."""
        with storage_errors():
            rows = self.db.execute_sql(
                "SELECT name, rule_json FROM customer_segment ORDER BY name"
            ).fetchall()
        return [(str(name), SegmentRule.from_dict(json.loads(rule))) for name, rule in rows]

    def save_segment(self, name: str, rule: SegmentRule, now: datetime) -> None:
        """Save (or replace) a segment."""
        with writing(self.db, self.till):
            self.db.execute_sql(
                "INSERT INTO customer_segment (name, rule_json, created_at) VALUES (?,?,?)"
                " ON CONFLICT(name) DO UPDATE SET rule_json = excluded.rule_json",
                (name, json.dumps(rule.to_dict(), sort_keys=True), stamp(now)),
            )

    # -- internals ------------------------------------------------------------------------
    def _match(self, details: CustomerDetails) -> int | None:
        if details.card:
            row = self.db.execute_sql(
                "SELECT id FROM customer WHERE card = ?", (details.card,)
            ).fetchone()
            if row:
                return int(row[0])
        digits = phone_digits(details.phone)
        if digits:
            row = self.db.execute_sql(
                "SELECT id FROM customer WHERE phone_digits = ? AND erased_at IS NULL"
                " ORDER BY id LIMIT 1",
                (digits,),
            ).fetchone()
            if row:
                return int(row[0])
        return None

    def _check_card(self, card: str | None, customer_id: int | None) -> None:
        if not card:
            return
        row = self.db.execute_sql(
            "SELECT id, name FROM customer WHERE card = ?", (card,)
        ).fetchone()
        if row and row[0] != customer_id:
            raise CustomerError(f"Card {card} belongs to {row[1]}")

    def _insert(self, d: CustomerDetails, now: datetime) -> int:
        self._check_card(d.card, None)
        cursor = self.db.execute_sql(
            "INSERT INTO customer (uuid, card, name, phone, phone_digits, email, birthday, notes,"
            " preferences, marketing_consent, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                uuidlib.uuid4().hex,
                d.card,
                d.name,
                d.phone,
                phone_digits(d.phone),
                d.email,
                d.birthday.isoformat() if d.birthday else None,
                d.notes,
                d.preferences,
                0,
                stamp(now),
                stamp(now),
            ),
        )
        customer_id = int(cursor.lastrowid)
        stamp_edit(self.db, customer_id, _SHARED)
        if d.marketing_consent:
            log_consent(self.db, customer_id, True, "profile", "given with the profile", now)
        return customer_id

    def _update(self, customer_id: int, d: CustomerDetails, now: datetime) -> None:
        self._check_card(d.card, customer_id)
        before = self._one("id = ? AND erased_at IS NULL", (customer_id,))
        if before is None:
            return
        old = before.details
        changed = [f for f in _SHARED if getattr(old, f) != getattr(d, f)]
        self.db.execute_sql(
            "UPDATE customer SET card = ?, name = ?, phone = ?, phone_digits = ?, email = ?,"
            " birthday = ?, notes = ?, preferences = ?, updated_at = ?"
            " WHERE id = ? AND erased_at IS NULL",
            (
                d.card,
                d.name,
                d.phone,
                phone_digits(d.phone),
                d.email,
                d.birthday.isoformat() if d.birthday else None,
                d.notes,
                d.preferences,
                stamp(now),
                customer_id,
            ),
        )
        stamp_edit(self.db, customer_id, changed)
        if old.marketing_consent != d.marketing_consent:
            note = "given in the profile" if d.marketing_consent else "withdrawn in the profile"
            log_consent(self.db, customer_id, d.marketing_consent, "profile", note, now)

    def _event(self, customer_id: int, kind: str, note: str, now: datetime) -> None:
        self.db.execute_sql(
            "INSERT INTO customer_event (customer_id, kind, created_at, note) VALUES (?,?,?,?)",
            (customer_id, kind, stamp(now), note),
        )
