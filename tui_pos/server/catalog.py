"""What the server manages for every till: products (with their prices), promotions, tax
codes, staff.

A signed till command (``import products``, ``promo add``/``end`` on an enrolled till)
sends its items here with who signed it. The server checks that the signer's role may do
it (the built-in permission matrix), checks every item (nothing is stored when one is
bad), keeps the latest body of each ``(topic, key)`` in ``catalog``, publishes each one
on the change feed for every store (every till applies it, the sending one too) and
writes the audit row, all in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tui_pos.domain.barcode import normalize_gtin
from tui_pos.domain.errors import BarcodeError, DomainError
from tui_pos.domain.promotions import Promotion
from tui_pos.domain.quantity import UNITS
from tui_pos.domain.staff import DEFAULT_GRANTS, Action, Role
from tui_pos.server.push import TillIdentity
from tui_pos.server.wire import WireError

MAX_ITEMS = 5000
_TAX = re.compile(r"^[A-Za-z0-9]{1,8}$")
_PLU = re.compile(r"^[0-9]{1,6}$")
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class CatalogRefused(Exception):
    """Refused (``status`` the HTTP status) with a message for the till's user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Signer:
    """Who signed the command at the till (proved there by their PIN)."""

    id: int
    name: str
    role: Role

    @property
    def label(self) -> str:
        return f"{self.name} (#{self.id}, {self.role})"


Check = Callable[[psycopg.Connection, str, Mapping[str, Any]], tuple[str, dict[str, Any]]]


def _text(body: Mapping[str, Any], key: str, most: int, *, empty: bool = False) -> str:
    value = body.get(key, "")
    if not isinstance(value, str) or len(value) > most or (not empty and not value.strip()):
        raise WireError(f"'{key}' must be a text of 1-{most} characters")
    return value


def _int(body: Mapping[str, Any], key: str, low: int = 0, high: int = 10**12) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise WireError(f"'{key}' must be a whole number from {low} to {high}")
    return value


def _barcode(key: str) -> str:
    try:
        return normalize_gtin(key)
    except BarcodeError:
        raise WireError(f"{key!r} is not a valid barcode") from None


