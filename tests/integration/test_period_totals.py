"""The X/Z totals of the open period read each table once from the period's first sale on
(issue 17): the numbers must be exactly those of the plain per-sale joins they replace,
before and after a Z close, and the refund sum must use the index of refund lines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.sales_generator import (
    FIRST_DAY,
    Generated,
    MovingClock,
    generate,
    open_generated_till,
)
from tui_pos.bootstrap import Till
from tui_pos.domain.report import PeriodTotals, TaxTotal


@pytest.fixture
def generated(tmp_path: Path, demo_template: Path) -> Iterator[tuple[Till, Generated, MovingClock]]:
    clock = MovingClock(FIRST_DAY)
    till = open_generated_till(demo_template, tmp_path / "till.db", clock)
    made = generate(till, clock, seed=17, sales=60)
    yield till, made, clock
    till.close()


def reference_totals(till: Till, after_seq: int) -> PeriodTotals:
    """The sale sums as the store computed them before: one join per child table, probed
    sale by sale (kept here as the independent reference)."""
    db, name = till.db, till.register.settings.till
    scope = "FROM sale s WHERE s.till = ? AND s.seq > ?"
    args = (name, after_seq)
    head = db.execute_sql(
        "SELECT MIN(s.seq), MAX(s.seq), SUM(s.status = 'completed'),"
        " SUM(CASE WHEN s.status = 'completed' THEN s.subtotal_cents END),"
        " SUM(CASE WHEN s.status = 'completed' THEN s.discount_cents END),"
        " SUM(CASE WHEN s.status = 'completed' THEN s.tax_cents END),"
        " SUM(CASE WHEN s.status = 'completed' THEN s.total_cents END),"
        " SUM(CASE WHEN s.status = 'completed' THEN s.rounding_cents END),"
        " SUM(s.status = 'voided'), SUM(s.voided_lines) " + scope,
        args,
    ).fetchone()
    joined = " JOIN sale s ON s.id = c.sale_id WHERE s.till = ? AND s.seq > ?"
    completed = " AND s.status = 'completed'"
    taxes = db.execute_sql(
        "SELECT c.code, c.rate_bp, SUM(c.base_cents), SUM(c.tax_cents) FROM sale_tax c"
        + joined
        + completed
        + " GROUP BY c.code, c.rate_bp ORDER BY c.code, c.rate_bp",
        args,
    ).fetchall()
    tenders = db.execute_sql(
        "SELECT c.kind, SUM(c.amount_cents) FROM payment c" + joined + completed + " GROUP BY 1",
        args,
    ).fetchall()
    refunds = db.execute_sql(
        "SELECT -SUM(c.amount_cents) FROM sale_line c"
        + joined
        + completed
        + " AND c.amount_cents < 0",
        args,
    ).fetchone()
    return PeriodTotals(
        first_seq=head[0],
        last_seq=head[1],
        sales_count=head[2] or 0,
        gross_cents=head[3] or 0,
        discount_cents=head[4] or 0,
        tax_cents=head[5] or 0,
        total_cents=head[6] or 0,
        rounding_cents=head[7] or 0,
        voids_count=head[8] or 0,
        voided_lines=head[9] or 0,
        refunds_cents=refunds[0] or 0,
        taxes=tuple(TaxTotal(*row) for row in taxes),
        tenders=dict(tenders),
    )


def sales_part(totals: PeriodTotals) -> dict[str, Any]:
    """The fields the sale tables give (cash movements and no-sales come from others)."""
    fields = dict(totals.__dict__)
    for other in ("float_cents", "cash_in_cents", "cash_out_cents", "no_sales", "last_cash_seq"):
        fields.pop(other)
    return fields


def sell(till: Till, clock: MovingClock, product_ids: list[int], hours: int) -> None:
    """One cash sale of ``product_ids``, ``hours`` after the generated sales."""
    clock.now = FIRST_DAY + timedelta(days=5, hours=hours)
    for product_id in product_ids:
        till.register.add_product(product_id)
    till.register.pay_cash("")


def test_open_period_totals_equal_the_plain_joins(
    generated: tuple[Till, Generated, MovingClock],
) -> None:
    till, made, _clock = generated
    totals = till.reports.x_report().totals
    assert sales_part(totals) == sales_part(reference_totals(till, 0))
    # The data has what each sum reads: refunds, voids, several tax codes and tenders.
    assert totals.refunds_cents > 0 and totals.voids_count > 0
    assert len(totals.taxes) > 1 and len(totals.tenders) > 1
    completed = [d for d in made.docs if d.status == "completed"]
    assert totals.sales_count == len(completed)
    assert totals.total_cents == sum(d.total_cents for d in completed)


def test_after_a_z_close_the_totals_start_at_the_next_sale(
    generated: tuple[Till, Generated, MovingClock],
) -> None:
    till, made, clock = generated
    closed = till.reports.close_day()
    assert closed.totals.sales_count == sum(d.status == "completed" for d in made.docs)
    assert till.reports.x_report().totals.sales_count == 0  # nothing after the close
    ids = [info.product.id for info in till.catalog.search("a", 5)]
    sell(till, clock, ids[:2], 1)
    sell(till, clock, ids[2:5], 2)
    after = till.reports.x_report().totals
    assert sales_part(after) == sales_part(reference_totals(till, closed.totals.last_seq or 0))
    assert after.sales_count == 2 and after.first_seq == (closed.totals.last_seq or 0) + 1
    second = till.reports.close_day()
    assert sales_part(second.totals) == sales_part(after)


def test_the_sums_read_each_table_once_and_refunds_by_their_index(
    generated: tuple[Till, Generated, MovingClock],
) -> None:
    till, _made, _clock = generated
    statements: list[str] = []
    connection = till.db.connection()
    connection.set_trace_callback(statements.append)  # the SQL as run, values bound
    try:
        till.reports.x_report()
    finally:
        connection.set_trace_callback(None)
    plans = {}
    for sql in statements:
        if sql.startswith("SELECT") and " sale" in sql:
            plan = till.db.execute_sql("EXPLAIN QUERY PLAN " + sql).fetchall()
            plans[sql] = " ; ".join(str(row[3]) for row in plan)
    refunds = [p for sql, p in plans.items() if "amount_cents < 0" in sql]
    assert refunds and "USING INDEX sale_line_refund" in refunds[0]
    for sql, plan in plans.items():
        # No child table is probed once per sale through the (till, seq) index.
        assert "USING INDEX sale_till_seq" not in plan, (sql, plan)
