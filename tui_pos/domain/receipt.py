"""The receipt as text lines of a fixed width: one layout for preview, file and printer.

:func:`build_receipt` gives a :class:`Receipt`: the lines plus what a real printer does
more (the store name large, the total bold, the sale number as a barcode for returns).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from tui_pos.domain.coupons import Coupon
from tui_pos.domain.money import format_money
from tui_pos.domain.quantity import format_quantity
from tui_pos.domain.sale import SaleDocument, format_sale_number
from tui_pos.domain.tax import TaxRate
from tui_pos.domain.text_width import cell_width, center, fit, pad

TENDER_LABELS = {"cash": "Cash", "card": "Card", "store_credit": "Store credit", "points": "Points"}


@dataclass(frozen=True)
class ReceiptStyle:
    """What the store prints around every sale."""

    store_name: str
    address: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    currency: str = "EUR"
    width: int = 42
    timezone: tzinfo | None = None
    prices_include_tax: bool = True


@dataclass(frozen=True)
class StampCard:
    """A stamp card the sale stamped: stamps on it after the sale, of ``every``."""

    name: str
    stamps: int
    every: int


@dataclass(frozen=True)
class Receipt:
    """A laid-out receipt. Lines are plain text no wider than ``width``."""

    lines: tuple[str, ...]
    width: int
    barcode: str | None = None  #: the sale number, printed as a Code 128 barcode
    title_lines: int = 1  #: the first lines (the store name) print large
    total_line: int | None = None  #: index of the TOTAL line, printed bold
    #: Credit notes issued by this sale, printed as barcodes after the sale number.
    extra_barcodes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The receipt as one string (file printer, preview, tests)."""
        return "\n".join(self.lines)


def build_receipt(
    doc: SaleDocument,
    style: ReceiptStyle,
    *,
    copy: bool = False,
    coupons: Sequence[Coupon] = (),
    stamps: Sequence[StampCard] = (),
) -> Receipt:
    """Lay out ``doc`` for printing (see :func:`render_receipt` for the lines); the
    customer's open personal ``coupons`` print as text and barcodes (not on a copy)."""
    coupons = () if copy else coupons
    lines = render_receipt(doc, style, copy=copy, coupons=coupons, stamps=stamps)
    total = next((i for i, line in enumerate(lines) if line.startswith("TOTAL ")), None)
    barcode = sale_number(doc) if doc.status == "completed" and doc.seq else None
    notes = tuple(
        p.reference for p in doc.payments if p.kind == "store_credit" and p.amount_cents < 0
    )
    codes = (notes if not copy else ()) + tuple(c.code for c in coupons)
    return Receipt(tuple(lines), style.width, barcode, 1, total, codes)


def _pair(left: str, right: str, width: int) -> str:
    """``left`` and ``right`` on one line of ``width`` cells (display width: a CJK name
    takes two cells a character); a long ``left`` is cut with an ellipsis."""
    room = width - cell_width(right) - 1
    return pad(left, room) + " " + right if room > 0 else fit(right, width)


def _center(text: str, width: int) -> str:
    return center(text, width)


def sale_number(doc: SaleDocument) -> str:
    """The sale number a customer and a cashier read: ``T1-000042``."""
    return format_sale_number(doc.till, doc.seq or 0)


