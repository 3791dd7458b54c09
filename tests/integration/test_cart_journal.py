"""The crash journal of the open sale: every change is saved, and a reopened till has it."""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.approvals import approved
from tests.support.settle import settle
from tests.support.tills import FIXED_NOW, copy_database, fixed_clock, open_test_till
from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.config import Config
from tui_pos.demo.catalog import demo_products, price_label
from tui_pos.domain.cart import Cart
from tui_pos.domain.cart_lines import CartLine, Discount
from tui_pos.domain.errors import CartError, DomainError, StorageError
from tui_pos.domain.staff import Action, Approval
from tui_pos.domain.tax import TaxRate
from tui_pos.domain.tender import Tender
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.models.cart_journal_store import SqliteCartJournalStore
from tui_pos.screens.register import RegisterScreen
from tui_pos.screens.tender import TenderScreen
from tui_pos.services.cart_journal import (
    CartJournal,
    CartJournalError,
    ClosedAs,
    open_sale_from,
    snapshot,
)

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
CRISPS = [r["barcode"] for r in demo_products() if r["name"] == "Salted Crisps 150g"][0]
TAXES = {
    "A": TaxRate("A", "Standard", 2000),
    "B": TaxRate("B", "Reduced", 500),
    "Z": TaxRate("Z", "Zero", 0),
}


@pytest.fixture
def db_file(tmp_path: Path, demo_template: Path) -> Path:
    path = tmp_path / "till.db"
    copy_database(demo_template, path)
    path.chmod(0o600)
    return path


def open_at(path: Path) -> Till:
    return open_test_till(Config(), path, printer=RecordingPrinter(), clock=fixed_clock)


@pytest.fixture
def first(db_file: Path) -> Iterator[Till]:
    till = open_at(db_file)
    yield till
    till.close()


def reopen(till: Till) -> Till:
    """Close the till as a crash would leave it (nothing more is written) and open it again.

    Every journal write is committed before the register returns, so closing the
    connection here leaves the file exactly as a kill -9 at this point would.
    """
    till.close()
    return open_at(till.db_path)


def sql(path: Path, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn, conn:
        return conn.execute(statement, params).fetchall()


def journaled(till: Till) -> dict[str, Any] | None:
    """The open sale as the journal's log replays it."""
    return SqliteCartJournalStore(till.db).load("T1")


def log_kinds(till: Till) -> list[str]:
    return [k for (k,) in sql(till.db_path, "SELECT kind FROM open_cart_event ORDER BY id")]


def put_snapshot(till: Till, text: str, uuid: str = "") -> None:
    """Write a journal row as an older till (or a damaged file) left it."""
    sql(
        till.db_path,
        "INSERT INTO open_cart_event (till, cart_uuid, kind, json, created_at)"
        " VALUES ('T1', ?, 'snapshot', ?, '2026-11-25 12:00:00')",
        (uuid, text),
    )


def sale_in_progress(till: Till) -> None:
    reg = till.register
    reg.enter("2*" + LOAF)
    reg.enter("0.750*4011")  # bananas by weight
    reg.enter(price_label("00005", 425))  # quiche, pre-priced label
    reg.enter(CRISPS)
    reg.set_line_discount(0, "0.20", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    reg.set_cart_discount("5%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    reg.void_line(3, approved(till, Action.VOID_LINE))


# -- the snapshot ------------------------------------------------------------------------


def test_snapshot_round_trips_cart_and_payments() -> None:
    cart = Cart(TAXES)
    cart.add(CartLine(1, "Loaf", "each", 149, 2000, "B", "590", Discount("percent", 1000)))
    cart.add(CartLine(2, "Crème fraîche", "kg", 1290, 350, "A"))
    cart.add(CartLine(3, "Paper", "each", 150, 1000, "Z"))
    cart.void_line(2)
    cart.set_cart_discount(Discount("amount", 12))
    tender = Tender(cart.totals().total_cents, cash_step=5)
    card = tender.pay_card(200, "AUTH 0042")
    cash = tender.pay_cash(1000)

    data = json.loads(json.dumps(snapshot(cart, tender)))
    sale = open_sale_from(data, TAXES, prices_include_tax=True)

    assert sale.cart.to_dict() == cart.to_dict()
    assert sale.cart.totals() == cart.totals()
    assert sale.payments == (card, cash)
    assert [p.uuid for p in sale.payments] == [card.uuid, cash.uuid]
    assert sale.rounding_cents == tender.rounding_cents != 0


def test_exact_cash_on_a_balance_rounded_to_zero_round_trips() -> None:
    """Found by the kill test: card 1.97 of 1.99, cash step 0.05, exact cash = a cash
    payment of 0.00 with -0.02 rounding. A crash before the commit must restore it."""
    cart = Cart(TAXES)
    cart.add(CartLine(1, "Loaf", "each", 199, 1000, "B"))
    tender = Tender(199, cash_step=5)
    tender.pay_card(197, "AUTH 1")
    zero = tender.pay_cash(None)
    assert (zero.amount_cents, tender.rounding_cents, tender.is_settled) == (0, -2, True)
    sale = open_sale_from(
        json.loads(json.dumps(snapshot(cart, tender))), TAXES, prices_include_tax=True
    )
    assert sale.payments[-1] == zero and sale.rounding_cents == -2


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda d: d.update(version=99), "unknown snapshot version 99"),
        (lambda d: d["cart"]["lines"][0].update(tax_code="Q"), "unknown tax code 'Q'"),
        (lambda d: d["cart"]["lines"][0].pop("qty_milli"), "malformed snapshot (KeyError"),
        (lambda d: d["payments"][0].update(amount_cents=10**6), "payments exceed the total"),
        (lambda d: d["payments"][0].update(kind="cheque"), "unknown tender kind 'cheque'"),
        (lambda d: d["cart"].update(lines=[]), "payments without items"),
        (lambda d: d["payments"][0].update(amount_cents=0), "a payment of nothing"),
        (lambda d: d["payments"].append(dict(d["payments"][0])), "the same payment twice"),
        (lambda d: d.update(payments=[], rounding_cents=2), "cash rounding without a payment"),
    ],
)
def test_a_snapshot_that_does_not_add_up_is_refused(mangle: Any, reason: str) -> None:
    cart = Cart(TAXES)
    cart.add(CartLine(1, "Loaf", "each", 149, 1000, "B"))
    tender = Tender(cart.totals().total_cents)
    tender.pay_card(100, "REF1")
    data = snapshot(cart, tender)
    mangle(data)
    with pytest.raises(DomainError, match=reason.replace("(", r"\(")):
        open_sale_from(data, TAXES, prices_include_tax=True)