def _product(
    conn: psycopg.Connection, key: str, body: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    tax = _text(body, "tax_code", 8)
    if not _TAX.match(tax):
        raise WireError("'tax_code' must be 1-8 letters or digits")
    plu = body.get("plu")
    if plu is not None and (not isinstance(plu, str) or not _PLU.match(plu)):
        raise WireError("'plu' must be 1-6 digits")
    unit = body.get("unit", "each")
    if unit not in UNITS:
        raise WireError(f"'unit' must be one of {', '.join(UNITS)}")
    return _barcode(key), {
        "name": _text(body, "name", 255),
        "price_cents": _int(body, "price_cents"),
        "tax_code": tax,
        "category": _text(body, "category", 255, empty=True),
        "unit": unit,
        "plu": plu,
        "reorder_level_milli": _int(body, "reorder_level_milli"),
        "active": bool(body.get("active", True)),
    }


def _day(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise WireError(f"'{key}' must be a day like 2026-12-01") from None


def _promotion(
    conn: psycopg.Connection, key: str, body: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    if not _KEY.match(key):
        raise WireError("a promotion's key must be 1-64 letters, digits, '-' or '_'")
    item, category = body.get("item"), body.get("category")
    if (item is None) == (category is None):
        raise WireError("a promotion names either an 'item' (barcode) or a 'category'")
    checked = dict(body)
    if item is not None:
        code = _barcode(str(item))
        known = conn.execute(
            "SELECT 1 FROM catalog WHERE topic = 'product' AND key = %s", (code,)
        ).fetchone()
        if known is None:
            raise WireError(f"no product {item} in the server's catalog: import it first")
        checked["item"] = code
    else:
        _text(body, "category", 255)
    checked["starts_on"] = _day(body, "starts_on")
    checked["ends_on"] = _day(body, "ends_on")
    try:  # the rules the till's own promotions obey (checked as one is made)
        Promotion(
            id=0,
            name=_text(body, "name", 80),
            kind=_text(body, "kind", 12),  # type: ignore[arg-type]
            value=_int(body, "value"),
            product_id=1 if item is not None else None,
            category_id=None if item is not None else 1,
            buy_qty=_int(body, "buy_qty"),
            pay_qty=_int(body, "pay_qty"),
            tier=_text(body, "tier", 40, empty=True),
            segment=_text(body, "segment", 40, empty=True),
            birthday=bool(body.get("birthday")),
        )
    except DomainError as exc:
        raise WireError(str(exc)) from None
    return key, checked


def _tax(conn: psycopg.Connection, key: str, body: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    if not _TAX.match(key):
        raise WireError("a tax code is 1-8 letters or digits")
    return key, {"name": _text(body, "name", 80), "rate_bp": _int(body, "rate_bp", 0, 10_000)}


_PIN_HASH = re.compile(r"^scrypt\$[0-9]{1,7}\$[0-9]{1,3}\$[0-9]{1,3}\$[0-9a-f]{32}\$[0-9a-f]{64}$")
_STAFF_FIELDS = ("name", "role", "active", "pin_hash", "badge")


def staff_record(
    conn: psycopg.Connection, key: str, body: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """An employee by number: a new one in full, a change as the fields it changes (merged
    into the record held). The PIN comes hashed under the organisation's key, never clear."""
    if not key.isascii() or not key.isdigit() or not 1 <= len(key) <= 8:
        raise WireError("an employee number is 1-8 digits")
    if unknown := sorted(set(body) - set(_STAFF_FIELDS)):
        raise WireError(f"unknown staff field(s): {', '.join(unknown)}")
    held = conn.execute(
        "SELECT body FROM catalog WHERE topic = 'staff' AND key = %s FOR UPDATE", (key,)
    ).fetchone()
    if held is None and "name" not in body:
        raise WireError(f"no employee {key} at the store server: add them first (staff add)")
    merged = {"active": True, "badge": None, **(held[0] if held else {}), **body}
    try:
        role = Role(str(merged.get("role")))
    except ValueError:
        raise WireError(f"'role' must be one of {', '.join(r.value for r in Role)}") from None
    pin_hash = merged.get("pin_hash")
    if not isinstance(pin_hash, str) or not _PIN_HASH.match(pin_hash):
        raise WireError("'pin_hash' must be a PIN hash made at a till (scrypt$...)")
    badge = merged.get("badge")
    if badge is not None:
        badge = _text(merged, "badge", 48)
        other = conn.execute(
            "SELECT key FROM catalog WHERE topic = 'staff' AND key <> %s AND body->>'badge' = %s",
            (key, badge),
        ).fetchone()
        if other is not None:
            raise WireError(f"the badge is employee {other[0]}'s")
    if not isinstance(merged["active"], bool):
        raise WireError("'active' must be true or false")
    name = " ".join(_text(merged, "name", 60).split())
    return key, {
        "name": name,
        "role": role.value,
        "active": merged["active"],
        "pin_hash": pin_hash,
        "badge": badge,
    }


#: Each managed topic: the action its signer's role must allow, and its check.
TOPICS: Mapping[str, tuple[Action, Check]] = {
    "product": (Action.PRODUCT_ADMIN, _product),
    "promotion": (Action.PRODUCT_ADMIN, _promotion),
    "tax": (Action.PRODUCT_ADMIN, _tax),
    "staff": (Action.STAFF_ADMIN, staff_record),
}


def parse_signer(data: Any) -> Signer:
    if not isinstance(data, dict):
        raise WireError("'by' must name who signed: {id, name, role}")
    try:
        role = Role(str(data.get("role")))
    except ValueError:
        raise WireError(f"'by': unknown role {data.get('role')!r}") from None
    return Signer(_int(data, "id", 1), _text(data, "name", 80), role)


def change(conn: psycopg.Connection, who: TillIdentity, topic: str, by: Signer, items: Any) -> int:
    """Check and store ``items`` (``[{key, body}, ...]``) of ``topic`` and publish them;
    the number stored. All or nothing; a refusal by role is audited too."""
    if topic not in TOPICS:
        raise WireError(f"unknown catalog topic {topic!r}: one of {', '.join(TOPICS)}")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        raise WireError(f"'items' must be a list of 1-{MAX_ITEMS} items")
    action, check = TOPICS[topic]
    where = f"store {who.store} till {who.till}"
    if action not in DEFAULT_GRANTS[by.role]:
        with conn.transaction():
            _audit(conn, by, f"refused {topic}", f"{where}: the role may not")
        raise CatalogRefused(403, f"{by.label} may not change the {topic} catalog")
    with conn.transaction():
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("body"), dict):
                raise WireError(f"items[{i}] must be {{key, body}}")
            try:
                key, body = check(conn, str(item.get("key", "")), item["body"])
            except WireError as exc:
                raise WireError(f"items[{i}] ({item.get('key')}): {exc}") from None
            publish(conn, topic, key, body, by.label, who.store)
        _audit(conn, by, f"catalog {topic}", f"{where}: {len(items)} item(s)")
    return len(items)


def publish(
    conn: psycopg.Connection, topic: str, key: str, body: dict[str, Any], who: str, origin: str
) -> None:
    """Keep ``body`` as the latest of ``(topic, key)`` and put it on every store's feed
    (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO catalog (topic, key, body, changed_by) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (topic, key) DO UPDATE SET body = excluded.body, "
        "changed_by = excluded.changed_by, changed_at = now()",
        (topic, key, Jsonb(body), who),
    )
    conn.execute(
        "INSERT INTO change (store_id, origin_store, topic, key, body) "
        "VALUES (NULL, %s, %s, %s, %s)",
        (origin, topic, key, Jsonb(body)),
    )


def _audit(conn: psycopg.Connection, by: Signer, action: str, detail: str) -> None:
    conn.execute(
        "INSERT INTO audit (actor, action, detail) VALUES (%s, %s, %s)", (by.label, action, detail)
    )