def render_receipt(
    doc: SaleDocument,
    style: ReceiptStyle,
    *,
    copy: bool = False,
    coupons: Sequence[Coupon] = (),
    stamps: Sequence[StampCard] = (),
) -> list[str]:
    """Lay out ``doc`` as receipt lines no wider than ``style.width`` (with the lines of
    the customer's open personal ``coupons``)."""
    w = style.width
    rule = "-" * w
    out = [_center(style.store_name, w)]
    out += [_center(line, w) for line in style.address]
    if copy:
        out.append(_center("*** COPY ***", w))
    if doc.status == "voided":
        out.append(_center("*** VOIDED - NOT A RECEIPT ***", w))
    if doc.has_returns:
        exchange = any(not ln.is_return for ln in doc.lines)
        out.append(_center("*** EXCHANGE ***" if exchange else "*** RETURN ***", w))
    out.append(rule)
    for line in doc.lines:
        price = format_money(line.unit_price_cents)
        if line.unit == "kg":
            out.append(_pair(line.name, format_money(line.base_cents), w))
            out.append(fit(f"  {format_quantity(line.qty_milli, 'kg')} x {price}/kg", w))
        elif line.qty_milli != 1000:
            out.append(_pair(line.name, format_money(line.base_cents), w))
            out.append(fit(f"  {format_quantity(line.qty_milli, 'each')} x {price}", w))
        else:
            out.append(_pair(line.name, format_money(line.base_cents), w))
        if line.is_return:
            where = "to stock" if line.to_stock else "damaged"
            receipted = "" if line.return_of_line_id is not None else ", no receipt"
            out.append(fit(f"  returned ({where}{receipted})", w))
        if line.promotion and line.promo_discount_cents:
            out.append(_pair(f"  {line.promotion}", format_money(-line.promo_discount_cents), w))
        manual = line.line_discount_cents - line.promo_discount_cents
        if manual:
            out.append(_pair("  Discount", format_money(-manual), w))
    out.append(rule)
    out.append(_pair("Subtotal", format_money(doc.subtotal_cents), w))
    if doc.discount_cents:
        cart_discount = sum(ln.cart_discount_cents for ln in doc.lines)
        if cart_discount:
            out.append(_pair("Sale discount", format_money(-cart_discount), w))
        out.append(_pair("Total discounts", format_money(-doc.discount_cents), w))
    if not style.prices_include_tax:
        out.append(_pair("Tax", format_money(doc.tax_cents), w))
    out.append(_pair(f"TOTAL {style.currency}", format_money(doc.total_cents), w))
    if doc.rounding_cents:
        out.append(_pair("Cash rounding", format_money(doc.rounding_cents), w))
        out.append(_pair("To pay", format_money(doc.paid_cents), w))
    for payment in doc.payments:
        label = TENDER_LABELS.get(payment.kind, payment.kind.title())
        if payment.kind == "card" and payment.reference:
            label += f" ref {payment.reference}"
        if payment.amount_cents < 0:
            label += " refund"
        if payment.kind == "points":
            label += f" ({payment.reference})"
        out.append(_pair(label, format_money(payment.tendered_cents), w))
        if payment.kind == "store_credit":
            what = "Credit note" if payment.amount_cents < 0 else "Redeemed note"
            out.append(fit(f"  {what} {payment.reference}", w))
    if doc.change_cents:
        out.append(_pair("Change", format_money(doc.change_cents), w))
    out.append(rule)
    included = "incl." if style.prices_include_tax else "on"
    for tax in doc.taxes:
        rate_label = TaxRate(tax.code, tax.code, tax.rate_bp).label
        out.append(
            _pair(
                f"Tax {tax.code} {rate_label} {included} {format_money(tax.base_cents)}",
                format_money(tax.tax_cents),
                w,
            )
        )
    if doc.points is not None:
        out += _points_lines(doc, w)
    for card in stamps:
        done = "  - free one given" if card.stamps == card.every else ""
        out.append(f"{card.name}: {card.stamps} of {card.every} stamps{done}"[:w])
    out += _coupon_lines(coupons, w)
    out.append(rule)
    when = doc.created_at.astimezone(style.timezone) if style.timezone else doc.created_at
    out.append(_pair(f"Sale {sale_number(doc)}", when.strftime("%Y-%m-%d %H:%M"), w))
    if doc.cashier:
        out.append(fit(f"Cashier: {doc.cashier}", w))
    out.append(fit(f"Lines: {len(doc.lines)}", w))
    out += [_center(line, w) for line in style.footer]
    return out


def _coupon_lines(coupons: Sequence[Coupon], width: int) -> list[str]:
    """The customer's personal coupons: what each takes off, until when, its code (the
    code is printed as a barcode too, to scan at the next visit)."""
    out: list[str] = []
    for coupon in coupons:
        until = f"until {coupon.valid_to.isoformat()}" if coupon.valid_to else ""
        out += ["-" * width, _pair(f"Your coupon: {coupon.value_text}", until, width)]
        out.append(f"  {coupon.code}"[:width])
    return out


def _points_lines(doc: SaleDocument, width: int) -> list[str]:
    """Loyalty points of the sale (no personal data: no name, no card number)."""
    assert doc.points is not None
    out = ["-" * width]
    if doc.points.earned > 0:
        out.append(_pair("Points earned", f"{doc.points.earned:,}", width))
    elif doc.points.earned < 0:
        out.append(_pair("Points reversed", f"{doc.points.earned:,}", width))
    if doc.points.redeemed:
        out.append(_pair("Points redeemed", f"{doc.points.redeemed:,}", width))
    out.append(_pair("Points balance", f"{doc.points.balance:,}", width))
    return out


def printer_test_receipt(store_name: str, width: int) -> Receipt:
    """A receipt to check a printer: width ruler, the characters that need the code page."""
    ruler = ("1234567890" * 7)[:width]
    lines = (
        _center(store_name, width),
        _center("PRINTER TEST", width),
        "-" * width,
        ruler,
        _pair("Euro sign", "€ 12.50", width),
        _pair("Accents", "é è à ü ö ñ ç", width),
        _pair("Fractions", "½ ¼", width),
        _pair("TOTAL", "12.50", width),
        "-" * width,
        _center("If this reads well, printing works.", width),
    )
    return Receipt(lines, width, barcode="TEST-000000", title_lines=1, total_line=7)


def text_receipt(title: str, rows: Sequence[tuple[str, str]], width: int) -> Receipt:
    """A report laid out for the receipt printer: a large title, then label/value lines."""
    lines = [fit(title, width), "=" * width, *(_pair(label, value, width) for label, value in rows)]
    return Receipt(tuple(lines), width, None, 1, None)
