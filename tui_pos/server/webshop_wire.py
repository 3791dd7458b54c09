"""A web shop's paid order (API v1, JSON), checked before anything touches the database.

Every field is type-checked and bounded, unknown fields are refused, and the amounts must
add up (each line's amount is quantity x unit price, its tax the included tax at its rate,
the order's totals the sums of the lines, the payment plus the points' value the total).
A refusal is an :class:`OrderError` naming the field (``lines[1].qty``) and why::

    {"order_id": "WEB-1001", "created_at": "2026-12-02T09:14:00Z",
     "fulfilment": "collect",                          # or "ship"
     "customer": {"card": "2900000000011", "email": "ada@example.com",
                  "phone": "+44 20 7946 0000", "name": "Ada Lovelace"},  # all optional
     "lines": [{"barcode": "5900000000015", "qty": 2, "unit_price_cents": 149,
                "amount_cents": 298, "tax_rate_bp": 2300, "tax_cents": 56}],
     "total_cents": 298, "tax_cents": 56,
     "payment": {"method": "card", "reference": "psp-8812", "amount_cents": 298},
     "points": {"earned": 2, "redeemed": 0, "redeemed_cents": 0}}  # optional, needs a card

A line names its product by ``barcode`` or by ``sku`` (exactly one). Money is integer
minor units; ``qty`` is whole pieces.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui_pos.domain.card_numbers import looks_like_card_number
from tui_pos.domain.tax import tax_of

MAX_ORDER_BYTES = 256 * 1024
MAX_LINES = 200
MAX_QTY = 9_999
MAX_UNIT_CENTS = 10_000_000
MAX_POINTS = 10_000_000

_ORDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/#-]{0,63}$")
_CODE = re.compile(r"^[A-Za-z0-9._-]{1,48}$")
_CARD = re.compile(r"^[A-Za-z0-9-]{4,32}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,32}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}$")
_METHOD = re.compile(r"^[a-z][a-z_]{0,15}$")


class OrderError(ValueError):
    """A refused order: ``field`` is where (``lines[0].qty``), the message says why."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(f"{field}: {why}")
        self.field = field


@dataclass(frozen=True)
class WebLine:
    position: int
    code: str  #: the barcode or SKU as sent
    by: str  #: "barcode" or "sku"
    qty: int
    unit_price_cents: int
    amount_cents: int
    tax_rate_bp: int
    tax_cents: int


@dataclass(frozen=True)
class WebCustomer:
    card: str = ""
    phone: str = ""
    email: str = ""
    name: str = ""


@dataclass(frozen=True)
class WebOrder:
    order_id: str
    created_at: str
    fulfilment: str
    customer: WebCustomer
    lines: tuple[WebLine, ...]
    total_cents: int
    tax_cents: int
    payment_method: str
    payment_reference: str
    paid_cents: int
    points_earned: int
    points_redeemed: int
    points_redeemed_cents: int
    canonical: str  #: the order as accepted, sorted keys (a repeat must equal it)


