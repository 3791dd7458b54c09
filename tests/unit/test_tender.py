"""Tests for taking payment: cash, change, cash rounding, card and split tender."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_pos.domain.errors import DomainError, TenderError
from tui_pos.domain.tender import DEFAULT_MAX_CHANGE_CENTS, Payment, Tender, parse_tendered


def state(t: Tender) -> tuple[list[Payment], int, int, int]:
    return list(t.payments), t.rounding_cents, t.remaining_cents, t.change_cents


# -- cash --------------------------------------------------------------------------


def test_exact_cash() -> None:
    t = Tender(1234)
    assert not t.is_settled
    assert t.remaining_cents == 1234
    assert t.cash_due_cents == 1234
    p = t.pay_cash()
    assert (p.kind, p.amount_cents, p.tendered_cents, p.change_cents) == ("cash", 1234, 1234, 0)
    assert t.is_settled
    assert t.remaining_cents == 0
    assert t.paid_cents == 1234
    assert t.rounding_cents == 0
    assert t.change_cents == 0


def test_cash_with_change() -> None:
    t = Tender(1234)
    p = t.pay_cash(2000)
    assert (p.amount_cents, p.tendered_cents, p.change_cents) == (1234, 2000, 766)
    assert t.is_settled
    assert t.change_cents == 766
    assert t.paid_cents == 1234


def test_cash_rounding_up() -> None:
    t = Tender(1003, cash_step=5)
    assert t.remaining_cents == 1003
    assert t.cash_due_cents == 1005
    p = t.pay_cash()
    assert (p.amount_cents, p.tendered_cents, p.change_cents) == (1005, 1005, 0)
    assert t.rounding_cents == 2
    assert t.remaining_cents == 0
    assert t.is_settled


def test_cash_rounding_down() -> None:
    t = Tender(1001, cash_step=5)
    assert t.cash_due_cents == 1000
    p = t.pay_cash()
    assert p.amount_cents == 1000
    assert t.rounding_cents == -1
    assert t.is_settled
    assert t.paid_cents == 1000


def test_cash_rounding_with_change() -> None:
    t = Tender(1008, cash_step=5)
    assert t.cash_due_cents == 1010
    p = t.pay_cash(2000)
    assert (p.amount_cents, p.change_cents) == (1010, 990)
    assert t.rounding_cents == 2
    assert t.is_settled


@pytest.mark.parametrize(
    ("total", "step", "due"),
    [(1004, 10, 1000), (1005, 10, 1010), (1024, 50, 1000), (1025, 50, 1050), (1050, 100, 1100)],
)
def test_cash_due_other_steps(total: int, step: int, due: int) -> None:
    t = Tender(total, cash_step=step)
    assert t.cash_due_cents == due
    t.pay_cash()
    assert t.rounding_cents == due - total
    assert t.is_settled


def test_partial_cash_then_more_cash() -> None:
    t = Tender(1000)
    p = t.pay_cash(300)
    assert (p.amount_cents, p.tendered_cents, p.change_cents) == (300, 300, 0)
    assert not t.is_settled
    assert t.remaining_cents == 700
    t.pay_cash(1000)
    assert t.is_settled
    assert t.change_cents == 300


@pytest.mark.parametrize("tendered", [0, -1, -500])
def test_cash_must_be_positive(tendered: int) -> None:
    t = Tender(1000)
    with pytest.raises(TenderError, match="more than 0"):
        t.pay_cash(tendered)
    assert t.payments == []


def test_change_above_maximum_is_refused() -> None:
    t = Tender(1000)
    before = state(t)
    with pytest.raises(TenderError, match="Change would be 600.00"):
        t.pay_cash(61_000)
    assert state(t) == before
    p = t.pay_cash(1000 + DEFAULT_MAX_CHANGE_CENTS)  # exactly the maximum is fine
    assert p.change_cents == DEFAULT_MAX_CHANGE_CENTS


def test_custom_max_change() -> None:
    t = Tender(1000, max_change_cents=100)
    with pytest.raises(TenderError):
        t.pay_cash(1101)
    assert t.payments == []
    assert t.pay_cash(1100).change_cents == 100


# -- card and split tender ---------------------------------------------------------


def test_card_for_the_whole_amount() -> None:
    t = Tender(1003, cash_step=5)
    p = t.pay_card(None, "  AUTH-1  ")
    assert (p.kind, p.amount_cents, p.tendered_cents, p.change_cents) == ("card", 1003, 1003, 0)
    assert p.reference == "AUTH-1"
    assert t.rounding_cents == 0  # card is exact: no cash rounding
    assert t.is_settled


def test_card_then_cash_split() -> None:
    t = Tender(1003, cash_step=5)
    t.pay_card(500, "R1")
    assert not t.is_settled
    assert t.remaining_cents == 503
    assert t.cash_due_cents == 505
    cash = t.pay_cash(1000)
    assert (cash.amount_cents, cash.change_cents) == (505, 495)
    assert t.rounding_cents == 2
    assert t.is_settled
    assert [p.kind for p in t.payments] == ["card", "cash"]
    assert t.paid_cents == 1005 == t.total_cents + t.rounding_cents


def test_partial_cash_then_card() -> None:
    t = Tender(1003, cash_step=5)
    t.pay_cash(500)
    assert t.remaining_cents == 503
    assert not t.is_settled
    card = t.pay_card(None, "R2")
    assert card.amount_cents == 503
    assert t.rounding_cents == 0
    assert t.is_settled
    assert t.paid_cents == 1003


def test_card_above_remaining_is_refused() -> None:
    t = Tender(1000)
    t.pay_card(400, "R1")
    before = state(t)
    with pytest.raises(TenderError, match="more than the 6.00 still due"):
        t.pay_card(601, "R2")
    assert state(t) == before


@pytest.mark.parametrize("amount", [0, -100])
def test_card_amount_must_be_positive(amount: int) -> None:
    t = Tender(1000)
    with pytest.raises(TenderError, match="more than 0"):
        t.pay_card(amount, "R1")
    assert t.payments == []


@pytest.mark.parametrize("reference", ["", "   ", "\t"])
def test_card_reference_is_required(reference: str) -> None:
    t = Tender(1000)
    with pytest.raises(TenderError, match="reference"):
        t.pay_card(None, reference)
    assert t.payments == []


@pytest.mark.parametrize(
    "reference",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "5500 0000 0000 0004",
        "4222222222222",  # 13 digits, passes Luhn
        "x" * 41,  # too long
        "AB\x07CD",  # not printable
    ],
)
def test_bad_card_references_are_refused(reference: str) -> None:
    t = Tender(1000)
    with pytest.raises(TenderError):
        t.pay_card(None, reference)
    assert t.payments == []
    assert t.remaining_cents == 1000


def test_card_number_message() -> None:
    with pytest.raises(TenderError, match="Never type the card number"):
        Tender(1000).pay_card(None, "4111 1111 1111 1111")


@pytest.mark.parametrize(
    "reference", ["12345678", "123456789012", "AUTH 123456", "x" * 40, "Réf-42"]
)
def test_acceptable_card_references(reference: str) -> None:
    t = Tender(1000)
    assert t.pay_card(None, reference).reference == reference
    assert t.is_settled


# -- parse_tendered ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "cents"), [("20", 2000), ("12.50", 1250), (" 5,5 ", 550)])
def test_parse_tendered(text: str, cents: int) -> None:
    assert parse_tendered(text) == cents


@pytest.mark.parametrize(
    "text", ["4006381333931", "12345678", "96385074", "x12345678", "1234567890.00"]
)
def test_parse_tendered_refuses_barcodes_and_changes_nothing(text: str) -> None:
    t = Tender(1000)
    t.pay_card(300, "R1")
    before = state(t)
    with pytest.raises(TenderError, match="looks like a barcode"):
        t.pay_cash(parse_tendered(text))
    assert state(t) == before
    assert not t.is_settled


@pytest.mark.parametrize("text", ["", "abc", "-5", "1.234"])
def test_parse_tendered_refuses_non_amounts(text: str) -> None:
    with pytest.raises(TenderError):
        parse_tendered(text)


def test_tender_error_is_a_domain_error() -> None:
    with pytest.raises(DomainError):
        parse_tendered("abc")


# -- remove_last, settlement, zero total -------------------------------------------


def test_remove_last_undoes_the_settling_cash_and_its_rounding() -> None:
    t = Tender(1003, cash_step=5)
    card = t.pay_card(500, "R1")
    cash = t.pay_cash(1000)
    assert t.rounding_cents == 2
    assert t.remove_last() is cash
    assert t.payments == [card]
    assert t.rounding_cents == 0
    assert t.remaining_cents == 503
    assert t.change_cents == 0
    assert not t.is_settled
    assert t.remove_last() is card
    assert t.payments == []
    assert t.remaining_cents == 1003


def test_remove_last_with_no_payment() -> None:
    t = Tender(1000)
    with pytest.raises(TenderError, match="No payment"):
        t.remove_last()


def test_no_payment_after_settlement() -> None:
    t = Tender(1000)
    t.pay_cash()
    before = state(t)
    with pytest.raises(TenderError, match="already paid"):
        t.pay_cash(100)
    with pytest.raises(TenderError, match="already paid"):
        t.pay_card(None, "R1")
    assert state(t) == before


def test_zero_total() -> None:
    t = Tender(0, cash_step=5)
    assert t.is_settled
    assert t.remaining_cents == 0
    assert t.cash_due_cents == 0
    with pytest.raises(TenderError, match="Nothing to pay"):
        t.pay_cash(100)
    with pytest.raises(TenderError, match="Nothing to pay"):
        t.pay_card(None, "R1")
    assert t.payments == []
    assert t.rounding_cents == 0


def test_cash_between_remaining_and_rounded_due_is_refused() -> None:
    t = Tender(1003, cash_step=5)  # cash due 10.05
    with pytest.raises(TenderError, match="10.05"):
        t.pay_cash(1004)
    assert t.payments == []
    assert t.remaining_cents == 1003


def test_exact_cash_settles_a_balance_that_rounds_to_zero() -> None:
    t = Tender(1003, cash_step=5)
    t.pay_card(1001, "R1")
    assert t.cash_due_cents == 0
    t.pay_cash()
    assert t.is_settled
    assert t.rounding_cents == -2


# -- property ----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 1_000_000),
    st.sampled_from([1, 5, 10, 20, 25, 50, 100]),
    st.data(),
)
def test_settled_payments_add_up(total: int, step: int, data: st.DataObject) -> None:
    t = Tender(total, cash_step=step)
    for _ in range(6):
        if t.is_settled:
            break
        remaining, due = t.remaining_cents, t.cash_due_cents
        kind = data.draw(st.sampled_from(["card", "partial cash", "settling cash"]))
        if kind == "card":
            t.pay_card(data.draw(st.integers(1, remaining)), "REF1")
        elif kind == "partial cash" and min(remaining, due) - 1 >= 1:
            # Less than the exact remainder (cash covering it must cover the rounded due).
            t.pay_cash(data.draw(st.integers(1, min(remaining, due) - 1)))
        else:
            low = max(due, 1)
            t.pay_cash(data.draw(st.integers(low, due + t.max_change_cents)))
    if not t.is_settled:
        if data.draw(st.booleans()) and t.cash_due_cents > 0:
            t.pay_cash(None)
        else:
            t.pay_card(None, "LAST")

    assert t.is_settled
    assert t.remaining_cents == 0
    assert sum(p.amount_cents for p in t.payments) == total + t.rounding_cents
    assert t.paid_cents == total + t.rounding_cents
    assert 2 * abs(t.rounding_cents) <= step
    assert all(p.change_cents >= 0 for p in t.payments)
    assert all(p.amount_cents >= 0 for p in t.payments)
    assert all(p.tendered_cents - p.change_cents == p.amount_cents for p in t.payments)
    assert all(p.change_cents == 0 for p in t.payments if p.kind == "card")
    assert t.change_cents == sum(p.change_cents for p in t.payments)
    if t.rounding_cents:
        assert t.payments[-1].kind == "cash"
        assert step > 1
    if step == 1:
        assert t.rounding_cents == 0
