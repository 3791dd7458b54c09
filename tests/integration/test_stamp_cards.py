"""Stamp cards ("every 3rd loaf free"): each visit of the customer buying the item is one
stamp, counted in SQL over their stored sales; on the 3rd visit one piece is free, the
cart line says why and the receipt shows the stamps."""

from __future__ import annotations

import pytest

from tests.integration.test_online_orders import run
from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.promotions import (
    PromotionError,
    StampTally,
    stamp_completes,
    stamps_on_card,
)
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action

LOAF = "5900000000015"  # White Loaf 800g, 1.49


def other_item(till: Till) -> str:
    row = till.db.execute_sql(
        "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id WHERE p.unit <> 'kg'"
        " AND p.active = 1 AND p.id <>"
        " (SELECT c.product_id FROM barcode c WHERE c.code LIKE '%' || ?)"
        " ORDER BY p.id LIMIT 1",
        (LOAF,),
    ).fetchone()
    return str(row[0])


def visit(till: Till, customer_id: int, *codes: str) -> SaleDocument:
    till.customers.attach(till.register, customer_id)
    for code in codes:
        till.register.enter(code)
    doc = till.register.pay_cash("")
    assert isinstance(doc, SaleDocument)
    return doc


def receipt(till: Till, doc: SaleDocument) -> str:
    return "\n".join(till.receipts.lines(doc))


def test_card_arithmetic() -> None:
    # without returns every third visit got its free piece
    assert [stamp_completes(StampTally(n, n // 3), 3) for n in range(6)] == [0, 0, 1] * 2
    shown = [stamps_on_card(StampTally(n, n // 3), 3, n % 3 == 0) for n in range(1, 7)]
    assert shown == [1, 2, 3, 1, 2, 3]
    # a stamped visit returned after its card was spent: the next card starts one short
    assert stamps_on_card(StampTally(3, 1), 3, False) == 0
    assert not stamp_completes(StampTally(4, 1), 3) and stamp_completes(StampTally(5, 1), 3)
    # the free visit returned whole: its stamp and its free piece both go back
    assert stamp_completes(StampTally(2, 0), 3)
    # a missed free piece is not lost: the next visit is free
    assert stamp_completes(StampTally(4, 0), 3) and stamps_on_card(StampTally(4, 0), 3, False) == 2


def stamp_card(till: Till, buy: int, tier: str = "") -> None:
    """A "Loaf card" stamp promotion (added by the manager), live in the register."""
    approval = approved(till, Action.PRODUCT_ADMIN)
    till.promotions.add(
        name="Loaf card", kind="stamp", item=LOAF, buy=buy, tier=tier, approval=approval
    )
    till.register.refresh_promotions()


def test_every_third_visit_one_loaf_is_free(demo_till: Till) -> None:
    till = demo_till
    stamp_card(till, buy=3)
    ann = till.customers.create(CustomerDetails("Ann Lee")).id
    first = visit(till, ann, LOAF, LOAF)  # two loaves: still one stamp (one visit)
    assert first.total_cents == 298
    assert "Loaf card: 1 of 3 stamps" in receipt(till, first)
    other = visit(till, ann, other_item(till))  # no loaf: no stamp
    assert "Loaf card" not in receipt(till, other)
    second = visit(till, ann, LOAF)
    assert "Loaf card: 2 of 3 stamps" in receipt(till, second)
    guest = till.register.enter(LOAF)  # before the card is shown: full price
    assert guest is not None and till.register.totals().total_cents == 149
    till.customers.attach(till.register, ann)  # the third visit completes the card
    lines = till.register.totals().lines
    assert [(ln.promotion, ln.promo_discount_cents) for ln in lines] == [
        ("Loaf card (stamp 3 of 3: free)", 149)
    ]  # one loaf (one piece) free, the line says why
    third = till.register.pay_cash("")
    assert isinstance(third, SaleDocument) and third.total_cents == 0
    assert "Loaf card: 3 of 3 stamps  - free one given" in receipt(till, third)
    fourth = visit(till, ann, LOAF)  # a new card
    assert fourth.total_cents == 149
    assert "Loaf card: 1 of 3 stamps" in receipt(till, fourth)


def test_a_stamp_card_needs_n_and_no_audience(demo_till: Till) -> None:
    with pytest.raises(PromotionError, match="--buy N"):
        stamp_card(demo_till, buy=1)
    with pytest.raises(PromotionError, match="every customer"):
        stamp_card(demo_till, buy=5, tier="Gold")
    assert demo_till.promotions.list() == []


def test_cli_adds_a_stamp_card(cli_db) -> None:
    added = run(
        cli_db,
        "promo",
        "add",
        "--name",
        "Coffee card",
        "--kind",
        "stamp",
        "--item",
        LOAF,
        "--buy",
        "10",
    )
    assert added.exit_code == 0, added.output
    assert "stamp card: one free every 10 visits on White Loaf 800g" in added.output


def give_back(till: Till, doc: SaleDocument, qty: str = "") -> SaleDocument:
    """Return ``qty`` (empty: all) of the sale's first line for cash."""
    assert doc.seq is not None
    till.returns.return_line(till.returns.open_sale(str(doc.seq)).lines[0], qty)
    back = till.returns.refund("cash", approval=approved(till, Action.REFUND))
    assert back is not None
    return back


def test_a_return_takes_the_stamp_back(demo_till: Till) -> None:
    till = demo_till
    stamp_card(till, buy=3)
    ann = till.customers.create(CustomerDetails("Ann Lee")).id
    first = visit(till, ann, LOAF)
    two = visit(till, ann, "2*" + LOAF)
    assert "Loaf card: 2 of 3 stamps" in receipt(till, two)
    give_back(till, two, "1")  # one loaf of two back: the visit keeps its stamp
    back = give_back(till, two)  # the other: nothing of the visit is left, the stamp goes
    assert back.total_cents == -149
    assert "Loaf card: 2 of 3 stamps" in receipt(till, two)  # a reprint shows it as it was
    again = visit(till, ann, LOAF)  # so this is the second stamp, not the free third
    assert again.total_cents == 149
    assert "Loaf card: 2 of 3 stamps" in receipt(till, again)
    free = visit(till, ann, LOAF)
    assert free.total_cents == 0
    assert "Loaf card: 3 of 3 stamps  - free one given" in receipt(till, free)
    # The first visit returned after its card was spent: the next card starts one short.
    give_back(till, first)
    fourth = visit(till, ann, LOAF)
    assert fourth.total_cents == 149
    assert "Loaf card: 0 of 3 stamps" in receipt(till, fourth)
    stored = till.db.execute_sql(
        "SELECT COUNT(*) FROM sale_line WHERE return_of_line_id IS NOT NULL"
    ).fetchone()[0]
    assert stored == 3  # the returns are new rows; the sold lines are untouched


def test_returning_the_free_piece_refunds_nothing_and_gives_the_card_back(
    demo_till: Till,
) -> None:
    till = demo_till
    stamp_card(till, buy=2)
    bob = till.customers.create(CustomerDetails("Bob Ray")).id
    visit(till, bob, LOAF)
    free = visit(till, bob, LOAF)
    assert free.total_cents == 0
    back = give_back(till, free)
    assert back.total_cents == 0  # it was free: nothing is paid back
    # The free loaf is back on the shelf, so the card is as before that visit.
    again = visit(till, bob, LOAF)
    assert again.total_cents == 0
    assert "Loaf card: 2 of 2 stamps  - free one given" in receipt(till, again)
    nxt = visit(till, bob, LOAF)
    assert nxt.total_cents == 149 and "Loaf card: 1 of 2 stamps" in receipt(till, nxt)