def _object(value: Any, where: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise OrderError(where, "must be a JSON object")
    for key in sorted(value):
        if key not in allowed:
            raise OrderError(_at(where, key), "unknown field")
    for key in sorted(required):
        if key not in value:
            raise OrderError(_at(where, key), "is required")
    return value


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _int(obj: dict[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise OrderError(_at(where, key), f"must be an integer from {low} to {high}")
    return value


def _text(obj: dict[str, Any], key: str, where: str, pattern: re.Pattern[str], what: str) -> str:
    value = obj.get(key, "")
    if not isinstance(value, str) or (value and not pattern.match(value)):
        raise OrderError(_at(where, key), f"must be {what}")
    return value


def _free_text(obj: dict[str, Any], key: str, where: str, limit: int) -> str:
    value = obj.get(key, "")
    if (
        not isinstance(value, str)
        or len(value) > limit
        or any(not ch.isprintable() for ch in value)
    ):
        raise OrderError(_at(where, key), f"must be printable text of at most {limit} characters")
    if looks_like_card_number(value):
        raise OrderError(_at(where, key), "looks like a payment card number, which is never stored")
    return value


def _line(raw: Any, index: int) -> WebLine:
    where = f"lines[{index}]"
    keys = {"barcode", "sku", "qty", "unit_price_cents", "amount_cents", "tax_rate_bp"}
    obj = _object(raw, where, keys | {"tax_cents"}, keys - {"barcode", "sku"} | {"tax_cents"})
    named = [k for k in ("barcode", "sku") if k in obj]
    if len(named) != 1:
        raise OrderError(f"{where}.barcode", "give exactly one of 'barcode' or 'sku'")
    code = _text(obj, named[0], where, _CODE, "1-48 letters, digits, '.', '_' or '-'")
    if not code:
        raise OrderError(_at(where, named[0]), "must not be empty")
    qty = _int(obj, "qty", where, 1, MAX_QTY)
    unit = _int(obj, "unit_price_cents", where, 0, MAX_UNIT_CENTS)
    amount = _int(obj, "amount_cents", where, 0, MAX_QTY * MAX_UNIT_CENTS)
    if amount != qty * unit:
        raise OrderError(
            f"{where}.amount_cents", f"is {amount} but qty x unit_price_cents is {qty * unit}"
        )
    rate = _int(obj, "tax_rate_bp", where, 0, 10_000)
    tax = _int(obj, "tax_cents", where, 0, amount)
    included = tax_of(amount, rate, included=True)
    if tax != included:
        raise OrderError(
            f"{where}.tax_cents", f"is {tax} but the tax included at {rate} bp is {included}"
        )
    return WebLine(index + 1, code, named[0], qty, unit, amount, rate, tax)


def _customer(raw: Any) -> WebCustomer:
    obj = _object(raw, "customer", {"card", "phone", "email", "name"}, set())
    return WebCustomer(
        card=_text(obj, "card", "customer", _CARD, "4-32 letters, digits or '-'"),
        phone=_text(obj, "phone", "customer", _PHONE, "a phone number (digits, +, spaces)"),
        email=_text(obj, "email", "customer", _EMAIL, "an e-mail address"),
        name=_free_text(obj, "name", "customer", 100),
    )


def _created_at(obj: dict[str, Any]) -> str:
    value = obj.get("created_at")
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise OrderError("created_at", "must be an ISO 8601 time with a zone") from None
    if stamp.tzinfo is None:
        raise OrderError("created_at", "must name its zone (e.g. Z or +01:00)")
    return value


def parse_order(body: bytes) -> WebOrder:
    """Check an order body; raise :class:`OrderError` naming the first field wrong."""
    if len(body) > MAX_ORDER_BYTES:
        raise OrderError("order", f"more than {MAX_ORDER_BYTES} bytes")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise OrderError("order", "is not JSON") from None
    top = {"order_id", "created_at", "fulfilment", "lines", "total_cents", "tax_cents", "payment"}
    obj = _object(data, "", top | {"customer", "points"}, top)
    order_id = obj["order_id"]
    if not isinstance(order_id, str) or not _ORDER_ID.match(order_id):
        raise OrderError(
            "order_id", "must be 1-64 letters, digits or . _ / # - (a letter or digit first)"
        )
    if obj["fulfilment"] not in ("collect", "ship"):
        raise OrderError("fulfilment", "must be 'collect' or 'ship'")
    raw_lines = obj["lines"]
    if not isinstance(raw_lines, list) or not 1 <= len(raw_lines) <= MAX_LINES:
        raise OrderError("lines", f"must be a list of 1 to {MAX_LINES} lines")
    lines = tuple(_line(raw, i) for i, raw in enumerate(raw_lines))
    customer = _customer(obj["customer"]) if "customer" in obj else WebCustomer()
    total = _int(obj, "total_cents", "", 0, MAX_LINES * MAX_QTY * MAX_UNIT_CENTS)
    if total != sum(ln.amount_cents for ln in lines):
        raise OrderError(
            "total_cents",
            f"is {total} but the lines add up to {sum(ln.amount_cents for ln in lines)}",
        )
    tax = _int(obj, "tax_cents", "", 0, total)
    if tax != sum(ln.tax_cents for ln in lines):
        raise OrderError(
            "tax_cents",
            f"is {tax} but the lines' tax adds up to {sum(ln.tax_cents for ln in lines)}",
        )
    payment = _object(
        obj["payment"],
        "payment",
        {"method", "reference", "amount_cents"},
        {"method", "amount_cents"},
    )
    method = _text(payment, "method", "payment", _METHOD, "a word of 1-16 small letters")
    if not method:
        raise OrderError("payment.method", "must not be empty")
    reference = _free_text(payment, "reference", "payment", 64)
    paid = _int(payment, "amount_cents", "payment", 0, total)
    earned = redeemed = redeemed_cents = 0
    if "points" in obj:
        points = _object(obj["points"], "points", {"earned", "redeemed", "redeemed_cents"}, set())
        earned = _int(points, "earned", "points", 0, MAX_POINTS) if "earned" in points else 0
        redeemed = _int(points, "redeemed", "points", 0, MAX_POINTS) if "redeemed" in points else 0
        redeemed_cents = (
            _int(points, "redeemed_cents", "points", 0, total) if "redeemed_cents" in points else 0
        )
        if (earned or redeemed) and not customer.card:
            raise OrderError("customer.card", "points need the customer's loyalty card")
        if bool(redeemed) != bool(redeemed_cents):
            raise OrderError("points.redeemed_cents", "points redeemed and their value go together")
    if paid + redeemed_cents != total:
        raise OrderError(
            "payment.amount_cents",
            f"is {paid}; with {redeemed_cents} paid in points it must make total_cents {total}",
        )
    return WebOrder(
        order_id=order_id,
        created_at=_created_at(obj),
        fulfilment=obj["fulfilment"],
        customer=customer,
        lines=lines,
        total_cents=total,
        tax_cents=tax,
        payment_method=method,
        payment_reference=reference,
        paid_cents=paid,
        points_earned=earned,
        points_redeemed=redeemed,
        points_redeemed_cents=redeemed_cents,
        canonical=json.dumps(data, sort_keys=True, separators=(",", ":")),
    )
