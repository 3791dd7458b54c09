"""Customers shared across tills, at the till: field stamps, the customer outbox, the
consent log's stamps, and applying a merged document (docs/DESIGN.md, "One customer
across tills").

Every function runs inside the caller's transaction. A local edit stamps the fields it
changed with this till's hybrid logical clock and queues the customer; a document from
the store server is merged field by field (:func:`tui_pos.domain.customer_merge.merge`)
into the local row, so applying it twice, or an older one after it, changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from peewee import Database

from tui_pos.domain.customer import ERASED_NAME, phone_digits
from tui_pos.domain.customer_merge import (
    FIELDS,
    ConsentEntry,
    CustomerDocument,
    current_consent,
    merge,
    newest_stamp,
)
from tui_pos.domain.hlc import EARLIEST_MS, Stamp, parse_stamp, receive
from tui_pos.models.customer_aliases import resolve
from tui_pos.models.mail_store import forget_customer_mail
from tui_pos.models.order_contacts import erase_contacts
from tui_pos.models.times import stamp

_ROW = (
    "uuid, name, phone, email, birthday, notes, preferences, card, erased_at,"
    " marketing_consent, created_at"
)


def node_of(db: Database) -> str:
    """This till's clock node: ``STORE/TILL`` once enrolled, else ``local``."""
    row = db.execute_sql("SELECT store, till FROM sync_state WHERE id = 1").fetchone()
    return f"{row[0]}/{row[1]}" if row else "local"


