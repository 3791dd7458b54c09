"""Returns and exchanges through the services on a real database: partial returns, the
refusal of an over-return, exchange totals, refunds by tender, store credit, stock."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.domain.errors import DomainError, TenderError
from tui_pos.domain.returns import ReturnableLine, ReturnError, return_amounts
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action
from tui_pos.domain.tender import Tender
from tui_pos.models.journal_verify import verify_journal
from tui_pos.services.cart_journal import open_sale_from, snapshot

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
LOAF_ORGANIC = "5900000000022"  # 1.99, tax B


def rows(till: Till, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(till.db_path) as conn:
        return conn.execute(sql, args).fetchall()


def level(till: Till, code: str) -> int:
    product = till.catalog.by_code("0" + code)
    assert product is not None
    info = till.catalog.info(product.id)
    assert info is not None
    return info.stock_milli


def sell(till: Till, *codes: str, discount: str = "") -> SaleDocument:
    for code in codes:
        till.register.enter(code)
    if discount:
        till.register.set_cart_discount(
            discount, approval=approved(till, Action.DISCOUNT_OVER_LIMIT)
        )
    doc = till.register.pay_card("", "AUTH1")
    assert doc is not None
    return doc


def test_partial_returns_then_an_over_return_is_refused(demo_till: Till) -> None:
    sale = sell(demo_till, "3*" + LOAF, LOAF_ORGANIC, discount="10%")
    before = level(demo_till, LOAF)
    view = demo_till.returns.open_sale(f"T1-{sale.seq:06d}")  # the receipt barcode's text
    loaf = view.lines[0]
    assert (loaf.qty_milli, loaf.remaining_milli) == (3000, 3000)
    demo_till.returns.return_line(loaf, "2")
    ret = demo_till.returns.refund("cash", approval=approved(demo_till, Action.REFUND))
    assert ret is not None and ret.total_cents < 0
    # Two of three loaves back: two thirds of what was paid for the line (after discount).
    assert ret.lines[0].amount_cents == -round(sale.lines[0].amount_cents * 2 / 3)
    assert ret.lines[0].return_of_line_id is not None
    assert ret.refund_cents == -ret.total_cents
    assert level(demo_till, LOAF) == before + 2000

    view = demo_till.returns.open_sale(str(sale.seq))
    assert view.lines[0].returned_milli == 2000 and view.lines[0].remaining_milli == 1000
    with pytest.raises(ReturnError, match="only 1 of 3 left"):
        demo_till.returns.return_line(view.lines[0], "2")
    assert demo_till.register.cart.is_empty  # nothing changed
    demo_till.returns.return_line(view.lines[0], "")  # the last one
    last = demo_till.returns.refund("cash", approval=approved(demo_till, Action.REFUND))
    assert last is not None
    # Both returns together gave back exactly what the line was paid.
    assert ret.lines[0].amount_cents + last.lines[0].amount_cents == -sale.lines[0].amount_cents
    with pytest.raises(ReturnError, match="already returned"):
        demo_till.returns.return_line(demo_till.returns.open_sale(str(sale.seq)).lines[0], "1")
    assert verify_journal(demo_till.db)[0] == []


def test_the_store_refuses_an_over_return_made_behind_the_screen(demo_till: Till) -> None:
    sale = sell(demo_till, LOAF)
    view = demo_till.returns.open_sale(str(sale.seq))
    demo_till.returns.return_line(view.lines[0])
    # Another till returns the same loaf first (same sale line, stored directly).
    other = demo_till.returns.open_sale(str(sale.seq))
    assert other.lines[0].remaining_milli == 0  # the open return already takes it
    cart_before = demo_till.register.cart.to_dict()
    stored = demo_till.returns.refund("cash", approval=approved(demo_till, Action.REFUND))
    assert stored is not None
    demo_till.register.cart = demo_till.register.cart.from_dict(
        cart_before, demo_till.register.settings.taxes, prices_include_tax=True
    )
    demo_till.register.tender = None
    demo_till.register.cart.uuid = "f" * 32  # a second document with the same return line
    count = rows(demo_till, "SELECT COUNT(*) FROM sale")[0][0]
    with pytest.raises(ReturnError):
        demo_till.returns.refund("cash", approval=approved(demo_till, Action.REFUND))
    assert rows(demo_till, "SELECT COUNT(*) FROM sale")[0][0] == count


def test_exchange_is_one_document_paying_the_difference(demo_till: Till) -> None:
    sale = sell(demo_till, LOAF)
    view = demo_till.returns.open_sale(str(sale.seq))
    demo_till.returns.return_line(view.lines[0])
    demo_till.register.enter(LOAF_ORGANIC)  # the customer takes the organic one instead
    totals = demo_till.register.totals()
    assert totals.total_cents == 199 - 149
    doc = demo_till.register.pay_cash("")
    assert doc is not None
    assert [ln.qty_milli for ln in doc.lines] == [-1000, 1000]
    assert doc.total_cents == 50 and doc.refund_cents == 149
    kinds = rows(
        demo_till,
        "SELECT m.kind, m.qty_milli FROM stock_movement m JOIN sale_line l ON l.id = m.sale_line_id"
        " WHERE l.sale_id = (SELECT id FROM sale WHERE seq = ?) ORDER BY m.seq",
        doc.seq,
    )
    assert kinds == [("return", 1000), ("sale", -1000)]


def test_exchange_worth_less_refunds_the_difference(demo_till: Till) -> None:
    sale = sell(demo_till, LOAF_ORGANIC)
    demo_till.returns.return_line(demo_till.returns.open_sale(str(sale.seq)).lines[0])
    demo_till.register.enter(LOAF)
    assert demo_till.register.totals().total_cents == 149 - 199
    with pytest.raises(TenderError, match="refund"):
        demo_till.register.pay_cash("5")
    doc = demo_till.returns.refund("card", "TERM-REF-9", approved(demo_till, Action.REFUND))
    assert doc is not None
    assert [(p.kind, p.amount_cents, p.reference) for p in doc.payments] == [
        ("card", -50, "TERM-REF-9")
    ]


def test_even_exchange_needs_no_payment(demo_till: Till) -> None:
    sale = sell(demo_till, LOAF)
    demo_till.returns.return_line(demo_till.returns.open_sale(str(sale.seq)).lines[0])
    demo_till.register.enter(LOAF)
    doc = demo_till.register.pay_cash("")
    assert doc is not None and doc.total_cents == 0 and doc.payments == ()


def test_store_credit_is_issued_and_redeemed_as_a_ledger(demo_till: Till) -> None:
    sale = sell(demo_till, "2*" + LOAF_ORGANIC)
    demo_till.returns.return_line(demo_till.returns.open_sale(str(sale.seq)).lines[0])
    ret = demo_till.returns.refund("store_credit", approval=approved(demo_till, Action.REFUND))
    assert ret is not None
    code = ret.payments[0].reference
    assert code.startswith("CR") and len(code) == 12
    assert demo_till.returns.credit_balance(code) == 398
    receipt = demo_till.receipts.receipt(ret)
    assert f"Credit note {code}" in receipt.text and "*** RETURN ***" in receipt.text
    assert receipt.extra_barcodes == (code,)

    demo_till.register.enter(LOAF)  # 1.49 paid from the note
    doc = demo_till.returns.pay_store_credit(code.lower())
    assert doc is not None and doc.payments[0].kind == "store_credit"
    assert demo_till.returns.credit_balance(code) == 398 - 149
    demo_till.register.enter("3*" + LOAF_ORGANIC)  # 5.97: the note pays 2.49, card the rest
    assert demo_till.returns.pay_store_credit(code) is None
    assert demo_till.register.tender_state().remaining_cents == 597 - 249
    with pytest.raises(TenderError, match="nothing left"):
        demo_till.returns.pay_store_credit(code)
    assert demo_till.register.pay_card("", "AUTH2") is not None
    assert demo_till.returns.credit_balance(code) == 0
    ledger = rows(demo_till, "SELECT kind, amount_cents FROM store_credit ORDER BY seq")
    assert ledger == [("issue", 398), ("redeem", -149), ("redeem", -249)]
    with pytest.raises(DomainError, match="no credit note"):
        demo_till.returns.credit_balance("CR2222222222")
    with pytest.raises(sqlite3.DatabaseError):
        rows(demo_till, "UPDATE store_credit SET amount_cents = 0")


def test_damaged_returns_do_not_come_back_into_stock(demo_till: Till) -> None:
    sale = sell(demo_till, "2*" + LOAF)
    before = level(demo_till, LOAF)
    line = demo_till.returns.open_sale(str(sale.seq)).lines[0]
    demo_till.returns.return_line(line, "1", to_stock=False)
    demo_till.returns.return_line(line, "1", to_stock=True)
    ret = demo_till.returns.refund("cash", approval=approved(demo_till, Action.REFUND))
    assert ret is not None
    assert [ln.to_stock for ln in ret.lines] == [False, True]
    assert level(demo_till, LOAF) == before + 1000
    damaged = [lv for lv in demo_till.stock.levels() if lv.code.endswith(LOAF)][0]
    assert damaged.damaged_milli == 1000
    # A reprint knows which line went to the damaged count.
    again = demo_till.register.find_sale(str(ret.seq))
    assert [ln.to_stock for ln in again.lines] == [False, True]


def test_return_without_receipt_at_todays_price(demo_till: Till) -> None:
    msg = demo_till.returns.return_without_receipt(
        "2*" + LOAF, approval=approved(demo_till, Action.RETURN_WITHOUT_RECEIPT)
    )
    assert "without receipt" in msg
    line = demo_till.register.cart.lines[0]
    assert line.qty_milli == -2000 and line.return_of is None
    doc = demo_till.returns.refund("cash", approval=approved(demo_till, Action.REFUND))
    assert doc is not None and doc.total_cents == -298
    assert doc.lines[0].return_of_line_id is None


def test_a_voided_sale_or_a_return_cannot_be_returned(demo_till: Till) -> None:
    demo_till.register.enter(LOAF)
    voided = demo_till.register.void_sale(approved(demo_till, Action.VOID_SALE))
    assert voided is not None
    with pytest.raises(ReturnError, match="voided"):
        demo_till.returns.open_sale(str(voided.seq))
    sale = sell(demo_till, LOAF)
    demo_till.returns.return_line(demo_till.returns.open_sale(str(sale.seq)).lines[0])
    ret = demo_till.returns.refund("cash", approval=approved(demo_till, Action.REFUND))
    assert ret is not None
    with pytest.raises(ReturnError, match="no sold lines"):
        demo_till.returns.open_sale(str(ret.seq))
    with pytest.raises(DomainError, match="no sale"):
        demo_till.returns.open_sale("999")


def test_the_day_report_counts_refunds(demo_till: Till) -> None:
    sale = sell(demo_till, "2*" + LOAF)
    demo_till.returns.return_line(demo_till.returns.open_sale(str(sale.seq)).lines[0], "1")
    demo_till.register.enter(LOAF_ORGANIC)
    exchange = demo_till.register.pay_cash("")
    assert exchange is not None
    report = demo_till.reports.x_report(None).to_dict()
    assert report["refunds_cents"] == 149
    assert report["total_cents"] == sale.total_cents + exchange.total_cents


def test_receipt_scan_is_recognised(demo_till: Till) -> None:
    returns = demo_till.returns
    assert returns.receipt_number("T1-000042") == 42
    assert returns.receipt_number("t1-000042") == 42
    assert returns.receipt_number(LOAF) is None
    assert returns.receipt_number("T2-000042") is None  # another till's receipt


def test_cumulative_return_amounts_never_exceed_what_was_paid() -> None:
    line = ReturnableLine(
        line_id=1,
        sale_seq=1,
        product_id=1,
        name="x",
        code="",
        unit="each",
        qty_milli=7000,
        unit_price_cents=100,
        base_cents=700,
        line_discount_cents=33,
        cart_discount_cents=17,
        promo_discount_cents=10,
        amount_cents=650,
        tax_code="B",
    )
    total = 0
    taken = 0
    for qty in (1000, 3000, 2000, 1000):
        amounts = return_amounts(line, qty, taken)
        total += amounts.amount_cents
        taken += qty
    assert total == -650
    with pytest.raises(ReturnError):
        return_amounts(line, 1000, taken)


def test_an_open_return_with_its_refund_survives_a_crash(demo_till: Till) -> None:
    sale = sell(demo_till, "2*" + LOAF)
    demo_till.returns.return_line(demo_till.returns.open_sale(str(sale.seq)).lines[0], "1")
    taxes = demo_till.register.settings.taxes
    cart = demo_till.register.cart
    refund = Tender(cart.totals().total_cents)
    refund.refund("card", "TERM-1")  # journaled, then the till dies before storing
    back = open_sale_from(snapshot(cart, refund), taxes, prices_include_tax=True)
    assert [(p.kind, p.amount_cents) for p in back.payments] == [("card", -149)]
    assert [(ln.return_of, ln.refund) for ln in back.cart.lines] == [
        (ln.return_of, ln.refund) for ln in cart.lines
    ]
    demo_till.register.cart = demo_till.register.cart.from_dict(  # as a fresh start finds it
        {"uuid": "e" * 32, "lines": []}, taxes, prices_include_tax=True
    )
    demo_till.register.restore_open_sale(back.cart, back.payments, back.rounding_cents)
    stored = demo_till.register.complete()
    assert stored.total_cents == -149 and stored.lines[0].return_of_line_id is not None


def test_a_return_through_the_till_is_the_customers_and_reverses_their_points(
    demo_till: Till,
) -> None:
    """The returns service puts the original sale's customer on the return, so the points
    that sale earned are taken back by the loyalty rules in the same transaction."""
    from tui_pos.domain.customer import CustomerDetails

    ada = demo_till.customers.create(CustomerDetails("Ada Lovelace", phone="07700 900123")).id
    demo_till.register.set_customer(ada)
    sale = sell(demo_till, "10*" + LOAF)  # 14.90
    earned = demo_till.customers.ledger.balance(ada)
    assert sale.customer_id == ada and earned > 0
    view = demo_till.returns.open_sale(str(sale.seq))
    demo_till.returns.return_line(view.lines[0], "")
    assert demo_till.register.cart.customer_id == ada
    back = demo_till.returns.refund("card", "AUTH2", approved(demo_till, Action.REFUND))
    assert back is not None and back.customer_id == ada
    assert demo_till.customers.ledger.balance(ada) == 0
    assert rows(demo_till, "SELECT kind, points FROM loyalty_entry ORDER BY id") == [
        ("earn", earned),
        ("reversal", -earned),
    ]
