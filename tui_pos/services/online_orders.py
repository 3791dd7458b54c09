"""Online orders: one stock for the shop and its web shop.

``tui-pos import orders FILE.json`` takes a file of paid online orders (format below),
checks every order, then writes them all in one transaction: each order once (by its
``order_id``: importing the same file again changes nothing), its lines, one ``online``
stock movement per line, and the loyalty credit. Orders marked for collection wait until
they are handed over at the till (an appended event).

File format (UTF-8 JSON)::

    {"orders": [
      {"order_id": "WEB-1001",                  # unique, 1-64 printable characters
       "created_at": "2026-11-25T09:14:00Z",    # ISO 8601 with a zone
       "paid": true,                            # only paid orders are accepted
       "collection": true,                      # picked up in the shop (else shipped)
       "customer": {"name": "Ada Lovelace", "email": "ada@example.com",
                    "phone": "+44 20 7946 0000", "card": "2900000000011"},  # all optional
       "lines": [
         {"barcode": "5900000000015", "qty": 2, "price": "1.49"},
         {"sku": "CHOC-70", "qty": "1", "price": 3.2}   # sku: an internal code or PLU
       ]}
    ]}

``qty`` is pieces (or kg with decimals for weighed items); ``price`` is the unit price
paid online, in major units. A list of orders without the ``{"orders": ...}`` wrapper is
accepted too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from tui_pos.domain.barcode import BarcodeParser
from tui_pos.domain.card_numbers import refuse_card_number
from tui_pos.domain.cart_lines import Product
from tui_pos.domain.errors import DomainError
from tui_pos.domain.money import div_round, format_money, parse_money
from tui_pos.domain.quantity import ONE, QuantityLimits, parse_quantity
from tui_pos.domain.staff import Action, Approval
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import Catalog, Clock

_ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/#-]{0,63}")
_LIMITS = QuantityLimits(max_each=9_999, max_weight_grams=999_999)


class OrderFileError(DomainError):
    """An orders file with bad orders; nothing was imported. ``errors`` lists them all."""

    def __init__(self, errors: list[str]) -> None:
        shown = "\n".join(errors[:50])
        more = f"\n... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} problem(s), nothing imported:\n{shown}{more}")
        self.errors = errors


@dataclass(frozen=True)
class OrderLine:
    """A validated order line."""

    product_id: int
    name: str
    qty_milli: int
    unit_price_cents: int

    @property
    def amount_cents(self) -> int:
        """Price x quantity."""
        return div_round(self.unit_price_cents * self.qty_milli, ONE)


@dataclass(frozen=True)
class OnlineOrder:
    """A validated online order."""

    order_id: str
    created_at: datetime
    collection: bool
    lines: tuple[OrderLine, ...]
    customer_name: str = ""
    customer_email: str = ""
    customer_phone: str = ""
    customer_card: str = ""
    customer_id: int | None = None  #: the customer the contact names (set on import)

    @property
    def total_cents(self) -> int:
        """What the order was paid."""
        return sum(ln.amount_cents for ln in self.lines)


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    imported: tuple[OnlineOrder, ...]
    skipped: tuple[str, ...]  #: order ids imported before (unchanged)


@dataclass(frozen=True)
class CollectionOrder:
    """An order for collection as the till lists it."""

    id: int
    order_id: str
    created_at: datetime
    customer_name: str
    item_count: int
    total_cents: int
    collected_at: datetime | None

    @property
    def waiting(self) -> bool:
        """Not handed over yet."""
        return self.collected_at is None


class OnlineOrderStore(Protocol):
    """Online orders in storage."""

    def known(self, order_ids: Sequence[str]) -> set[str]:
        """Which of ``order_ids`` were imported already."""

    def store(self, orders: Sequence[OnlineOrder], till: str, now: datetime) -> list[str]:
        """Write the orders not yet known, with their lines and stock movements, in one
        transaction (UNIQUE order id); returns the ids written."""

    def collection(self, text: str, include_collected: bool) -> list[CollectionOrder]:
        """Orders for collection whose id or customer name contains ``text``."""

    def hand_over(self, order: int, till: str, cashier: str, now: datetime) -> None:
        """Record that order ``order`` was collected (refused if it already was)."""


#: Called once per newly imported order: the loyalty credit (see OnlineOrders).
LoyaltyHook = Callable[[OnlineOrder], object]
#: The customer an order's contact names (card, else phone, else e-mail), or None.
CustomerMatch = Callable[[OnlineOrder], int | None]


class OnlineOrders:
    """Import, find and hand over online orders."""

    def __init__(
        self,
        store: OnlineOrderStore,
        catalog: Catalog,
        parser: BarcodeParser,
        till: str,
        clock: Clock,
        auth: Authorizer,
        credit_loyalty: LoyaltyHook | None = None,
        match_customer: CustomerMatch | None = None,
    ) -> None:
        self.store = store
        self.auth = auth  #: importing orders is product admin
        self.catalog = catalog
        self.parser = parser
        self.till = till
        self.clock = clock
        #: Credits loyalty points for an imported order (Customers.credit_online_order,
        #: idempotent by order id); None: no loyalty.
        self.credit_loyalty = credit_loyalty
        #: Links an order to its customer, so that erasing the customer reaches the
        #: order's contact details (kept apart from the order, see models/order_contacts).
        self.match_customer = match_customer

    def import_text(self, text: str, approval: Approval | None = None) -> ImportResult:
        """Check every order of a JSON file, then store the new ones (all or nothing);
        ``approval`` must cover PRODUCT_ADMIN (the orders take stock and give points)."""
        orders = self.parse(text)
        self.auth.authorize(Action.PRODUCT_ADMIN, approval, f"import {len(orders)} orders")
        known = self.store.known([o.order_id for o in orders])
        new = [o for o in orders if o.order_id not in known]
        if self.match_customer is not None:
            new = [replace(o, customer_id=self.match_customer(o)) for o in new]
        written = set(self.store.store(new, self.till, self.clock())) if new else set()
        imported = tuple(o for o in new if o.order_id in written)
        if self.credit_loyalty is not None:
            for order in imported:
                self.credit_loyalty(order)
        skipped = tuple(o.order_id for o in orders if o.order_id not in written)
        return ImportResult(imported, skipped)

    def parse(self, text: str) -> list[OnlineOrder]:
        """Validate a file; OrderFileError lists every bad order (with its position)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise OrderFileError([f"not JSON: {exc.msg} at line {exc.lineno}"]) from exc
        except RecursionError:  # "[" x 100,000: the parser recurses once per level
            raise OrderFileError(["not an orders file: the JSON nests too deeply"]) from None
        raw = data.get("orders") if isinstance(data, dict) else data
        if not isinstance(raw, list):
            raise OrderFileError(['expected {"orders": [...]} or a list of orders'])
        orders: list[OnlineOrder] = []
        errors: list[str] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw, start=1):
            label = f"order {index}"
            try:
                if isinstance(item, dict) and isinstance(item.get("order_id"), str):
                    label += f" ({item['order_id'][:64]})"
                order = self._order(item)
                if order.order_id in seen:
                    raise DomainError(f"order_id also used by order {seen[order.order_id]}")
                seen[order.order_id] = index
                orders.append(order)
            except DomainError as exc:
                errors.append(f"{label}: {exc}")
        if errors:
            raise OrderFileError(errors)
        return orders

    def find_for_collection(
        self, text: str = "", include_collected: bool = False
    ) -> list[CollectionOrder]:
        """Orders for collection by order id or customer name (empty: all waiting)."""
        return self.store.collection(text.strip(), include_collected)

    def hand_over(self, order: CollectionOrder, cashier: str = "") -> None:
        """Mark an order as collected (recorded with the till, cashier and time)."""
        if not order.waiting:
            raise DomainError(f"Order {order.order_id} was handed over already")
        self.store.hand_over(order.id, self.till, cashier, self.clock())

    # -- validation --------------------------------------------------------------------
    def _order(self, item: Any) -> OnlineOrder:
        if not isinstance(item, dict):
            raise DomainError("is not an object")
        unknown = set(item) - {"order_id", "created_at", "paid", "collection", "customer", "lines"}
        if unknown:
            raise DomainError(f"unknown field(s): {', '.join(sorted(unknown))}")
        order_id = item.get("order_id")
        if not isinstance(order_id, str) or not _ORDER_ID.fullmatch(order_id):
            raise DomainError("order_id must be 1-64 letters, digits or . _ / # -")
        created = _time(item.get("created_at"))
        if item.get("paid") is not True:
            raise DomainError("only paid orders can be imported (paid: true)")
        collection = item.get("collection", False)
        if not isinstance(collection, bool):
            raise DomainError("collection must be true or false")
        customer = item.get("customer") or {}
        if not isinstance(customer, dict):
            raise DomainError("customer must be an object")
        fields = {}
        for key in ("name", "email", "phone", "card"):
            value = customer.get(key, "")
            if not isinstance(value, str) or len(value) > 120 or not value.isprintable():
                raise DomainError(f"customer.{key} must be text of up to 120 characters")
            refuse_card_number(value, f"customer.{key}")
            fields[key] = value.strip()
        lines_raw = item.get("lines")
        if not isinstance(lines_raw, list) or not lines_raw:
            raise DomainError("lines must be a non-empty list")
        lines = tuple(self._line(n, raw) for n, raw in enumerate(lines_raw, start=1))
        return OnlineOrder(
            order_id=order_id,
            created_at=created,
            collection=collection,
            lines=lines,
            customer_name=fields["name"],
            customer_email=fields["email"],
            customer_phone=fields["phone"],
            customer_card=fields["card"],
        )

    def _line(self, n: int, raw: Any) -> OrderLine:
        if not isinstance(raw, dict):
            raise DomainError(f"line {n}: is not an object")
        code = raw.get("barcode", raw.get("sku"))
        if not isinstance(code, str) or not code.strip():
            raise DomainError(f"line {n}: needs a barcode or sku")
        product = self._product(n, code)
        qty_raw, price_raw = raw.get("qty"), raw.get("price")
        if isinstance(qty_raw, bool) or not isinstance(qty_raw, (int, float, str)):
            raise DomainError(f"line {n}: qty must be a number")
        if isinstance(price_raw, bool) or not isinstance(price_raw, (int, float, str)):
            raise DomainError(f"line {n}: price must be an amount like 1.49")
        try:
            qty = parse_quantity(str(qty_raw), product.unit, _LIMITS)
            price = parse_money(str(price_raw))
        except DomainError as exc:
            raise DomainError(f"line {n}: {exc}") from exc
        return OrderLine(product.id, product.name, qty, price)

    def _product(self, n: int, code: str) -> Product:
        try:
            scanned = self.parser.parse(code)
        except DomainError as exc:
            raise DomainError(f"line {n}: {exc}") from exc
        product = (
            self.catalog.by_plu(scanned.code)
            if scanned.kind == "plu"
            else self.catalog.by_code(scanned.code)
        )
        if product is None:
            raise DomainError(f"line {n}: no product {code.strip()[:30]}")
        return product


def _time(raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise DomainError("created_at must be a time like 2026-11-25T09:14:00Z")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise DomainError(f"created_at {raw[:30]!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise DomainError("created_at needs a zone (Z or +01:00)")
    return moment


def describe(order: CollectionOrder) -> str:
    """One line for a list: id, customer, items, total, status."""
    status = "waiting" if order.waiting else "collected"
    who = order.customer_name or "-"
    return (
        f"{order.order_id}  {who}  {order.item_count} item(s)  "
        f"{format_money(order.total_cents)}  {status}"
    )
