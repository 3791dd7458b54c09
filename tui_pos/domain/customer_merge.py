"""One customer across tills: the shared document, its per-field merge and its wire form.

A document holds each profile field with the hybrid-logical-clock stamp of its last
edit (:mod:`tui_pos.domain.hlc`), the erasure stamp (a tombstone) and the consent log.
:func:`merge` is a join: commutative, associative and idempotent, so every till and the
server reach the same record whatever order the edits arrive in:

- a field takes the value with the later stamp (same stamp: the larger value's JSON);
- an erasure wins over every edit, earlier or later: an erased document holds no
  profile field at all, and its stamp is the earliest erasure seen;
- the consent log is the union of its entries by stamp; the current consent is the
  consent of the entry with the latest stamp (:func:`current_consent`), nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from tui_pos.domain.card_numbers import looks_like_card_number
from tui_pos.domain.customer import check_card, is_email_address
from tui_pos.domain.errors import DomainError
from tui_pos.domain.hlc import StampError, parse_stamp

_UUID = re.compile(r"[0-9a-f]{32}")
MAX_CONSENT = 500  #: consent entries per document on the wire
CONSENT_SOURCES = frozenset({"profile", "import", "unsubscribe", "sync"})


class CustomerDocError(DomainError):
    """A customer document that is not valid; the message names the field."""


@dataclass(frozen=True, order=True)
class ConsentEntry:
    at: str  #: the stamp
    consent: bool
    source: str
    note: str


@dataclass(frozen=True)
class CustomerDocument:
    uuid: str
    #: field -> (value, stamp); empty once erased
    fields: Mapping[str, tuple[Any, str]]
    erased: str | None
    consent: tuple[ConsentEntry, ...]  #: sorted by stamp


def _name(value: object) -> object:
    if not isinstance(value, str) or not 1 <= len(value) <= 80 or not value.isprintable():
        raise CustomerDocError("must be 1-80 printable characters")
    _no_card_number(value)
    return value


def _text(limit: int) -> Callable[[object], object]:
    def check(value: object) -> object:
        if not isinstance(value, str) or len(value) > limit:
            raise CustomerDocError(f"must be text of at most {limit} characters")
        _no_card_number(value)
        return value

    return check


def _email(value: object) -> object:
    if not isinstance(value, str) or (value and not is_email_address(value)):
        raise CustomerDocError("must be an e-mail address or empty")
    return value


def _birthday(value: object) -> object:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2100:
        raise CustomerDocError("must be a date like 1984-02-29 (1900-2100) or null")
    return value


def _card(value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CustomerDocError("must be a loyalty card number or null")
    try:
        return check_card(value)
    except DomainError as exc:
        raise CustomerDocError(str(exc)) from None


def _no_card_number(value: str) -> None:
    """Free text never holds a payment card number (as at the till)."""
    if looks_like_card_number(value):
        raise CustomerDocError("holds what looks like a payment card number")


#: The shared profile fields and how each value is checked (marketing consent is not a
#: field: it is derived from the consent log).
FIELDS: Mapping[str, Callable[[object], object]] = {
    "name": _name,
    "phone": _text(40),
    "email": _email,
    "birthday": _birthday,
    "notes": _text(1000),
    "preferences": _text(1000),
    "card": _card,
}


def _later(a: tuple[Any, str], b: tuple[Any, str]) -> tuple[Any, str]:
    key = (a[1], json.dumps(a[0], sort_keys=True))
    return a if key >= (b[1], json.dumps(b[0], sort_keys=True)) else b


def merge(a: CustomerDocument, b: CustomerDocument) -> CustomerDocument:
    """The join of two versions of one customer (see the module's rules)."""
    if a.uuid != b.uuid:
        raise ValueError("only versions of one customer merge")
    erasures = [s for s in (a.erased, b.erased) if s is not None]
    erased = min(erasures) if erasures else None
    fields: dict[str, tuple[Any, str]] = {}
    if erased is None:
        for name in sorted(set(a.fields) | set(b.fields)):
            ours, theirs = a.fields.get(name), b.fields.get(name)
            fields[name] = _later(ours, theirs) if ours and theirs else (ours or theirs)  # type: ignore[assignment]
    entries: dict[str, ConsentEntry] = {}
    for entry in (*a.consent, *b.consent):
        entries[entry.at] = max(entry, entries.get(entry.at, entry))
    return CustomerDocument(a.uuid, fields, erased, tuple(sorted(entries.values())))


def current_consent(doc: CustomerDocument) -> bool:
    """The marketing consent now: the latest entry of the log (none: no consent)."""
    return doc.consent[-1].consent if doc.consent else False


def newest_stamp(doc: CustomerDocument) -> str:
    """The latest stamp the document holds ("" for none)."""
    stamps = [s for _, s in doc.fields.values()] + [e.at for e in doc.consent]
    return max([*stamps, doc.erased or ""])


def to_wire(doc: CustomerDocument) -> dict[str, Any]:
    return {
        "uuid": doc.uuid,
        "fields": {k: {"value": v, "at": s} for k, (v, s) in sorted(doc.fields.items())},
        "erased": doc.erased,
        "consent": [
            {"at": e.at, "consent": e.consent, "source": e.source, "note": e.note}
            for e in doc.consent
        ],
    }


def _keys(
    data: object, path: str, required: frozenset[str], optional: frozenset[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CustomerDocError(f"{path}: must be an object")
    unknown = sorted(set(data) - required - optional)
    if unknown:
        raise CustomerDocError(f"{path}.{unknown[0]}: unknown field")
    missing = sorted(required - set(data))
    if missing:
        raise CustomerDocError(f"{path}.{missing[0]}: missing")
    return data


def _stamp(value: object, path: str) -> str:
    try:
        return parse_stamp(value).text
    except StampError as exc:
        raise CustomerDocError(f"{path}: {exc}") from None


def from_wire(data: object, path: str = "document") -> CustomerDocument:
    """A document checked field by field; CustomerDocError names the first bad one."""
    doc = _keys(data, path, frozenset({"uuid", "fields", "erased", "consent"}))
    if not isinstance(doc["uuid"], str) or not _UUID.fullmatch(doc["uuid"]):
        raise CustomerDocError(f"{path}.uuid: must be 32 lower-case hex digits")
    raw_fields = _keys(doc["fields"], f"{path}.fields", frozenset(), frozenset(FIELDS))
    fields: dict[str, tuple[Any, str]] = {}
    for name, item in sorted(raw_fields.items()):
        where = f"{path}.fields.{name}"
        item = _keys(item, where, frozenset({"value", "at"}))
        try:
            value = FIELDS[name](item["value"])
        except CustomerDocError as exc:
            raise CustomerDocError(f"{where}.value: {exc}") from None
        fields[name] = (value, _stamp(item["at"], f"{where}.at"))
    erased = None if doc["erased"] is None else _stamp(doc["erased"], f"{path}.erased")
    if erased is not None and fields:
        raise CustomerDocError(f"{path}.fields: an erased customer carries no fields")
    raw_consent = doc["consent"]
    if not isinstance(raw_consent, list) or len(raw_consent) > MAX_CONSENT:
        raise CustomerDocError(f"{path}.consent: must be a list of at most {MAX_CONSENT}")
    entries = []
    for i, item in enumerate(raw_consent):
        where = f"{path}.consent[{i}]"
        item = _keys(item, where, frozenset({"at", "consent", "source", "note"}))
        if not isinstance(item["consent"], bool):
            raise CustomerDocError(f"{where}.consent: must be true or false")
        if item["source"] not in CONSENT_SOURCES:
            raise CustomerDocError(f"{where}.source: must be one of {sorted(CONSENT_SOURCES)}")
        if not isinstance(item["note"], str) or len(item["note"]) > 200:
            raise CustomerDocError(f"{where}.note: must be text of at most 200 characters")
        entries.append(
            ConsentEntry(
                _stamp(item["at"], f"{where}.at"), item["consent"], item["source"], item["note"]
            )
        )
    empty = CustomerDocument(doc["uuid"], {}, None, ())
    # merging with an empty version sorts the log and settles duplicate stamps
    return merge(empty, CustomerDocument(doc["uuid"], fields, erased, tuple(entries)))