def next_stamp(db: Database, seen: str | None = None) -> str:
    """This till's next stamp, after its last one and after ``seen`` (from elsewhere)."""
    row = db.execute_sql("SELECT last FROM hlc_clock WHERE id = 1").fetchone()
    last = parse_stamp(row[0]) if row else None
    other: Stamp | None = parse_stamp(seen) if seen else None
    new = receive(last, other, time.time_ns() // 1_000_000, node_of(db))
    db.execute_sql(
        "INSERT INTO hlc_clock (id, last) VALUES (1, ?)"
        " ON CONFLICT(id) DO UPDATE SET last = excluded.last",
        (new.text,),
    )
    return new.text


def _queue(db: Database, customer_id: int, at: str) -> None:
    db.execute_sql(
        "INSERT INTO customer_outbox (customer_id, at) VALUES (?, ?)"
        " ON CONFLICT(customer_id) DO UPDATE SET at = excluded.at",
        (customer_id, at),
    )


def _set_stamps(db: Database, customer_id: int, fields: Iterable[str], at: str) -> None:
    db.cursor().executemany(
        "INSERT INTO customer_stamp (customer_id, field, at) VALUES (?,?,?)"
        " ON CONFLICT(customer_id, field) DO UPDATE SET at = excluded.at",
        [(customer_id, f, at) for f in fields],
    )


def stamp_edit(db: Database, customer_id: int, fields: Iterable[str]) -> None:
    """A local edit of ``fields`` (``erased`` for an erasure): stamp them, queue the
    customer for the store server."""
    names = list(fields)
    if not names:
        return
    at = next_stamp(db)
    _set_stamps(db, customer_id, names, at)
    _queue(db, customer_id, at)


def log_consent(
    db: Database,
    customer_id: int,
    consent: bool,
    source: str,
    note: str,
    now: datetime,
    at: str | None = None,
) -> None:
    """Append to the consent log (stamped now, or ``at`` for an entry from another till)
    and derive the customer's current consent from it."""
    event = db.execute_sql(
        "INSERT INTO consent_event (customer_id, consent, source, note, created_at)"
        " VALUES (?,?,?,?,?)",
        (customer_id, int(consent), source, note[:200], stamp(now)),
    ).lastrowid
    if at is None:
        at = next_stamp(db)
        _queue(db, customer_id, at)
    db.execute_sql(
        "INSERT INTO consent_stamp (event_id, customer_id, at) VALUES (?,?,?)",
        (event, customer_id, at),
    )
    refresh_consent(db, customer_id)


def refresh_consent(db: Database, customer_id: int) -> None:
    """Set the profile's consent the one way it is derived: from the log
    (:func:`tui_pos.domain.customer_merge.current_consent`)."""
    doc = document_of(db, customer_id)
    if doc is not None and doc.consent:
        db.execute_sql(
            "UPDATE customer SET marketing_consent = ? WHERE id = ?",
            (int(current_consent(doc)), customer_id),
        )


def _value(field: str, raw: object) -> object:
    return str(raw) if raw is not None and field not in ("card", "birthday") else raw


def document_of(db: Database, customer_id: int) -> CustomerDocument | None:
    """The shared document of a local customer (None: no such customer)."""
    row = db.execute_sql(f"SELECT {_ROW} FROM customer WHERE id = ?", (customer_id,)).fetchone()
    if row is None:
        return None
    stamps = dict(
        db.execute_sql(
            "SELECT field, at FROM customer_stamp WHERE customer_id = ?", (customer_id,)
        ).fetchall()
    )
    erased = stamps.get("erased") if row[8] is not None else None
    values = dict(zip(FIELDS, row[1:8], strict=True))
    fields = (
        {}
        if erased is not None or row[8] is not None
        else {f: (_value(f, values[f]), stamps[f]) for f in FIELDS if f in stamps}
    )
    consent = tuple(
        ConsentEntry(str(at), bool(c), str(src), str(note))
        for at, c, src, note in db.execute_sql(
            "SELECT s.at, e.consent, e.source, e.note FROM consent_stamp s"
            " JOIN consent_event e ON e.id = s.event_id WHERE s.customer_id = ? ORDER BY s.at",
            (customer_id,),
        )
    )
    if not consent and row[9] and erased is None:  # held before the log was kept
        created = datetime.fromisoformat(str(row[10])).replace(tzinfo=UTC)
        ms = max(EARLIEST_MS, int(created.timestamp() * 1000))
        at = f"{ms:013d}.00000.local-c{customer_id}"
        consent = (ConsentEntry(at, True, "profile", "held before the log was shared"),)
    return CustomerDocument(str(row[0]), fields, erased, consent)


def pending(db: Database, limit: int) -> list[tuple[int, str]]:
    """(customer id, queued stamp) of customers waiting for the store server."""
    rows = db.execute_sql(
        "SELECT customer_id, at FROM customer_outbox ORDER BY at LIMIT ?", (limit,)
    ).fetchall()
    return [(int(c), str(a)) for c, a in rows]


def acknowledged(db: Database, customer_id: int, at: str) -> None:
    """The server holds the customer as queued at ``at`` (a later edit stays queued)."""
    db.execute_sql(
        "DELETE FROM customer_outbox WHERE customer_id = ? AND at = ?", (customer_id, at)
    )


def _card_holder(db: Database, card: object, customer_id: int | None) -> bool:
    if not card:
        return False
    row = db.execute_sql("SELECT id FROM customer WHERE card = ?", (card,)).fetchone()
    return row is not None and row[0] != customer_id


def _write_fields(
    db: Database, customer_id: int, doc: CustomerDocument, names: Iterable[str]
) -> None:
    for name in names:
        value, at = doc.fields[name]
        if name == "card" and _card_holder(db, value, customer_id):
            continue  # another local customer holds the card: this one keeps its own
        db.execute_sql(f"UPDATE customer SET {name} = ? WHERE id = ?", (value, customer_id))
        if name == "card" and value:  # web orders pulled before the customer was known
            db.execute_sql(
                "UPDATE online_order_contact SET customer_id = ? WHERE customer_id IS NULL"
                " AND card = ?",
                (customer_id, value),
            )
        if name == "phone":
            db.execute_sql(
                "UPDATE customer SET phone_digits = ? WHERE id = ?",
                (phone_digits(str(value)), customer_id),
            )
        _set_stamps(db, customer_id, [name], at)


def clear_profile(db: Database, customer_id: int, now: datetime) -> None:
    """Erase a profile's personal data (here and in its web orders and mail); the id, the
    sales and the ledger stay. The one erasure of the till, local or from elsewhere."""
    erase_contacts(db, customer_id)  # the web shop's copy of the details too
    db.execute_sql(
        "UPDATE customer SET card = NULL, name = ?, phone = '', phone_digits = '', email = '',"
        " birthday = NULL, notes = '', preferences = '', marketing_consent = 0,"
        " updated_at = ?, erased_at = ? WHERE id = ?",
        (ERASED_NAME, stamp(now), stamp(now), customer_id),
    )
    forget_customer_mail(db, customer_id)
    db.execute_sql("DELETE FROM customer_stamp WHERE customer_id = ?", (customer_id,))


def _erase(db: Database, customer_id: int, at: str, now: datetime) -> None:
    clear_profile(db, customer_id, now)
    _set_stamps(db, customer_id, ["erased"], at)
    db.execute_sql(
        "INSERT INTO customer_event (customer_id, kind, created_at, note) VALUES (?,?,?,?)",
        (customer_id, "erased", stamp(now), f"erased at {at.split('.', 2)[2]} (store server)"),
    )


def _new_customer(db: Database, doc: CustomerDocument, now: datetime) -> int:
    name = doc.fields.get("name", (ERASED_NAME, ""))[0]
    return int(
        db.execute_sql(
            "INSERT INTO customer (uuid, card, name, phone, phone_digits, email, birthday, notes,"
            " preferences, marketing_consent, created_at, updated_at)"
            " VALUES (?, NULL, ?, '', '', '', NULL, '', '', 0, ?, ?)",
            (doc.uuid, name, stamp(now), stamp(now)),
        ).lastrowid
    )


def apply_document(db: Database, incoming: CustomerDocument) -> int:
    """Merge a document from the store server into this till (1 if anything changed).
    Call inside the caller's unit of work (``writing``), which seals the consent entries
    it appends."""
    now = datetime.now(UTC)
    survivor = resolve(db, incoming.uuid)  # a profile joined into another lands there
    if survivor != incoming.uuid:
        incoming = replace(incoming, uuid=survivor)
    seen = newest_stamp(incoming)
    if seen:
        next_stamp(db, seen)  # this clock moves past every stamp it has seen
    row = db.execute_sql("SELECT id FROM customer WHERE uuid = ?", (incoming.uuid,)).fetchone()
    customer_id = int(row[0]) if row else _new_customer(db, incoming, now)
    local = document_of(db, customer_id)
    assert local is not None
    merged = merge(local, incoming)
    if merged == local and row is not None:
        return 0
    if merged.erased is not None:
        if local.erased is None:
            _erase(db, customer_id, merged.erased, now)
        elif merged.erased != local.erased:  # erased here too, earlier elsewhere
            _set_stamps(db, customer_id, ["erased"], merged.erased)
    else:
        changed = [f for f in merged.fields if merged.fields[f] != local.fields.get(f)]
        _write_fields(db, customer_id, merged, changed)
        if changed:
            db.execute_sql(
                "UPDATE customer SET updated_at = ? WHERE id = ?", (stamp(now), customer_id)
            )
    known = {e.at for e in local.consent}
    added = [e for e in merged.consent if e.at not in known]
    for entry in added:
        log_consent(db, customer_id, entry.consent, entry.source, entry.note, now, entry.at)
    return 1
