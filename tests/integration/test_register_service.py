"""The register service on the real SQLite file with the demo catalog (no UI)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support.approvals import approved
from tests.support.tills import copy_database
from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.demo.catalog import price_label, weight_label
from tui_pos.domain.cart import Cart
from tui_pos.domain.errors import (
    BarcodeError,
    CartError,
    DiscountError,
    DomainError,
    QuantityError,
    TenderError,
    UnknownProduct,
)
from tui_pos.domain.money import format_money
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action, Approval
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.services.register import Register

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
LOAF_ORGANIC = "5900000000022"  # White Loaf 800g Organic, 1.99, tax B
UNKNOWN_EAN = "4006381333931"  # a valid EAN-13 that is not in the demo catalog


@pytest.fixture
def reg(demo_till: Till) -> Register:
    return demo_till.register


def count(till: Till, sql: str) -> Any:
    with closing(sqlite3.connect(till.db_path)) as conn:
        return conn.execute(sql).fetchone()[0]


def paid(doc: SaleDocument | None) -> SaleDocument:
    assert doc is not None, "the sale should be complete"
    return doc


# -- the entry grammar -------------------------------------------------------------------


def test_code_adds_one_piece(reg: Register) -> None:
    result = reg.enter(LOAF)
    assert result.message == "Added White Loaf 800g"
    assert result.line is not None
    [line] = reg.cart.lines
    assert line == result.line
    assert (line.name, line.unit, line.qty_milli, line.unit_price_cents, line.tax_code) == (
        "White Loaf 800g",
        "each",
        1000,
        149,
        "B",
    )
    assert line.code == LOAF
    assert reg.totals().total_cents == 149


@pytest.mark.parametrize("text", ["3*" + LOAF, "3 * " + LOAF, "  3*" + LOAF + "  "])
def test_quantity_star_code(reg: Register, text: str) -> None:
    reg.enter(text)
    [line] = reg.cart.lines
    assert line.qty_milli == 3000
    assert reg.totals().total_cents == 3 * 149
    assert reg.pending_qty is None


def test_quantity_star_then_code(reg: Register) -> None:
    result = reg.enter("2*")
    assert result.line is None and "2" in result.message
    assert reg.pending_qty == "2"
    assert reg.cart.is_empty
    reg.enter(LOAF_ORGANIC)
    reg.enter(LOAF)  # the pending quantity applies to one item only
    assert [ln.qty_milli for ln in reg.cart.lines] == [2000, 1000]
    assert reg.pending_qty is None


def test_pending_quantity_applies_to_a_searched_product(reg: Register) -> None:
    [croissant] = [i for i in reg.search("croissant") if i.product.name == "Croissant"]
    reg.enter("4*")
    reg.add_product(croissant.product.id)
    [line] = reg.cart.lines
    assert (line.name, line.qty_milli) == ("Croissant", 4000)
    reg.enter("2*")
    reg.clear_pending_quantity()
    reg.enter(LOAF)
    assert reg.cart.lines[-1].qty_milli == 1000


@pytest.mark.parametrize("text", ["0.512*4011", "0,512*4011", "0.512*04011"])
def test_weight_times_kg_plu(reg: Register, text: str) -> None:
    reg.enter(text)
    [line] = reg.cart.lines
    assert (line.name, line.unit, line.qty_milli, line.unit_price_cents) == (
        "Bananas",
        "kg",
        512,
        129,
    )
    assert reg.totals().total_cents == 66  # 1.29 x 0.512 = 0.66048


def test_weight_typed_first_then_kg_plu(reg: Register) -> None:
    reg.enter("1.250*")
    reg.enter("4011")
    assert reg.cart.lines[0].qty_milli == 1250
    assert reg.totals().total_cents == 161  # 1.29 x 1.25 = 1.6125


def test_kg_plu_without_a_weight_is_refused(reg: Register) -> None:
    reg.enter(LOAF)
    before = reg.cart.to_dict()
    with pytest.raises(QuantityError) as refused:
        reg.enter("4011")
    message = str(refused.value)
    assert "Bananas" in message and "sold by weight" in message and "0.350*" in message
    assert reg.cart.to_dict() == before


def test_weight_label(reg: Register) -> None:
    reg.enter(weight_label("00001", 250))
    [line] = reg.cart.lines
    assert (line.name, line.unit, line.qty_milli, line.unit_price_cents) == (
        "Ham Sliced (deli)",
        "kg",
        250,
        1890,
    )
    assert reg.totals().total_cents == 473  # 18.90 x 0.250 = 4.725, half up


def test_price_label(reg: Register) -> None:
    reg.enter(price_label("00005", 350))
    reg.enter(price_label("00005", 1299))
    assert [(ln.name, ln.unit, ln.qty_milli, ln.unit_price_cents) for ln in reg.cart.lines] == [
        ("Quiche Lorraine slice (deli)", "each", 1000, 350),
        ("Quiche Lorraine slice (deli)", "each", 1000, 1299),
    ]
    assert reg.totals().total_cents == 1649


@pytest.mark.parametrize("code", [price_label("00005", 350), weight_label("00001", 250)])
def test_label_with_a_quantity_is_refused(reg: Register, code: str) -> None:
    with pytest.raises(QuantityError, match="carries its own quantity"):
        reg.enter("2*" + code)
    assert reg.cart.is_empty


@pytest.mark.parametrize(
    ("text", "error", "words"),
    [
        (UNKNOWN_EAN, UnknownProduct, "Unknown barcode"),
        (LOAF[:-1] + "6", BarcodeError, "check digit"),
        ("9999", UnknownProduct, "Unknown PLU"),
        ("12345678*" + LOAF, QuantityError, "looks like a barcode"),
        ("0*" + LOAF, QuantityError, "at least 1"),
        ("1000*" + LOAF, QuantityError, "above the limit"),
        ("1.5*" + LOAF, QuantityError, "whole number"),
        ("0*", QuantityError, "at least 1"),
        ("12345678*", QuantityError, "looks like a barcode"),
        ("0.000*4011", QuantityError, "more than 0"),
        ("101*4011", QuantityError, "above the limit"),
        ("", CartError, "Scan or type"),
        ("   ", CartError, "Scan or type"),
    ],
)
def test_refused_entries_change_nothing(
    reg: Register, text: str, error: type[DomainError], words: str
) -> None:
    reg.enter(LOAF)
    before = reg.cart.to_dict()
    with pytest.raises(error) as refused:
        reg.enter(text)
    assert words in str(refused.value)
    assert reg.cart.to_dict() == before
    assert reg.pending_qty is None


def test_price_check_does_not_add(reg: Register) -> None:
    info = reg.price_check(LOAF)
    assert info.product.name == "White Loaf 800g" and info.product.price_cents == 149
    assert info.category == "Bakery" and info.stock_milli >= 0
    assert reg.cart.is_empty
    with pytest.raises(UnknownProduct):
        reg.price_check(UNKNOWN_EAN)


# -- discounts and voids -------------------------------------------------------------------


def test_line_discount_percent_and_amount(reg: Register) -> None:
    reg.enter("3*" + LOAF)  # 4.47
    reg.enter(LOAF_ORGANIC)  # 1.99
    reg.set_line_discount(
        0, "10%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier)
    )  # 0.447 -> 0.45
    totals = reg.totals()
    assert totals.lines[0].line_discount_cents == 45
    assert (totals.subtotal_cents, totals.discount_cents, totals.total_cents) == (646, 45, 601)
    reg.set_line_discount(1, "0.50", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    assert reg.totals().total_cents == 551
    reg.set_line_discount(
        0, "", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier)
    )  # removed
    assert reg.totals().total_cents == 596
    assert sum(lt.amount_cents for lt in reg.totals().lines) == reg.totals().total_cents


@pytest.mark.parametrize("text", ["5.00", "abc", "0%", "101%", "-1"])
def test_bad_line_discount_changes_nothing(reg: Register, text: str) -> None:
    reg.enter(LOAF)
    before = reg.cart.to_dict()
    with pytest.raises(DiscountError):
        reg.set_line_discount(0, text, approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    assert reg.cart.to_dict() == before


def test_cart_discount_spreads_over_the_lines(reg: Register) -> None:
    reg.enter(LOAF)  # 1.49
    reg.enter("2*" + LOAF_ORGANIC)  # 3.98
    reg.enter("0.512*4011")  # 0.66
    reg.set_cart_discount(
        "10%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier)
    )  # of 6.13 -> 0.61
    totals = reg.totals()
    assert totals.discount_cents == 61
    assert totals.total_cents == 613 - 61
    assert sum(lt.cart_discount_cents for lt in totals.lines) == 61
    assert sum(lt.amount_cents for lt in totals.lines) == totals.total_cents
    reg.set_cart_discount("1.00", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    assert reg.totals().total_cents == 513
    reg.set_cart_discount("", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    assert reg.totals().total_cents == 613
    with pytest.raises(DiscountError):
        reg.set_cart_discount("7.00", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    assert reg.totals().total_cents == 613


def test_cart_discount_on_an_empty_sale_is_refused(reg: Register) -> None:
    with pytest.raises(CartError, match="empty"):
        reg.set_cart_discount("10%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))


def test_void_line(reg: Register) -> None:
    reg.enter(LOAF)
    reg.enter(LOAF_ORGANIC)
    removed = reg.void_line(0, Approval(Action.VOID_LINE, reg.cashier))
    assert removed.name == "White Loaf 800g"
    assert [ln.name for ln in reg.cart.lines] == ["White Loaf 800g Organic"]
    assert reg.cart.voided_lines == 1
    assert reg.totals().total_cents == 199
    with pytest.raises(CartError, match="No line selected"):
        reg.void_line(5)
    assert len(reg.cart.lines) == 1


def test_void_sale_is_stored_as_a_voided_document(demo_till: Till, reg: Register) -> None:
    reg.enter(LOAF)
    reg.enter("2*" + LOAF_ORGANIC)
    cart_uuid = reg.cart.uuid
    doc = reg.void_sale(approved(demo_till, Action.VOID_SALE))
    assert doc is not None
    assert (doc.status, doc.seq, doc.uuid, doc.payments) == ("voided", 1, cart_uuid, ())
    assert len(doc.lines) == 2 and doc.total_cents == 149 + 398
    assert reg.cart.is_empty and reg.cart.uuid != cart_uuid
    stored = reg.store.sale("T1", 1)
    assert stored is not None and stored.status == "voided" and stored.lines == doc.lines
    # A voided sale moves no stock, takes no payment and is not the "last sale".
    assert count(demo_till, "SELECT COUNT(*) FROM stock_movement WHERE kind = 'sale'") == 0
    assert count(demo_till, "SELECT COUNT(*) FROM payment") == 0
    with pytest.raises(CartError, match="No sale yet"):
        reg.last_completed()
    lines = demo_till.receipts.lines(doc)
    assert any("VOIDED" in ln for ln in lines)


def test_void_sale_refusals(reg: Register) -> None:
    with pytest.raises(CartError, match="empty"):
        reg.void_sale()
    reg.enter(LOAF)
    reg.enter(LOAF_ORGANIC)
    reg.pay_card("1.00", "R-1")
    with pytest.raises(CartError, match="Payments were taken"):
        reg.void_sale()
    assert len(reg.cart.lines) == 2
    reg.remove_last_payment()
    assert paid_void(reg).status == "voided"


def paid_void(reg: Register) -> SaleDocument:
    doc = reg.void_sale(Approval(Action.VOID_SALE, reg.cashier))
    assert doc is not None
    return doc


def test_void_sale_after_voiding_every_line(reg: Register) -> None:
    reg.enter(LOAF)
    reg.void_line(0, Approval(Action.VOID_LINE, reg.cashier))
    doc = paid_void(reg)
    assert doc.lines == () and doc.voided_lines == 1


def test_change_below_what_was_paid_is_refused_and_rolled_back(reg: Register) -> None:
    reg.enter(LOAF)  # 1.49
    reg.enter("3*" + LOAF)  # 4.47
    assert reg.pay_card("5.00", "R-1") is None
    before = reg.cart.to_dict()
    refusals = [
        lambda: reg.void_line(1, Approval(Action.VOID_LINE, reg.cashier)),
        lambda: reg.set_cart_discount(
            "50%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier)
        ),
        lambda: reg.set_line_discount(
            1, "2.00", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier)
        ),
    ]
    for change in refusals:
        with pytest.raises(CartError, match="less than what was already paid"):
            change()
        assert reg.cart.to_dict() == before
        assert reg.totals().total_cents == 596
        assert reg.cart.voided_lines == 0
    # Changes that keep the total at or above what was paid are fine.
    reg.set_line_discount(1, "0.96", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    assert reg.totals().total_cents == 500
    assert reg.tender_state().remaining_cents == 0
    reg.set_line_discount(1, "", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    reg.enter(LOAF_ORGANIC)
    state = reg.tender_state()
    assert (state.total_cents, state.paid_cents, state.remaining_cents) == (795, 500, 295)
    doc = paid(reg.pay_cash("3"))
    assert doc.total_cents == 795 and doc.change_cents == 5
    assert [p.kind for p in doc.payments] == ["card", "cash"]


# -- payment -----------------------------------------------------------------------------


def test_split_tender_card_then_cash_with_change(demo_till: Till, reg: Register) -> None:
    reg.enter("2*" + LOAF_ORGANIC)  # 3.98
    reg.enter("0.512*4011")  # 0.66 -> 4.64
    assert reg.pay_card("2.00", "AUTH 0042") is None
    state = reg.tender_state()
    assert (state.total_cents, state.paid_cents, state.remaining_cents) == (464, 200, 264)
    assert reg.pay_cash("1.00") is None  # a part payment in cash
    assert reg.tender_state().remaining_cents == 164
    doc = paid(reg.pay_cash("5"))
    assert [(p.kind, p.amount_cents, p.tendered_cents, p.change_cents) for p in doc.payments] == [
        ("card", 200, 200, 0),
        ("cash", 100, 100, 0),
        ("cash", 164, 500, 336),
    ]
    assert doc.payments[0].reference == "AUTH 0042"
    assert doc.change_cents == 336 and doc.rounding_cents == 0
    assert sum(p.amount_cents for p in doc.payments) == doc.total_cents == 464
    assert count(demo_till, "SELECT SUM(amount_cents) FROM payment") == 464


@pytest.mark.parametrize(
    ("amount", "reference", "words"),
    [
        ("9.99", "R-1", "more than"),
        ("", "", "reference"),
        ("", "4111 1111 1111 1111", "card number"),
        ("0", "R-1", "more than 0"),
    ],
)
def test_bad_card_payments_take_nothing(
    reg: Register, amount: str, reference: str, words: str
) -> None:
    reg.enter(LOAF)
    with pytest.raises(TenderError, match=words):
        reg.pay_card(amount, reference)
    assert reg.tender_state().payments == ()
    assert len(reg.cart.lines) == 1


def test_payment_on_an_empty_sale_is_refused(reg: Register) -> None:
    with pytest.raises(CartError, match="empty"):
        reg.pay_cash("5")
    with pytest.raises(CartError, match="empty"):
        reg.pay_card("", "R-1")


def test_remove_last_payment(reg: Register) -> None:
    reg.enter(LOAF_ORGANIC)
    reg.pay_card("1.00", "R-1")
    removed = reg.remove_last_payment()
    assert removed.kind == "card" and removed.amount_cents == 100
    assert not reg.has_payments
    with pytest.raises(TenderError, match="No payment"):
        reg.remove_last_payment()


@pytest.mark.parametrize("typed", [LOAF, "59000000", "12345678.00"])
def test_barcode_typed_as_the_cash_amount_is_refused(reg: Register, typed: str) -> None:
    reg.enter(LOAF)
    with pytest.raises(TenderError, match="looks like a barcode"):
        reg.pay_cash(typed)
    assert reg.tender_state().payments == ()
    assert len(reg.cart.lines) == 1


def test_too_little_cash_is_a_part_payment_and_too_much_change_is_refused(
    reg: Register,
) -> None:
    reg.enter(LOAF)
    with pytest.raises(TenderError, match="Change would be"):
        reg.pay_cash("1000")
    assert reg.pay_cash("1") is None
    assert reg.tender_state().remaining_cents == 49


@pytest.fixture
def rounding_till(tmp_path: Path, demo_template: Path) -> Iterator[Till]:
    """A demo till with cash rounded to 0.05."""
    path = tmp_path / "till.db"
    copy_database(demo_template, path)
    config = replace(Config(), store=replace(Config().store, cash_rounding=5))
    till = open_till(config, path, printer=RecordingPrinter())
    yield till
    till.close()


def test_cash_rounding(rounding_till: Till) -> None:
    reg = rounding_till.register
    reg.enter(LOAF)  # 1.49 -> 1.50 in cash
    state = reg.tender_state()
    assert (state.remaining_cents, state.cash_due_cents) == (149, 150)
    with pytest.raises(TenderError, match="Cash due is 1.50"):
        reg.pay_cash("1.49")
    doc = paid(reg.pay_cash("1.50"))
    assert (doc.total_cents, doc.rounding_cents, doc.paid_cents, doc.change_cents) == (
        149,
        1,
        150,
        0,
    )
    assert doc.payments[0].amount_cents == 150

    reg.enter("2*" + LOAF)  # 2.98 -> 3.00 rounded, change from 5
    doc = paid(reg.pay_cash("5"))
    assert (doc.rounding_cents, doc.change_cents) == (2, 200)

    reg.enter(LOAF_ORGANIC)  # 1.99: card 1.00 exact, then 0.99 -> 1.00 in cash
    reg.pay_card("1.00", "R-1")
    assert reg.tender_state().cash_due_cents == 100
    doc = paid(reg.pay_cash(""))
    assert doc.rounding_cents == 1
    assert sum(p.amount_cents for p in doc.payments) == doc.total_cents + doc.rounding_cents

    reg.enter(LOAF)  # all by card: never rounded
    doc = paid(reg.pay_card("", "R-2"))
    assert (doc.total_cents, doc.rounding_cents) == (149, 0)

    lines = rounding_till.receipts.lines(reg.store.sale("T1", 1))  # type: ignore[arg-type]
    assert any(ln.startswith("Cash rounding") and ln.endswith("0.01") for ln in lines)
    assert any(ln.startswith("To pay") and ln.endswith("1.50") for ln in lines)


def test_fully_discounted_sale_completes_without_payment(reg: Register) -> None:
    reg.enter(LOAF)
    reg.set_cart_discount("100%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    doc = paid(reg.pay_cash(""))
    assert doc.total_cents == 0 and doc.payments == () and doc.discount_cents == 149


# -- completing --------------------------------------------------------------------------


class ChangeRecorder:
    """An OpenSaleLog that records how many lines the sale had at each notice."""

    def __init__(self) -> None:
        self.changes: list[int] = []
        self.closed_uuids: list[str] = []

    def changed(self, cart: Cart, tender: object, *, wait_ms: int | None = None) -> None:
        self.changes.append(len(cart.lines))

    def line_added(self, cart: Cart, tender: object, line: object) -> None:
        self.changes.append(len(cart.lines))

    def closed(self, uuid: str) -> None:
        self.closed_uuids.append(uuid)


def test_complete_resets_the_register(demo_till: Till, reg: Register) -> None:
    recorder = ChangeRecorder()
    changes = recorder.changes
    reg.journal = recorder
    reg.enter(LOAF)
    reg.enter("2*")
    cart_uuid = reg.cart.uuid
    with pytest.raises(CartError, match="not fully paid"):
        reg.complete()
    doc = paid(reg.pay_cash("2"))
    assert doc.uuid == cart_uuid and doc.seq == 1
    assert reg.cart.is_empty and reg.cart.uuid != cart_uuid
    assert reg.tender is None and reg.pending_qty is None and not reg.has_payments
    assert reg.totals().total_cents == 0
    assert reg.last_completed() == doc
    assert changes[-1] == 0 and recorder.closed_uuids == [cart_uuid]
    # The next sale starts from scratch and gets the next number.
    reg.enter(LOAF_ORGANIC)
    assert len(reg.cart.lines) == 1
    assert paid(reg.pay_cash("")).seq == 2


def test_last_completed_survives_a_restart(demo_till: Till) -> None:
    doc = paid_sale(demo_till.register)
    demo_till.close()
    again = open_till(Config(), demo_till.db_path, printer=RecordingPrinter())
    try:
        assert again.register.last_completed() == doc
        assert again.receipts.last() == doc
    finally:
        again.close()


def paid_sale(reg: Register) -> SaleDocument:
    reg.enter(LOAF)
    reg.enter("0.512*4011")
    return paid(reg.pay_cash("10"))


def test_complete_on_an_empty_register_stores_nothing(demo_till: Till, reg: Register) -> None:
    paid_sale(reg)
    with pytest.raises(CartError):
        reg.complete()  # e.g. a double "complete" after the sale went through
    assert count(demo_till, "SELECT COUNT(*) FROM sale") == 1


# -- receipts ----------------------------------------------------------------------------


def test_receipt_printed_for_a_stored_sale(demo_till: Till, reg: Register) -> None:
    printer = demo_till.receipts.printer
    assert isinstance(printer, RecordingPrinter)
    reg.enter(LOAF)
    reg.enter("3*" + LOAF_ORGANIC)
    reg.set_line_discount(1, "10%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    reg.pay_card("2.00", "AUTH 7")
    doc = paid(reg.pay_cash("20"))
    demo_till.receipts.print_sale(doc)
    [receipt] = printer.receipts
    assert receipt[0].strip() == "tui-pos demo store"
    assert all(len(ln) <= 42 for ln in receipt)
    [total_line] = [ln for ln in receipt if ln.startswith("TOTAL")]
    assert total_line.split() == ["TOTAL", "EUR", format_money(doc.total_cents)]
    assert doc.total_cents == 149 + 597 - 60
    assert any(ln.startswith("Card ref AUTH 7") and ln.endswith("2.00") for ln in receipt)
    assert any(ln.startswith("Cash") and ln.endswith("20.00") for ln in receipt)
    assert any(
        ln.startswith("Change") and ln.endswith(format_money(doc.change_cents)) for ln in receipt
    )
    assert any(ln.startswith("Sale T1-000001") for ln in receipt)
    assert receipt[-1].strip() == "Thank you!"
    # A reprint of the last sale is marked as a copy.
    demo_till.receipts.print_sale(demo_till.receipts.last(), copy=True)
    assert len(printer.receipts) == 2
    assert any("COPY" in ln for ln in printer.receipts[1])
    assert [ln for ln in printer.receipts[1] if ln.startswith("TOTAL")] == [total_line]


def test_receipts_before_any_sale(demo_till: Till) -> None:
    with pytest.raises(CartError, match="No sale yet"):
        demo_till.receipts.last()


def test_a_pending_quantity_that_does_not_fit_the_item_says_how_to_clear_it(
    reg: Register,
) -> None:
    reg.enter("0.5*")  # meant for a weighed item...
    with pytest.raises(QuantityError, match=r"Esc clears the quantity 0\.5\*"):
        reg.enter(LOAF)  # ...but a loaf is sold by the piece
    assert reg.cart.is_empty and reg.pending_qty == "0.5"
    reg.clear_pending_quantity()
    reg.enter(LOAF)
    assert [ln.qty_milli for ln in reg.cart.lines] == [1000]
