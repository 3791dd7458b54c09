"""The unit of work on SQLite: one transaction and one chain entry per use case, and a
failure in the middle of a use case leaves nothing behind (sale, stock, points, chain)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.errors import StorageError
from tui_pos.domain.loyalty import PointsSummary
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action
from tui_pos.models.journal_verify import verify_journal
from tui_pos.models.sale_store import SqliteSaleStore
from tui_pos.services.ports import SalePoints

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
TABLES = (
    "sale",
    "sale_line",
    "sale_tax",
    "payment",
    "stock_movement",
    "loyalty_entry",
    "print_job",
    "cash_movement",
    "audit_event",
    "chain",
)


def counts(till: Till) -> dict[str, int]:
    """Rows per table, read through a connection of its own (what another process sees)."""
    with closing(sqlite3.connect(till.db_path)) as conn:
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in TABLES}


class PointsThenFailure:
    """The real points writer, then the disk fills up: the sale's last write fails."""

    def __init__(self, ledger: SalePoints) -> None:
        self.ledger = ledger
        self.written: PointsSummary | None = None

    def record_sale_points(self, doc: SaleDocument, sale_id: int) -> PointsSummary | None:
        self.written = self.ledger.record_sale_points(doc, sale_id)
        raise StorageError("The disk is full: the sale was NOT stored (test)")

    def sale_points(self, sale_id: int, customer_id: int | None) -> PointsSummary | None:
        return self.ledger.sale_points(sale_id, customer_id)


def test_a_failure_mid_sale_rolls_back_sale_stock_points_and_chain(demo_till: Till) -> None:
    reg = demo_till.register
    store = reg.store
    assert isinstance(store, SqliteSaleStore) and store.loyalty is not None
    ada = demo_till.customers.create(CustomerDetails(name="Ada Lovelace", phone="0123456789"))
    demo_till.customers.attach(reg, ada.id)
    reg.enter("3*" + LOAF)
    before = counts(demo_till)
    failing = PointsThenFailure(store.loyalty)
    store.loyalty = failing
    with pytest.raises(StorageError, match="NOT stored"):
        reg.pay_cash("10")
    assert failing.written is not None and failing.written.earned > 0  # points were written
    assert counts(demo_till) == before  # ... and went with everything else
    assert not reg.cart.is_empty and reg.has_payments  # the sale is kept to retry
    store.loyalty = failing.ledger
    stored = reg.pay_cash("")  # the retry stores it, once
    assert stored is not None and stored.points is not None and stored.points.earned > 0
    after = counts(demo_till)
    assert (after["sale"], after["chain"]) == (before["sale"] + 1, before["chain"] + 1)
    assert after["loyalty_entry"] > before["loyalty_entry"]
    assert verify_journal(demo_till.db)[0] == []


def test_a_use_case_over_several_stores_is_one_transaction_and_one_chain_entry(
    demo_till: Till,
) -> None:
    before = counts(demo_till)
    approval = approved(demo_till, Action.CASH_IN_OUT)
    assert approval is not None  # the demo till has a manager
    demo_till.cash.move("in", "5", "change from the bank", approval)
    after = counts(demo_till)
    assert after["cash_movement"] == before["cash_movement"] + 1
    assert after["audit_event"] == before["audit_event"] + 1  # cash_in, in the same entry
    assert after["chain"] == before["chain"] + 1
    with closing(sqlite3.connect(demo_till.db_path)) as conn:
        marks = conn.execute("SELECT marks FROM chain ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert '"audit_event"' in marks and '"cash_movement"' in marks
    assert verify_journal(demo_till.db)[0] == []


def test_an_error_inside_a_unit_of_work_rolls_back_every_store_and_seals_nothing(
    demo_till: Till,
) -> None:
    uow = demo_till.register.uow
    loaf = demo_till.catalog.by_code(demo_till.parser.parse(LOAF).code)
    assert loaf is not None
    before = counts(demo_till)
    with pytest.raises(RuntimeError, match="after three stores"), uow:
        demo_till.stock.store.record("T1", demo_till.reports.clock(), [])  # nothing: fine
        demo_till.stock.receive(
            "DN-1", {loaf.id: 5000}, approval=approved(demo_till, Action.PRODUCT_ADMIN)
        )
        demo_till.staff.record("test", "inside the unit of work")
        demo_till.cash.store.record("T1", "in", 100, "coins", None, "", demo_till.reports.clock())
        assert counts(demo_till) == before  # not visible to anyone else yet
        raise RuntimeError("after three stores")
    assert counts(demo_till) == before
    with uow:  # and the next one works, sealed once
        demo_till.staff.record("test", "one")
        demo_till.staff.record("test", "two")
    after = counts(demo_till)
    assert (after["audit_event"], after["chain"]) == (
        before["audit_event"] + 2,
        before["chain"] + 1,
    )
    assert verify_journal(demo_till.db)[0] == []
