"""Property: whatever happens (sales, redemptions, returns, refusals, rewards), the points
ledger and every balance the till shows agree, and a refused action writes nothing."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.test_customers import LOAF, add_customer, dated_sale, return_of
from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.domain.errors import DomainError
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action

operation = st.one_of(
    st.tuples(st.just("sale"), st.integers(1, 60_000)),
    st.tuples(st.just("redeem"), st.integers(1, 40), st.integers(0, 3_000)),
    st.tuples(st.just("return"), st.integers(0, 20)),
    st.tuples(st.just("adjust"), st.integers(-500, 500)),
)


def ledger_rows(till: Till, customer_id: int) -> list[tuple[int, str]]:
    with sqlite3.connect(till.db_path) as conn:
        return conn.execute(
            "SELECT points, kind FROM loyalty_entry WHERE customer_id = ? ORDER BY id",
            (customer_id,),
        ).fetchall()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operation, min_size=1, max_size=12))
def test_ledger_and_balances_never_disagree(demo_till: Till, ops: list[tuple[Any, ...]]) -> None:
    till, reg, customers = demo_till, demo_till.register, demo_till.customers
    cid = add_customer(till, f"Prop {len(customers.store.all_customers())}")
    when = till.register.clock() - timedelta(days=30)
    model = 0  # the balance as the receipts and messages told it, step by step
    sales: list[SaleDocument] = []
    for op in ops:
        kind = op[0]
        before = ledger_rows(till, cid)
        when += timedelta(hours=1)
        try:
            if kind == "sale":
                doc = dated_sale(till, cid, int(op[1]), when)
                sales.append(doc)
            elif kind == "redeem":
                customers.attach(reg, cid)
                reg.enter(f"{op[1]}*{LOAF}")
                customers.redeem(reg, str(op[2]) if op[2] else "")
                doc = reg.pay_cash("")  # type: ignore[assignment]
                assert doc is not None
                sales.append(doc)
            elif kind == "return":
                if not sales or op[1] >= len(sales) or sales[op[1]].total_cents <= 0:
                    continue
                original = sales.pop(op[1])
                doc = reg.store.record_sale(return_of(original, when))
            else:
                model = customers.ledger.adjust(cid, int(op[1]), "prop", "T1", when)
                assert sum(p for p, _ in ledger_rows(till, cid)) == model
                continue
        except DomainError:
            # A refusal writes nothing; the open sale is dropped for the next step.
            assert ledger_rows(till, cid) == before
            for _ in reg.tender_state().payments:
                reg.remove_last_payment()
            while reg.cart.lines:
                reg.void_line(0, approved(till, Action.VOID_LINE))
            reg.set_customer(None)
            continue
        assert doc.points is not None
        assert doc.points.redeemed <= model or doc.points.redeemed == 0
        previous = model
        model += doc.points.earned - doc.points.redeemed
        rows = ledger_rows(till, cid)
        assert doc.points.balance == model == sum(p for p, _ in rows)
        assert customers.ledger.balance(cid) == model
        assert customers.badge(cid).balance == model
        assert till.customers.history.stats([cid], when)[0].balance == model
        new = rows[len(before) :]
        assert all((p < 0) == (k in ("redeem", "reversal")) for p, k in new if p)
        if model < 0 <= previous:  # only a return's reversal takes it below zero
            assert any(k == "reversal" for _, k in new)
