"""Turning what the cashier scanned or typed into a cart line: the quantity prefix, the
catalog lookup (barcode, PLU, price and weight labels) and the line it makes."""

from __future__ import annotations

import re

from tui_pos.domain.barcode import ScannedCode
from tui_pos.domain.cart_lines import CartLine, Product
from tui_pos.domain.errors import DomainError, QuantityError, UnknownProduct, WeightNeeded
from tui_pos.domain.money import decimal_to_cents
from tui_pos.domain.quantity import ONE, QuantityLimits, Unit, check_weight, parse_quantity
from tui_pos.services.ports import Catalog

_QTY_PREFIX = re.compile(r"^(?P<qty>[0-9]+(?:[.,][0-9]+)?)\s*\*\s*(?P<rest>.*)$")

#: Codes that name no item, and what to do with them instead (the sale screen takes a
#: badge or a receipt scanned on its own; here one came with a quantity, or elsewhere).
CARD_KINDS = {
    "customer": "a customer card, not an item",
    "employee": "an employee badge, not an item: scan it alone to take over the till",
    "receipt": "a receipt barcode, not an item: scan it alone to return from that sale",
    "coupon": "a coupon, not an item: scan or type the coupon code alone",
}


def split_quantity(text: str) -> tuple[str | None, str]:
    """``QTY*CODE`` as (QTY, CODE); a text without a quantity as (None, text)."""
    cleaned = text.strip()
    match = _QTY_PREFIX.match(cleaned)
    if match is None:
        return None, cleaned
    return match.group("qty"), match.group("rest").strip()


class ItemLines:
    """Finds the product a code names and makes the line it adds, by the till's limits."""

    def __init__(self, catalog: Catalog, limits: QuantityLimits) -> None:
        self.catalog = catalog
        self.limits = limits

    def product_for(self, scanned: ScannedCode) -> Product:
        if scanned.kind in CARD_KINDS:
            raise DomainError(f"That is {CARD_KINDS[scanned.kind]}")
        if scanned.kind == "plu":
            product = self.catalog.by_plu(scanned.code)
            if product is None:
                raise UnknownProduct(f"Unknown PLU {scanned.raw}")
            return product
        product = self.catalog.by_code(scanned.code)
        if product is None:
            raise UnknownProduct(f"Unknown barcode {_short(scanned.raw)}: nothing added")
        return product

    def line_for(
        self, product: Product, scanned: ScannedCode | None, qty_text: str | None
    ) -> CartLine:
        price = product.price_cents
        code = scanned.raw if scanned else (product.barcode or product.plu or "")
        limits = self.limits
        if scanned is not None and scanned.kind in ("price", "weight"):
            if qty_text is not None:
                raise QuantityError("A priced or weighed label carries its own quantity")
            assert scanned.value is not None
            if scanned.kind == "price":
                price = decimal_to_cents(scanned.value)
                return self._make_line(product, "each", price, ONE, code)
            if product.unit != "kg":
                raise QuantityError(f"{product.name} is not sold by weight")
            grams = check_weight(int(scanned.value * 1000), limits)
            return self._make_line(product, "kg", price, grams, code)
        if product.unit == "kg" and qty_text is None:
            raise WeightNeeded(
                f"{product.name} is sold by weight: type the kg like 0.350* first",
                product.name,
                code,
            )
        qty = parse_quantity(qty_text, product.unit, limits) if qty_text else ONE
        return self._make_line(product, product.unit, price, qty, code)

    def _make_line(self, product: Product, unit: str, price: int, qty: int, code: str) -> CartLine:
        return CartLine(
            product_id=product.id,
            name=product.name,
            unit="kg" if unit == "kg" else "each",
            unit_price_cents=price,
            qty_milli=qty,
            tax_code=product.tax_code,
            code=code,
            category_id=product.category_id,
        )

    def check_qty_text(self, qty_text: str) -> None:
        # Validate as pieces unless it has decimals (then it may be a weight).
        unit: Unit = "kg" if any(c in qty_text for c in ".,") else "each"
        parse_quantity(qty_text, unit, self.limits)


def _short(code: str) -> str:
    return code if len(code) <= 29 else code[:28] + "…"
