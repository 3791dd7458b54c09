"""Tests for the sale document and the fixed-width receipt layout."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from tui_pos.domain.cart import Cart, CartLine, Discount
from tui_pos.domain.money import format_money
from tui_pos.domain.receipt import ReceiptStyle, render_receipt, sale_number
from tui_pos.domain.sale import SaleDocument, sale_document
from tui_pos.domain.tax import TaxRate
from tui_pos.domain.tender import Tender

TAXES = {
    "A": TaxRate("A", "Standard", 2000),
    "B": TaxRate("B", "Reduced", 550),
    "Z": TaxRate("Z", "Zero", 0),
}
NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
STYLE = ReceiptStyle(store_name="Shop", width=32)
LONG_NAME = "Extra virgin olive oil from the hills above the old village"


def cart_line(
    name: str, price: int, qty_milli: int = 1000, tax_code: str = "A", unit: str = "each"
) -> CartLine:
    return CartLine(
        product_id=1,
        name=name,
        unit=unit,  # type: ignore[arg-type]
        unit_price_cents=price,
        qty_milli=qty_milli,
        tax_code=tax_code,
    )


def grocery_cart(include: bool = True) -> Cart:
    cart = Cart(TAXES, prices_include_tax=include)
    cart.add(cart_line("Bread", 249, 2000, "B"))
    cart.add(cart_line("Wine", 1299, 1000, "A"))
    cart.add(cart_line("Apples", 349, 512, "B", unit="kg"))
    cart.add(cart_line("Stamp", 120, 1000, "Z"))
    return cart


def document(cart: Cart, tender: Tender | None, seq: int | None = 42) -> SaleDocument:
    doc = sale_document(cart, tender, till="T1", cashier="Ann", now=NOW)
    return replace(doc, seq=seq)


def paid_in_cash(cart: Cart, tendered: int | None = None, step: int = 1) -> Tender:
    tender = Tender(cart.totals().total_cents, cash_step=step)
    tender.pay_cash(tendered)
    return tender


def find(lines: list[str], prefix: str) -> str:
    matches = [ln for ln in lines if ln.startswith(prefix)]
    assert len(matches) == 1, (prefix, lines)
    return matches[0]


def pair(left: str, right: str, width: int = 32) -> str:
    return left.ljust(width - len(right) - 1) + " " + right


# -- sale_document -----------------------------------------------------------------


def test_sale_document_freezes_cart_and_tender() -> None:
    cart = grocery_cart()
    cart.set_line_discount(1, Discount.parse("10%"))
    tender = paid_in_cash(cart, 5000)
    doc = sale_document(cart, tender, till="T1", cashier="Ann", now=NOW)
    totals = cart.totals()
    assert doc.uuid == cart.uuid
    assert (doc.till, doc.cashier, doc.created_at, doc.status) == ("T1", "Ann", NOW, "completed")
    assert doc.seq is None
    assert doc.subtotal_cents == totals.subtotal_cents == 2096
    assert doc.discount_cents == 130
    assert doc.total_cents == totals.total_cents == 1966
    assert doc.tax_cents == totals.tax_cents
    assert doc.taxes == totals.taxes
    assert doc.payments == tuple(tender.payments)
    assert doc.change_cents == 5000 - 1966
    assert doc.rounding_cents == 0
    assert doc.paid_cents == 1966
    wine = doc.lines[1]
    assert (wine.name, wine.base_cents, wine.line_discount_cents, wine.amount_cents) == (
        "Wine",
        1299,
        130,
        1169,
    )
    assert wine.tax_rate_bp == 2000
    assert [ln.amount_cents for ln in doc.lines] == [lt.amount_cents for lt in totals.lines]


def test_sale_document_without_tender() -> None:
    doc = sale_document(grocery_cart(), None, till="T1", cashier="Ann", now=NOW, status="voided")
    assert doc.status == "voided"
    assert doc.payments == ()
    assert (doc.rounding_cents, doc.change_cents) == (0, 0)


def test_sale_number() -> None:
    doc = document(grocery_cart(), None)
    assert sale_number(doc) == "T1-000042"
    assert sale_number(replace(doc, seq=None)) == "T1-000000"


# -- render_receipt ----------------------------------------------------------------


def test_receipt_layout() -> None:
    cart = grocery_cart()
    doc = document(cart, paid_in_cash(cart, 5000))
    lines = render_receipt(doc, STYLE)
    assert all(len(ln) <= 32 for ln in lines), lines
    assert lines[0] == "Shop".center(32).rstrip()
    assert lines[1] == "-" * 32
    assert pair("Bread", "4.98") in lines
    assert "  2 x 2.49" in lines
    assert pair("Wine", "12.99") in lines
    assert pair("Apples", "1.79") in lines
    assert "  0.512 kg x 3.49/kg" in lines
    assert pair("Stamp", "1.20") in lines
    assert find(lines, "Subtotal") == pair("Subtotal", "20.96")
    assert find(lines, "TOTAL") == pair("TOTAL EUR", "20.96")
    assert find(lines, "Cash ") == pair("Cash", "50.00")
    assert find(lines, "Change") == pair("Change", "29.04")
    assert find(lines, "Tax A") == pair("Tax A 20% incl. 12.99", "2.17")
    assert find(lines, "Tax B") == pair("Tax B 5.5% incl. 6.77", "0.35")
    assert find(lines, "Tax Z") == pair("Tax Z 0% incl. 1.20", "0.00")
    assert find(lines, "Sale T1") == pair("Sale T1-000042", "2026-01-02 12:00")
    assert "Cashier: Ann" in lines
    assert "Lines: 4" in lines
    assert not any(ln.startswith(("Cash rounding", "To pay", "Sale discount")) for ln in lines)


def test_total_line_shows_the_total_and_currency() -> None:
    cart = grocery_cart()
    doc = document(cart, paid_in_cash(cart))
    lines = render_receipt(doc, replace(STYLE, currency="CHF"))
    total = find(lines, "TOTAL")
    assert total.startswith("TOTAL CHF")
    assert total.endswith(" 20.96")
    assert len(total) == 32
    assert not any(ln.startswith("Change") for ln in lines)  # exact cash, no change


def test_long_product_name_is_truncated_with_an_ellipsis() -> None:
    cart = Cart(TAXES)
    cart.add(cart_line(LONG_NAME, 1299))
    doc = document(cart, paid_in_cash(cart))
    lines = render_receipt(doc, STYLE)
    assert all(len(ln) <= 32 for ln in lines)
    item = lines[2]
    assert len(item) == 32
    assert item == LONG_NAME[:25] + "… 12.99"
    assert LONG_NAME not in "\n".join(lines)


def test_long_header_footer_cashier_and_card_reference_fit() -> None:
    cart = grocery_cart()
    tender = Tender(cart.totals().total_cents)
    tender.pay_card(None, "R" * 40)
    doc = replace(document(cart, tender), cashier="C" * 50)
    style = ReceiptStyle(
        store_name="S" * 50, address=("A" * 50,), footer=("F" * 50, "Thanks"), width=32
    )
    lines = render_receipt(doc, style, copy=True)
    assert all(len(ln) <= 32 for ln in lines), lines
    assert lines[0] == "S" * 31 + "…"  # cut with an ellipsis, not silently
    assert "*** COPY ***".center(32).rstrip() in lines
    assert find(lines, "Card ref").endswith("… 20.96")
    assert lines[-1] == "Thanks".center(32).rstrip()


def test_discount_lines() -> None:
    cart = grocery_cart()
    cart.set_line_discount(1, Discount.parse("10%"))
    cart.set_cart_discount(Discount.parse("1.00"))
    doc = document(cart, paid_in_cash(cart))
    lines = render_receipt(doc, STYLE)
    assert all(len(ln) <= 32 for ln in lines)
    assert pair("  Discount", "-1.30") in lines
    assert find(lines, "Sale discount") == pair("Sale discount", "-1.00")
    assert find(lines, "Total discounts") == pair("Total discounts", "-2.30")
    assert find(lines, "TOTAL") == pair("TOTAL EUR", "18.66")


def test_cash_rounding_lines() -> None:
    cart = Cart(TAXES)
    cart.add(cart_line("Gum", 1003))
    doc = document(cart, paid_in_cash(cart, 2000, step=5))
    lines = render_receipt(doc, STYLE)
    assert find(lines, "TOTAL") == pair("TOTAL EUR", "10.03")
    assert find(lines, "Cash rounding") == pair("Cash rounding", "0.02")
    assert find(lines, "To pay") == pair("To pay", "10.05")
    assert find(lines, "Change") == pair("Change", "9.95")


def test_prices_excluding_tax_show_the_tax_line() -> None:
    cart = grocery_cart(include=False)
    doc = document(cart, paid_in_cash(cart, 5000))
    lines = render_receipt(doc, replace(STYLE, prices_include_tax=False))
    assert pair("Tax", "2.97") in lines
    assert find(lines, "TOTAL") == pair("TOTAL EUR", "23.93")
    assert find(lines, "Tax A") == pair("Tax A 20% on 12.99", "2.60")
    assert find(lines, "Change") == pair("Change", "26.07")


def test_voided_banner_and_timezone() -> None:
    doc = replace(document(grocery_cart(), None), status="voided")
    style = replace(STYLE, timezone=timezone(timedelta(hours=1)))
    lines = render_receipt(doc, style)
    assert "*** VOIDED - NOT A RECEIPT ***".center(32).rstrip() in lines
    assert find(lines, "Sale T1").endswith("2026-01-02 13:00")


@settings(max_examples=100, deadline=None)
@given(
    width=st.integers(32, 64),
    items=st.lists(
        st.tuples(
            st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=80),
            st.integers(0, 100_000),
            st.sampled_from(["each", "kg"]),
            st.integers(1, 20),
            st.sampled_from(sorted(TAXES)),
        ),
        min_size=1,
        max_size=8,
    ),
    include=st.booleans(),
)
def test_every_line_fits_the_width(
    width: int, items: list[tuple[str, int, str, int, str]], include: bool
) -> None:
    cart = Cart(TAXES, prices_include_tax=include)
    for name, price, unit, qty, code in items:
        cart.add(cart_line(name, price, qty * (1000 if unit == "each" else 137), code, unit))
    tender = Tender(cart.totals().total_cents, cash_step=5)
    if tender.cash_due_cents > 0:
        tender.pay_cash()
    doc = document(cart, tender)
    style = ReceiptStyle(store_name="Shop", width=width, prices_include_tax=include)
    lines = render_receipt(doc, style)
    assert all(len(ln) <= width for ln in lines), [ln for ln in lines if len(ln) > width]
    assert find(lines, "TOTAL").endswith(" " + format_money(doc.total_cents))


def test_kg_detail_line_fits_the_narrowest_width() -> None:
    cart = Cart(TAXES)
    cart.add(cart_line("Saffron", 123_456, 12_345, "B", unit="kg"))
    doc = document(cart, None)
    lines = render_receipt(doc, ReceiptStyle(store_name="Shop", width=24))
    assert all(len(ln) <= 24 for ln in lines), [ln for ln in lines if len(ln) > 24]