# -- writing -----------------------------------------------------------------------------


def test_every_change_of_the_open_sale_is_journaled(first: Till) -> None:
    reg = first.register

    def check() -> None:
        assert journaled(first) == json.loads(json.dumps(snapshot(reg.cart, reg.tender)))

    assert journaled(first) is None
    reg.enter(LOAF)
    check()
    reg.enter("3*" + CRISPS)
    check()
    assert log_kinds(first) == ["snapshot", "line"]  # a scan appends its line only
    reg.set_line_discount(1, "10%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    check()
    reg.set_cart_discount("0.50", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    check()
    reg.void_line(0, approved(first, Action.VOID_LINE))
    check()
    reg.pay_card("1.00", "AUTH 1")
    check()
    reg.remove_last_payment()
    check()
    assert journaled(first)["payments"] == []  # type: ignore[index]
    reg.pay_cash("2.00")
    check()
    assert log_kinds(first) == ["snapshot"]  # any other change compacts the log
    row = sql(first.db_path, "SELECT created_at FROM open_cart_event")
    assert row == [(FIXED_NOW.replace(tzinfo=None).isoformat(sep=" "),)]
    doc = reg.pay_cash("")
    assert doc is not None
    assert journaled(first) is None  # the stored sale is no longer open
    assert log_kinds(first) == []


def test_empty_sale_clears_the_journal_but_voided_lines_keep_it(first: Till) -> None:
    reg = first.register
    reg.enter(LOAF)
    reg.void_line(0, approved(first, Action.VOID_LINE))
    # Nothing is left, but a line was voided: voiding this sale records it for the report.
    kept = journaled(first)
    assert kept is not None and kept["cart"]["voided_lines"] == 1
    reg.void_sale(approved(first, Action.VOID_SALE))
    assert journaled(first) is None
    reg.enter(LOAF)
    reg.suspend("later")
    assert journaled(first) is None


def test_a_failed_journal_write_does_not_undo_the_scan(first: Till) -> None:
    class BrokenStore(SqliteCartJournalStore):
        broken = True

        def save(
            self, till: str, snapshot: dict[str, Any], now: datetime, *, wait_ms: int | None = None
        ) -> None:
            if self.broken:
                raise StorageError("The disk is full: the sale was NOT stored")
            super().save(till, snapshot, now, wait_ms=wait_ms)

        def append_line(
            self, till: str, cart_uuid: str, line: dict[str, Any], now: datetime
        ) -> None:
            if self.broken:
                raise StorageError("The disk is full: the sale was NOT stored")
            super().append_line(till, cart_uuid, line, now)

    store = BrokenStore(first.db)
    journal = CartJournal(store, "T1", fixed_clock)
    reg = first.register
    reg.journal = journal
    reg.enter(LOAF)
    assert len(reg.cart.lines) == 1  # the scan stands
    assert journal.problem is not None and "not protected" in journal.problem
    assert "disk is full" in journal.problem
    store.broken = False
    reg.enter(LOAF)
    assert journal.problem is None
    assert journaled(first) is not None and len(journaled(first)["cart"]["lines"]) == 2
    store.broken = True  # an append that fails: the next scan writes the whole sale again
    reg.enter(CRISPS)
    assert journal.problem is not None
    store.broken = False
    reg.enter(LOAF)
    assert journal.problem is None and log_kinds(first) == ["snapshot"]
    assert journaled(first) == json.loads(json.dumps(snapshot(reg.cart, reg.tender)))


def test_unchanged_sale_is_not_written_twice(first: Till) -> None:
    writes: list[str] = []

    class CountingStore(SqliteCartJournalStore):
        def save(
            self, till: str, snapshot: dict[str, Any], now: datetime, *, wait_ms: int | None = None
        ) -> None:
            writes.append("save")
            super().save(till, snapshot, now)

        def clear(self, till: str) -> None:
            writes.append("clear")
            super().clear(till)

    journal = CartJournal(CountingStore(first.db), "T1", fixed_clock)
    cart = Cart(TAXES)
    journal.changed(cart)
    journal.changed(cart)
    assert writes == ["clear"]

    cart.add(CartLine(1, "Loaf", "each", 149, 1000, "B"))
    journal.changed(cart)
    journal.changed(cart)
    assert writes == ["clear", "save"]


def test_journal_write_cost_with_fifty_lines(
    first: Till, capsys: pytest.CaptureFixture[str]
) -> None:
    reg = first.register
    codes = [r["barcode"] for r in demo_products() if r["barcode"].startswith("590")][:50]
    for code in codes:
        reg.enter(code)
    assert len(reg.cart.lines) == 50
    other = Cart.from_dict(reg.cart.to_dict(), reg.cart.taxes, prices_include_tax=True)
    other.uuid = "0" * 32
    journal = CartJournal(SqliteCartJournalStore(first.db), "T1", fixed_clock)
    times = []
    for i in range(100):  # alternate two carts so that every call really writes
        cart = reg.cart if i % 2 else other
        start = time.perf_counter()
        journal.changed(cart)
        times.append(time.perf_counter() - start)
    size = len(sql(first.db_path, "SELECT json FROM open_cart_event")[0][0])
    median = statistics.median(times) * 1000
    p90 = sorted(times)[89] * 1000
    with capsys.disabled():
        print(
            f"\n  journal write, 50 lines ({size} bytes): median {median:.2f} ms, p90 {p90:.2f} ms"
        )
    assert median < 25  # an fsync'd commit; a scan must stay instant for the cashier


# -- restoring ---------------------------------------------------------------------------


def test_open_sale_is_restored_after_reopening_the_file(first: Till) -> None:
    sale_in_progress(first)
    before = first.register.cart.to_dict()
    totals = first.register.totals()
    second = reopen(first)
    try:
        reg = second.register
        assert reg.cart.to_dict() == before
        assert reg.totals() == totals
        assert not reg.has_payments
        reg.enter(LOAF)  # the restored sale goes on and is journaled again
        assert journaled(second)["cart"]["lines"][-1]["code"] == LOAF  # type: ignore[index]
        doc = reg.pay_cash("")
        assert doc is not None and doc.uuid == before["uuid"] and doc.voided_lines == 1
    finally:
        second.close()


def test_payments_are_restored_with_their_uuids_and_stored_once(first: Till) -> None:
    reg = first.register
    sale_in_progress(first)
    card = reg.tender_state().total_cents // 2
    reg.pay_card(f"{card // 100}.{card % 100:02d}", "AUTH 7")
    reg.pay_cash("1.00")
    taken = reg.tender_state().payments
    assert len(taken) == 2
    second = reopen(first)
    try:
        reg2 = second.register
        state = reg2.tender_state()
        assert state.payments == taken
        assert [p.uuid for p in state.payments] == [p.uuid for p in taken]
        assert state.remaining_cents == reg2.totals().total_cents - card - 100
        doc = reg2.pay_cash("")
        assert doc is not None
        assert [p.uuid for p in doc.payments[:2]] == [p.uuid for p in taken]
        stored = sql(
            second.db_path,
            "SELECT uuid, amount_cents FROM payment ORDER BY seq",
        )
        assert stored == [(p.uuid, p.amount_cents) for p in doc.payments]
        assert sum(p.amount_cents for p in doc.payments) == doc.total_cents + doc.rounding_cents
    finally:
        second.close()


def test_a_paid_sale_whose_commit_never_happened_completes_on_restart(first: Till) -> None:
    # The cash is taken and journaled; then storing the sale fails, and the till dies.
    reg = first.register
    reg.enter(LOAF)

    def disk_full(doc: Any) -> Any:
        raise StorageError("The disk is full: the sale was NOT stored")

    reg.store.record_sale = disk_full  # type: ignore[method-assign]
    with pytest.raises(StorageError):
        reg.pay_cash("5.00")
    uuid = reg.cart.uuid
    [cash] = reg.tender_state().payments
    second = reopen(first)
    try:
        reg2 = second.register
        assert reg2.tender_state().remaining_cents == 0
        doc = reg2.pay_cash("")  # the cashier presses pay: the sale is stored, no cash again
        assert doc is not None and doc.uuid == uuid and doc.payments == (cash,)
        assert cash.tendered_cents == 500 and cash.change_cents == 500 - 149
        assert sql(second.db_path, "SELECT COUNT(*) FROM sale") == [(1,)]
        assert journaled(second) is None
    finally:
        second.close()


@pytest.mark.parametrize("how", ["completed", "voided", "suspended"])
def test_a_sale_closed_before_the_crash_is_not_restored(first: Till, how: str) -> None:
    """A journal left behind by a sale that was stored or parked (an older till cleared
    the journal in a transaction of its own, after the sale's) is dropped, not restored."""
    reg = first.register
    reg.enter(LOAF)
    reg.enter(CRISPS)
    seen: list[str] = []
    record_sale = reg.store.record_sale

    def record_and_see(doc: Any) -> Any:  # what the journal holds while the sale commits
        seen.append(json.dumps(journaled(first)))
        return record_sale(doc)

    reg.store.record_sale = record_and_see  # type: ignore[method-assign]
    if how == "completed":
        reg.pay_card("", "AUTH 9")  # stored with its payment (not journaled before)
    elif how == "voided":
        reg.void_sale(approved(first, Action.VOID_SALE))
    else:
        seen.append(json.dumps(journaled(first)))
        reg.suspend()
    [stale] = seen
    assert json.loads(stale)["payments"] == []  # the settling payment goes with the sale
    assert journaled(first) is None
    put_snapshot(first, stale, json.loads(stale)["cart"]["uuid"])
    second = reopen(first)
    try:
        assert second.register.cart.is_empty and not second.register.has_payments
        assert journaled(second) is None
        closed: ClosedAs = "suspended" if how == "suspended" else "sale"
        uuid = json.loads(stale)["cart"]["uuid"]
        assert SqliteCartJournalStore(second.db).closed_as("T1", uuid) == closed
        assert sql(second.db_path, "SELECT COUNT(*) FROM sale") == [
            (0 if how == "suspended" else 1,)
        ]
        assert sql(second.db_path, "SELECT COUNT(*) FROM open_cart_set_aside") == [(0,)]
    finally:
        second.close()


def test_restoring_needs_an_empty_register(first: Till) -> None:
    reg = first.register
    reg.enter(LOAF)
    with pytest.raises(CartError, match="before restoring"):
        reg.restore_open_sale(Cart(TAXES))


# -- a journal that cannot be restored -----------------------------------------------------


def _good_snapshot(till: Till) -> dict[str, Any]:
    till.register.enter(LOAF)
    till.register.pay_card("1.00", "AUTH 3")
    data = journaled(till)
    assert data is not None
    return data


@pytest.mark.parametrize(
    ("make_text", "reason"),
    [
        (lambda good: '{"version": 1, "cart": {"uuid": "ab', "not readable JSON"),
        (lambda good: "[1, 2]", "not a JSON object"),
        (
            lambda good: json.dumps(good).replace('"tax_code": "B"', '"tax_code": "Q"'),
            "unknown tax code 'Q'",
        ),
    ],
)
def test_a_corrupt_journal_is_set_aside_and_the_till_opens_empty(
    first: Till, make_text: Any, reason: str
) -> None:
    good = _good_snapshot(first)
    text = make_text(good)
    assert log_kinds(first) == ["snapshot"]
    sql(first.db_path, "UPDATE open_cart_event SET json = ? WHERE till = 'T1'", (text,))

    # What the journal says about it: a clear message, and the row moved aside as it was.
    journal = CartJournal(SqliteCartJournalStore(first.db), "T1", fixed_clock)
    with pytest.raises(CartJournalError) as caught:
        journal.restore(TAXES, prices_include_tax=True)
    message = str(caught.value)
    assert reason in message
    assert "could not be restored" in message and "set aside for a manager" in message
    assert isinstance(caught.value, DomainError)
    assert journal.problem == message
    assert journaled(first) is None
    assert sql(first.db_path, "SELECT till, json, reason FROM open_cart_set_aside") == [
        ("T1", text, message.split("restored: ")[1].split(". It was set aside")[0])
    ]

    # Opening the till with such a row: it opens with an empty sale, nothing is lost.
    sql(first.db_path, "DELETE FROM open_cart_set_aside")
    put_snapshot(first, text)
    second = reopen(first)
    try:
        assert second.register.cart.is_empty and not second.register.has_payments
        assert journaled(second) is None
        [(kept, why)] = sql(second.db_path, "SELECT json, reason FROM open_cart_set_aside")
        assert kept == text and reason in why
        second.register.enter(LOAF)  # the till works
        assert journaled(second) is not None
        assert SqliteCartJournalStore(second.db).set_aside_rows("T1")[0][2] == text
    finally:
        second.close()


async def test_the_app_opens_on_the_restored_sale_and_finishes_it(first: Till) -> None:
    first.register.enter(LOAF)
    first.register.enter(CRISPS)
    first.register.pay_card("1.00", "AUTH 5")
    [card] = first.register.tender_state().payments
    second = reopen(first)
    try:
        app = build_app(second)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RegisterScreen)
            assert screen.cart_table.row_count == 2
            await pilot.press("f10")
            assert isinstance(app.screen, TenderScreen)
            await pilot.press("enter")  # exact cash for what the card did not pay
            await settle(pilot)
            await pilot.pause()
            assert isinstance(app.screen, RegisterScreen)
        rows = sql(second.db_path, "SELECT uuid, kind, amount_cents FROM payment ORDER BY seq")
        assert rows[0] == (card.uuid, "card", 100) and rows[1][1] == "cash"
        assert journaled(second) is None
    finally:
        second.close()


# -- the log replays to the sale ------------------------------------------------------------

CODES = [r["barcode"] for r in demo_products() if r["barcode"].startswith("590")][:12]

_STEP = st.one_of(
    st.tuples(st.just("scan"), st.sampled_from(CODES)),
    st.tuples(st.just("scan"), st.sampled_from([f"2*{c}" for c in CODES[:3]])),
    st.tuples(st.just("void"), st.integers(0, 5)),
    st.tuples(st.just("line_discount"), st.integers(0, 5)),
    st.tuples(st.just("cart_discount"), st.sampled_from(["5%", "", "0.10"])),
    st.tuples(st.just("customer"), st.booleans()),
    st.tuples(st.just("card"), st.sampled_from(["0.50", "1.00"])),
    st.tuples(st.just("undo_payment"), st.just(0)),
)


def _apply(reg: Any, step: tuple[str, Any], customer: int, void: Approval | None) -> None:
    kind, arg = step
    try:
        if kind == "scan":
            reg.enter(arg)
        elif kind == "void":
            reg.void_line(arg, void)
        elif kind == "line_discount":
            reg.set_line_discount(
                arg, "10%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier)
            )
        elif kind == "cart_discount":
            reg.set_cart_discount(arg, approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
        elif kind == "customer":
            reg.set_customer(customer if arg else None)
        elif kind == "card":
            reg.pay_card(arg, "AUTH 1")
        else:
            reg.remove_last_payment()
    except DomainError:
        pass  # refused: changes nothing (checked below like any other step)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(_STEP, max_size=25))
def test_the_log_always_replays_to_the_open_sale(first: Till, steps: list[tuple[str, Any]]) -> None:
    """Whatever the cashier does (scans append, anything else writes a snapshot), the
    journal replays to exactly the open sale with its payments; a stored sale leaves none."""
    reg = first.register
    reg._reset()  # each example starts with an empty sale
    known = first.customers.search("Ann Replay")
    customer = known[0].id if known else first.customers.create_quick("Ann Replay").id
    void = approved(first, Action.VOID_LINE)
    for step in steps:
        _apply(reg, step, customer, void)
        expected = None
        if not (reg.cart.is_empty and not reg.cart.voided_lines and not reg.has_payments):
            expected = json.loads(json.dumps(snapshot(reg.cart, reg.tender)))
        assert journaled(first) == expected, step
    if not reg.cart.is_empty:
        reg.pay_cash("")
        assert journaled(first) is None and log_kinds(first) == []
