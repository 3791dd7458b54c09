"""Stock as a ledger: levels derived from movements match a replay of the ledger; receiving,
counts with their variance, adjustments, low-stock alerts and report."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.domain.errors import DomainError
from tui_pos.domain.staff import Action
from tui_pos.domain.stock import Movement, ScanTally, StockError, replay
from tui_pos.services.stock import parse_signed_quantity

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
LOAF_ORGANIC = "5900000000022"  # 1.99, tax B


def rows(till: Till, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(till.db_path) as conn:
        return conn.execute(sql, args).fetchall()


def level_of(till: Till, code: str) -> int:
    return next(lv.level_milli for lv in till.stock.levels() if lv.code.endswith(code))


def product_id(till: Till, code: str) -> int:
    product = till.catalog.by_code("0" + code)
    assert product is not None
    return product.id


def ledger_replay(till: Till) -> dict[int, int]:
    moves = [
        Movement(pid, qty, kind)
        for pid, qty, kind in rows(till, "SELECT product_id, qty_milli, kind FROM stock_movement")
    ]
    return replay(moves)


def test_receiving_a_delivery_books_one_movement_per_item(demo_till: Till) -> None:
    before = level_of(demo_till, LOAF)
    tally = ScanTally()
    for text in (LOAF, LOAF, "10*" + LOAF_ORGANIC):
        item = demo_till.stock.scanned(text)
        tally.add(item.product_id, item.name, item.unit, item.qty_milli)
    assert [ln.qty_milli for ln in tally.items] == [2000, 10000]
    written = demo_till.stock.receive(
        "DN-4711", tally.quantities(), approval=approved(demo_till, Action.PRODUCT_ADMIN)
    )
    assert written == 2
    assert level_of(demo_till, LOAF) == before + 2000
    notes = rows(demo_till, "SELECT kind, note FROM stock_movement WHERE kind = 'receipt'")
    assert notes == [("receipt", "delivery DN-4711")] * 2
    with pytest.raises(StockError, match="reference"):
        demo_till.stock.receive(
            " ", tally.quantities(), approval=approved(demo_till, Action.PRODUCT_ADMIN)
        )
    with pytest.raises(StockError, match="Nothing scanned"):
        demo_till.stock.receive("DN-1", {}, approval=approved(demo_till, Action.PRODUCT_ADMIN))


def test_a_count_shows_the_variance_before_it_is_applied(demo_till: Till) -> None:
    loaf = product_id(demo_till, LOAF)
    ledger = level_of(demo_till, LOAF)
    preview = demo_till.stock.count_preview({loaf: 4000})
    assert [(c.ledger_milli, c.counted_milli, c.variance_milli) for c in preview] == [
        (ledger, 4000, 4000 - ledger)
    ]
    assert level_of(demo_till, LOAF) == ledger  # previewing writes nothing
    applied = demo_till.stock.apply_count(
        {loaf: 4000}, "shelf 3", approval=approved(demo_till, Action.PRODUCT_ADMIN)
    )
    assert applied[0].variance_milli == 4000 - ledger
    assert level_of(demo_till, LOAF) == 4000
    # Counting again the same number changes nothing.
    count = len(rows(demo_till, "SELECT id FROM stock_movement"))
    demo_till.stock.apply_count({loaf: 4000}, approval=approved(demo_till, Action.PRODUCT_ADMIN))
    assert len(rows(demo_till, "SELECT id FROM stock_movement")) == count


def test_adjustments_need_a_reason(demo_till: Till) -> None:
    before = level_of(demo_till, LOAF)
    after = demo_till.stock.adjust(
        LOAF, "-2", "broken in transport", approved(demo_till, Action.PRODUCT_ADMIN)
    )
    assert after.level_milli == before - 2000
    assert rows(demo_till, "SELECT note FROM stock_movement WHERE kind = 'adjustment'") == [
        ("broken in transport",)
    ]
    with pytest.raises(StockError, match="reason"):
        demo_till.stock.adjust(LOAF, "+1", "  ", approved(demo_till, Action.PRODUCT_ADMIN))
    with pytest.raises(DomainError):
        demo_till.stock.adjust(LOAF, "lots", "found", approved(demo_till, Action.PRODUCT_ADMIN))
    assert parse_signed_quantity("+0.250", "kg") == 250


def test_low_stock_alert_when_a_sale_crosses_the_reorder_level(demo_till: Till) -> None:
    pid = product_id(demo_till, LOAF)
    demo_till.db.execute_sql("UPDATE product SET reorder_level_milli = 5000 WHERE id = ?", (pid,))
    demo_till.stock.apply_count({pid: 8000}, approval=approved(demo_till, Action.PRODUCT_ADMIN))
    demo_till.register.enter("2*" + LOAF)
    first = demo_till.register.pay_cash("")
    assert first is not None
    assert demo_till.stock.alerts_after(first) == []  # 6 left: not yet
    demo_till.register.enter(LOAF)
    second = demo_till.register.pay_cash("")
    assert second is not None
    alerts = demo_till.stock.alerts_after(second)
    assert [a.name for a in alerts] == ["White Loaf 800g"]
    assert alerts[0].level_milli == 5000  # at the level is low
    demo_till.register.enter(LOAF)
    third = demo_till.register.pay_cash("")
    assert third is not None
    assert demo_till.stock.alerts_after(third) == []  # already low: alerted once
    low = demo_till.stock.levels(low_only=True)
    assert "White Loaf 800g" in [lv.name for lv in low]
    assert all(lv.level_milli <= lv.reorder_level_milli for lv in low)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("sell"), st.sampled_from([LOAF, LOAF_ORGANIC]), st.integers(1, 3)),
        st.tuples(st.just("receive"), st.sampled_from([LOAF, LOAF_ORGANIC]), st.integers(1, 20)),
        st.tuples(st.just("count"), st.sampled_from([LOAF, LOAF_ORGANIC]), st.integers(0, 30)),
        st.tuples(st.just("adjust"), st.sampled_from([LOAF, LOAF_ORGANIC]), st.integers(-5, 5)),
        st.tuples(st.just("return"), st.sampled_from([LOAF, LOAF_ORGANIC]), st.integers(0, 1)),
    ),
    max_size=12,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_levels_derived_from_the_ledger_match_a_replay(demo_till: Till, ops: list[Any]) -> None:
    expected = {pid: lv for pid, lv in ledger_replay(demo_till).items()}
    for op, code, n in ops:
        pid = product_id(demo_till, code)
        if op == "sell":
            demo_till.register.enter(f"{n}*{code}")
            assert demo_till.register.pay_cash("") is not None
            expected[pid] = expected.get(pid, 0) - n * 1000
        elif op == "receive":
            demo_till.stock.receive(
                "DN", {pid: n * 1000}, approval=approved(demo_till, Action.PRODUCT_ADMIN)
            )
            expected[pid] = expected.get(pid, 0) + n * 1000
        elif op == "count":
            demo_till.stock.apply_count(
                {pid: n * 1000}, approval=approved(demo_till, Action.PRODUCT_ADMIN)
            )
            expected[pid] = n * 1000
        elif op == "adjust" and n:
            demo_till.stock.adjust(code, str(n), "test", approved(demo_till, Action.PRODUCT_ADMIN))
            expected[pid] = expected.get(pid, 0) + n * 1000
        elif op == "return":
            demo_till.register.enter(code)
            sale = demo_till.register.pay_cash("")
            assert sale is not None
            line = demo_till.returns.open_sale(str(sale.seq)).lines[0]
            demo_till.returns.return_line(line, to_stock=bool(n))
            assert (
                demo_till.returns.refund("cash", approval=approved(demo_till, Action.REFUND))
                is not None
            )
            # sold one, took it back: to stock it is as before; damaged it is one less
            expected[pid] = expected.get(pid, 0) - (0 if n else 1000)
    replayed = ledger_replay(demo_till)
    derived = {lv.product_id: lv.level_milli for lv in demo_till.stock.levels()}
    for pid, qty in replayed.items():
        assert derived.get(pid, qty) == qty
    for pid in {product_id(demo_till, LOAF), product_id(demo_till, LOAF_ORGANIC)}:
        assert replayed[pid] == expected[pid]
        info = demo_till.catalog.info(pid)
        assert info is not None and info.stock_milli == expected[pid]
