"""Storage integration tests: the real SQLite file, checked with raw sqlite3 queries."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, date, datetime
from importlib import import_module
from pathlib import Path
from typing import Any

import peewee
import pytest

from tests.support.approvals import approved
from tests.support.tills import copy_database
from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.demo.catalog import demo_products, price_label
from tui_pos.domain.cart import Cart
from tui_pos.domain.cart_lines import CartLine
from tui_pos.domain.errors import StorageError
from tui_pos.domain.report import DayReport
from tui_pos.domain.sale import SaleDocument, sale_document
from tui_pos.domain.staff import Action, Approval
from tui_pos.domain.tender import Tender
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.models.migrations import LATEST_VERSION, MIGRATIONS, current_version, migrate
from tui_pos.services.product_import import ImportFailed, ImportSummary, import_products

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
LOAF_ORGANIC = "5900000000022"  # White Loaf 800g Organic, 1.99, tax B
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

SALE_TABLES = ("sale", "sale_line", "sale_tax", "payment", "stock_movement")


# -- helpers ---------------------------------------------------------------------------


def rows(till: Till, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query run on a separate raw sqlite3 connection to the till's file."""
    with closing(sqlite3.connect(till.db_path)) as conn:
        return conn.execute(sql, params).fetchall()


def value(till: Till, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """The first column of the first row."""
    return rows(till, sql, params)[0][0]


def counts(till: Till, tables: tuple[str, ...] = SALE_TABLES) -> dict[str, int]:
    """Row count of each table."""
    return {t: value(till, f'SELECT COUNT(*) FROM "{t}"') for t in tables}


def stock_level(till: Till, product_id: int) -> int:
    """A product's stock (thousandths), summed from the ledger on the file."""
    return value(
        till,
        "SELECT COALESCE(SUM(qty_milli), 0) FROM stock_movement WHERE product_id = ?",
        (product_id,),
    )


def product_id(till: Till, name: str) -> int:
    """The id of the product called exactly ``name``."""
    return value(till, "SELECT id FROM product WHERE name = ?", (name,))


def open_at(path: Path, config: Config | None = None, clock: Any = None) -> Till:
    """A till on ``path`` with a fixed clock and a recording printer."""
    return open_till(
        config or Config(), path, printer=RecordingPrinter(), clock=clock or (lambda: NOON)
    )


def demo_copy(template: Path, path: Path) -> Path:
    """A copy of the session's demo database (see conftest.py) at ``path``."""
    copy_database(template, path)
    path.chmod(0o600)
    return path


def mixed_sale(till: Till) -> SaleDocument:
    """Several lines over two tax codes, a weighed item, discounts, card plus cash."""
    reg = till.register
    reg.enter(LOAF)
    reg.enter("3*" + LOAF_ORGANIC)
    reg.enter("0.512*4011")
    reg.add_product(product_id(till, "Cola 2L"))
    reg.set_line_discount(1, "10%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    reg.set_cart_discount("1.00", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    assert reg.pay_card("5.00", "REF123") is None
    doc = reg.pay_cash("20")
    assert doc is not None
    return doc


def simple_sale(till: Till, code: str = LOAF, cash: str = "") -> SaleDocument:
    till.register.enter(code)
    doc = till.register.pay_cash(cash)
    assert doc is not None
    return doc


# -- opening and migrating -------------------------------------------------------------


def test_connection_pragmas(till: Till) -> None:
    def pragma(name: str) -> Any:
        return till.db.execute_sql(f"PRAGMA {name}").fetchone()[0]

    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == 5000
    # WAL is a property of the file: a fresh connection sees it too.
    assert value(till, "PRAGMA journal_mode") == "wal"


def test_database_file_and_folder_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "till.db"
    till = open_at(path)
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        for sidecar in (path.with_name("till.db-wal"), path.with_name("till.db-shm")):
            if sidecar.exists():
                assert stat.S_IMODE(sidecar.stat().st_mode) & 0o077 == 0
    finally:
        till.close()


def test_migrate_twice_is_a_no_op(till: Till) -> None:
    assert current_version(till.db) == LATEST_VERSION
    schema_before = rows(till, "SELECT type, name, sql FROM sqlite_master ORDER BY name")
    assert migrate(till.db) == []
    assert migrate(till.db) == []
    assert value(till, "SELECT COUNT(*) FROM schema_version") == len(MIGRATIONS)
    assert value(till, "SELECT MAX(version) FROM schema_version") == LATEST_VERSION
    assert rows(till, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema_before


def test_every_migration_names_a_step_of_the_package() -> None:
    """The steps are imported only when they run (``"module:function"``): each resolves."""
    for migration in MIGRATIONS:
        module, _, function = migration.step.partition(":")
        assert callable(getattr(import_module(f"tui_pos.models.migrations.{module}"), function))


def test_reopening_keeps_the_schema_and_data(tmp_path: Path) -> None:
    path = tmp_path / "till.db"
    first = open_at(path)
    ensure_demo_catalog(first)
    doc = simple_sale(first)
    first.close()
    second = open_at(path)
    try:
        assert value(second, "SELECT COUNT(*) FROM schema_version") == len(MIGRATIONS)
        assert second.catalog.count() == len(demo_products())
        assert ensure_demo_catalog(second) is False  # not imported twice
        assert second.register.last_completed().uuid == doc.uuid
    finally:
        second.close()


def test_a_database_newer_than_the_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "till.db"
    open_at(path).close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?, 'future', '')",
            (LATEST_VERSION + 1,),
        )
        conn.commit()
    with pytest.raises(StorageError, match="newer than this tui-pos"):
        open_at(path)


# -- a completed sale on disk ------------------------------------------------------------


def test_completed_sale_stores_every_row(demo_till: Till) -> None:
    till = demo_till
    loaf, organic = product_id(till, "White Loaf 800g"), product_id(till, "White Loaf 800g Organic")
    bananas, cola = product_id(till, "Bananas"), product_id(till, "Cola 2L")
    before = {p: stock_level(till, p) for p in (loaf, organic, bananas, cola)}
    moves_before = value(till, "SELECT COUNT(*) FROM stock_movement")

    doc = mixed_sale(till)

    assert doc.seq == 1
    (sale_id, status, total, subtotal, discount, tax, rounding, change) = rows(
        till,
        "SELECT id, status, total_cents, subtotal_cents, discount_cents, tax_cents,"
        " rounding_cents, change_cents FROM sale WHERE uuid = ?",
        (doc.uuid,),
    )[0]
    assert status == "completed"
    assert (total, subtotal, discount, tax, rounding, change) == (
        doc.total_cents,
        doc.subtotal_cents,
        doc.discount_cents,
        doc.tax_cents,
        doc.rounding_cents,
        doc.change_cents,
    )
    # Lines: four of them, summing to the total (prices include tax).
    lines = rows(
        till,
        "SELECT product_id, qty_milli, base_cents, line_discount_cents, cart_discount_cents,"
        " amount_cents, tax_code FROM sale_line WHERE sale_id = ? ORDER BY position",
        (sale_id,),
    )
    assert [(ln[0], ln[1]) for ln in lines] == [
        (loaf, 1000),
        (organic, 3000),
        (bananas, 512),
        (cola, 1000),
    ]
    assert sum(ln[5] for ln in lines) == total
    assert sum(ln[2] for ln in lines) == subtotal
    assert sum(ln[3] + ln[4] for ln in lines) == discount
    assert all(ln[2] - ln[3] - ln[4] == ln[5] for ln in lines)
    # Tax: one row per code, bases summing to the total.
    taxes = rows(
        till,
        "SELECT code, base_cents, tax_cents FROM sale_tax WHERE sale_id = ? ORDER BY code",
        (sale_id,),
    )
    assert [t[0] for t in taxes] == ["A", "B"]
    assert sum(t[1] for t in taxes) == total
    assert sum(t[2] for t in taxes) == tax > 0
    # Payments: card then cash, covering total plus rounding.
    payments = rows(
        till,
        "SELECT kind, amount_cents, tendered_cents, change_cents, reference FROM payment"
        " WHERE sale_id = ? ORDER BY seq",
        (sale_id,),
    )
    assert [p[0] for p in payments] == ["card", "cash"]
    assert payments[0][1:] == (500, 500, 0, "REF123")
    assert sum(p[1] for p in payments) == total + rounding
    assert payments[1][2] == 2000
    assert payments[1][3] == change == 2000 - (total - 500)
    # Stock: one 'sale' movement per line, each product down by what was sold.
    moves = rows(
        till,
        "SELECT m.product_id, m.qty_milli, m.kind FROM stock_movement m"
        " JOIN sale_line l ON l.id = m.sale_line_id WHERE l.sale_id = ? ORDER BY m.seq",
        (sale_id,),
    )
    assert moves == [
        (loaf, -1000, "sale"),
        (organic, -3000, "sale"),
        (bananas, -512, "sale"),
        (cola, -1000, "sale"),
    ]
    assert value(till, "SELECT COUNT(*) FROM stock_movement") == moves_before + 4
    sold = {loaf: 1000, organic: 3000, bananas: 512, cola: 1000}
    for pid, qty in sold.items():
        assert stock_level(till, pid) == before[pid] - qty
        info = till.catalog.info(pid)
        assert info is not None and info.stock_milli == before[pid] - qty


def test_stored_sale_reads_back_identical(demo_till: Till) -> None:
    doc = mixed_sale(demo_till)
    store = demo_till.register.store
    assert store.sale("T1", 1) == doc
    assert store.last_sale("T1") == doc
    assert store.sale("T1", 2) is None


# -- idempotency and atomicity ---------------------------------------------------------


def test_record_sale_is_idempotent_by_uuid(demo_till: Till) -> None:
    reg = demo_till.register
    cart = Cart(reg.settings.taxes)
    for code, qty in ((LOAF, 1000), (LOAF_ORGANIC, 2000)):
        product = demo_till.catalog.by_code("0" + code)
        assert product is not None
        cart.add(CartLine(product.id, product.name, "each", product.price_cents, qty, "B"))
    tender = Tender(cart.totals().total_cents)
    tender.pay_cash(None)
    doc = sale_document(cart, tender, till="T1", cashier="", now=NOON)
    store = reg.store

    first = store.record_sale(doc)
    after_first = counts(demo_till)
    second = store.record_sale(doc)

    assert first.seq == second.seq == 1
    assert second == first
    assert counts(demo_till) == after_first
    assert value(demo_till, "SELECT COUNT(*) FROM sale WHERE uuid = ?", (doc.uuid,)) == 1
    # A later sale still gets the next number.
    assert simple_sale(demo_till).seq == 2


class _FailingCursor:
    """Wraps a sqlite3 cursor; inserting into ``table`` fails like a full disk."""

    def __init__(self, cursor: sqlite3.Cursor, table: str) -> None:
        self._cursor = cursor
        self._prefix = f"INSERT INTO {table} ("

    def _check(self, sql: str) -> None:
        if sql.lstrip().startswith(self._prefix):
            raise peewee.OperationalError("database or disk is full")

    def execute(self, sql: str, params: Any = ()) -> Any:
        self._check(sql)
        return self._cursor.execute(sql, params)

    def executemany(self, sql: str, seq: Any) -> Any:
        self._check(sql)
        return self._cursor.executemany(sql, seq)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


class _FailingConnection(_FailingCursor):
    """Wraps the sqlite3 connection (the sale's statements go to it directly) the same way."""

    def __init__(self, conn: sqlite3.Connection, table: str) -> None:
        super().__init__(conn, table)  # type: ignore[arg-type]


def _fail_inserts(patch: pytest.MonkeyPatch, till: Till, table: str) -> None:
    """Inserting into ``table`` fails like a full disk, through Peewee's cursor or straight
    on the connection (the sale's statements go there)."""
    real_cursor, real_connection = till.db.cursor, till.db.connection
    patch.setattr(till.db, "cursor", lambda *a, **k: _FailingCursor(real_cursor(*a, **k), table))
    patch.setattr(till.db, "connection", lambda: _FailingCursor(real_connection(), table))


def _counts_of_sales(till: Till) -> dict[str, int]:
    return {
        **counts(till, ("sale", "sale_line", "sale_tax", "payment")),
        "sale moves": value(till, "SELECT COUNT(*) FROM stock_movement WHERE kind = 'sale'"),
    }


@pytest.mark.parametrize("table", ["sale", "sale_line", "stock_movement", "sale_tax", "payment"])
def test_failed_commit_writes_nothing_and_keeps_the_sale_for_a_retry(
    demo_till: Till, monkeypatch: pytest.MonkeyPatch, table: str
) -> None:
    till, reg = demo_till, demo_till.register
    loaf = product_id(till, "White Loaf 800g")
    level_before = stock_level(till, loaf)
    reg.enter("2*" + LOAF)
    reg.enter("0.250*4011")
    reg.pay_card("1.00", "T-1")
    cart_uuid = reg.cart.uuid
    cart_before = reg.cart.to_dict()
    empty = _counts_of_sales(till)

    with monkeypatch.context() as patch:
        _fail_inserts(patch, till, table)
        with pytest.raises(StorageError) as failure:
            reg.pay_cash("10")

    message = str(failure.value)
    assert "disk is full" in message and "NOT stored" in message
    assert "Traceback" not in message and "OperationalError" not in message
    assert _counts_of_sales(till) == empty
    assert stock_level(till, loaf) == level_before
    # The register still holds the sale and both payments.
    assert reg.cart.uuid == cart_uuid
    assert reg.cart.to_dict() == cart_before
    state = reg.tender_state()
    assert [p.kind for p in state.payments] == ["card", "cash"]
    assert state.remaining_cents == 0

    # Paying again (the tender screen's Enter) stores it, exactly once.
    doc = reg.pay_cash("")
    assert doc is not None and doc.uuid == cart_uuid and doc.seq == 1
    assert reg.cart.is_empty
    assert value(till, "SELECT COUNT(*) FROM sale WHERE uuid = ?", (cart_uuid,)) == 1
    assert value(till, "SELECT COUNT(*) FROM payment") == 2
    assert value(till, "SELECT COUNT(*) FROM stock_movement WHERE kind = 'sale'") == 2
    assert stock_level(till, loaf) == level_before - 2000
    # A retry of the same document afterwards changes nothing.
    reg.store.record_sale(doc)
    assert value(till, "SELECT COUNT(*) FROM sale") == 1


def test_card_key_retries_a_card_paid_sale_whose_store_failed(
    demo_till: Till, monkeypatch: pytest.MonkeyPatch
) -> None:
    till, reg = demo_till, demo_till.register
    reg.enter(LOAF)
    with monkeypatch.context() as patch:
        _fail_inserts(patch, till, "sale")
        with pytest.raises(StorageError):
            reg.pay_card("", "T-9")
    assert reg.tender_state().remaining_cents == 0
    doc = reg.pay_card("", "ignored: already paid")
    assert doc is not None and doc.seq == 1
    assert [p.reference for p in doc.payments] == ["T-9"]
    assert value(till, "SELECT COUNT(*) FROM payment") == 1


def test_failure_raised_by_sqlite_inside_the_transaction_rolls_back(demo_till: Till) -> None:
    """A real SQLite abort halfway through (a temporary trigger), then complete()."""
    till, reg = demo_till, demo_till.register
    reg.enter(LOAF)
    reg.enter(LOAF_ORGANIC)
    empty = _counts_of_sales(till)
    till.db.execute_sql(
        'CREATE TEMP TRIGGER "fail_payment" BEFORE INSERT ON main.payment '
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    with pytest.raises(StorageError, match="disk is full"):
        reg.pay_cash("5")
    assert _counts_of_sales(till) == empty
    assert len(reg.cart.lines) == 2 and reg.has_payments

    till.db.execute_sql('DROP TRIGGER "fail_payment"')
    doc = reg.complete()
    assert doc.seq == 1 and doc.change_cents == 500 - 149 - 199
    assert _counts_of_sales(till) == {
        "sale": 1,
        "sale_line": 2,
        "sale_tax": 1,
        "payment": 1,
        "sale moves": 2,
    }


# -- append-only -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE sale SET total_cents = 0",
        "DELETE FROM sale",
        "UPDATE sale_line SET amount_cents = 0",
        "DELETE FROM sale_line",
        "UPDATE payment SET amount_cents = 0",
        "DELETE FROM payment",
        "UPDATE sale_tax SET tax_cents = 0",
        "DELETE FROM sale_tax",
        "UPDATE stock_movement SET qty_milli = 0",
        "DELETE FROM stock_movement",
    ],
)
def test_finished_documents_are_append_only(demo_till: Till, statement: str) -> None:
    mixed_sale(demo_till)
    before = {t: rows(demo_till, f"SELECT * FROM {t} ORDER BY id") for t in SALE_TABLES}
    with closing(sqlite3.connect(demo_till.db_path)) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="never changed"):
            conn.execute(statement)
        conn.commit()
    after = {t: rows(demo_till, f"SELECT * FROM {t} ORDER BY id") for t in SALE_TABLES}
    assert after == before


def test_z_closes_are_append_only(demo_till: Till) -> None:
    demo_till.reports.close_day(approved(demo_till, Action.Z_CLOSE))
    with closing(sqlite3.connect(demo_till.db_path)) as conn:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE z_close SET z_number = 7")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("DELETE FROM z_close")


# -- sequence numbers --------------------------------------------------------------------


def test_sequence_numbers_are_consecutive_per_till_including_voids(demo_till: Till) -> None:
    till, reg = demo_till, demo_till.register
    seqs = [simple_sale(till).seq, mixed_sale(till).seq]
    reg.enter(LOAF)
    voided = reg.void_sale(approved(demo_till, Action.VOID_SALE))
    assert voided is not None and voided.status == "voided"
    seqs.append(voided.seq)
    seqs.append(simple_sale(till, LOAF_ORGANIC, "10").seq)
    assert seqs == [1, 2, 3, 4]
    assert rows(till, "SELECT seq, status FROM sale ORDER BY id") == [
        (1, "completed"),
        (2, "completed"),
        (3, "voided"),
        (4, "completed"),
    ]
    pay_seqs = [r[0] for r in rows(till, "SELECT seq FROM payment ORDER BY id")]
    assert pay_seqs == list(range(1, len(pay_seqs) + 1)) and len(pay_seqs) == 4
    # The stock ledger numbers the import's count movements and the sales' together.
    move_seqs = [r[0] for r in rows(till, "SELECT seq FROM stock_movement ORDER BY id")]
    assert move_seqs == list(range(1, len(move_seqs) + 1))


def test_each_till_numbers_its_own_sales(tmp_path: Path, demo_template: Path) -> None:
    path = demo_copy(demo_template, tmp_path / "till.db")
    t1 = open_at(path)
    assert [simple_sale(t1).seq, simple_sale(t1).seq] == [1, 2]
    t1.close()
    config = replace(Config(), store=replace(Config().store, till="T2"))
    t2 = open_at(path, config)
    try:
        assert simple_sale(t2).seq == 1
        assert rows(t2, "SELECT till, seq FROM sale ORDER BY id") == [
            ("T1", 1),
            ("T1", 2),
            ("T2", 1),
        ]
    finally:
        t2.close()


# -- suspend / resume --------------------------------------------------------------------


def test_suspended_sale_survives_reopening_the_database(
    tmp_path: Path, demo_template: Path
) -> None:
    path = demo_copy(demo_template, tmp_path / "till.db")
    first = open_at(path)
    reg = first.register
    reg.enter("2*" + LOAF)
    reg.enter("0.750*4011")
    reg.enter(price_label("00005", 425))
    reg.set_line_discount(0, "0.20", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    reg.set_cart_discount("5%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    reg.void_line(1)
    parked = reg.cart.to_dict()
    totals = reg.totals()
    suspended_id = reg.suspend("  Mrs Smith  ")
    assert reg.cart.is_empty
    first.close()

    second = open_at(path)
    try:
        reg2 = second.register
        [listed] = reg2.suspended()
        assert listed.id == suspended_id
        assert listed.label == "Mrs Smith"
        assert listed.item_count == 2
        assert listed.total_cents == totals.total_cents
        assert listed.created_at == NOON
        reg2.resume(suspended_id)
        assert reg2.cart.to_dict() == parked
        assert reg2.totals() == totals
        assert reg2.suspended() == []
        assert value(second, "SELECT COUNT(*) FROM suspended_cart") == 0
        doc = reg2.pay_cash("")
        assert doc is not None and doc.uuid == parked["uuid"]
        assert doc.total_cents == totals.total_cents and doc.voided_lines == 1
    finally:
        second.close()


# -- search ------------------------------------------------------------------------------


def names(till: Till, text: str, limit: int = 50) -> list[str]:
    return [i.product.name for i in till.catalog.search(text, limit)]


def test_search_words_are_prefixes(demo_till: Till) -> None:
    found = names(demo_till, "choc")
    assert {"Dark Chocolate 100g", "Milk Chocolate 100g", "Pain au Chocolat"} <= set(found)
    assert all(any(w.lower().startswith("choc") for w in n.split()) for n in found)
    assert found == sorted(found, key=str.lower)
    narrowed = names(demo_till, "dark choc")
    assert narrowed and set(narrowed) < set(found)
    assert all(n.startswith("Dark Chocolate") for n in narrowed)
    assert names(demo_till, "hoc") == []  # a prefix, not a substring


def test_search_folds_case_and_diacritics(demo_till: Till) -> None:
    assert "Crème Fraîche 200ml" in names(demo_till, "creme")
    assert "Crème Fraîche 200ml" in names(demo_till, "CRÈME fraiche")
    assert "Cheese Comté (deli)" in names(demo_till, "comte")


def test_search_limit_stock_and_odd_input(demo_till: Till) -> None:
    assert len(names(demo_till, "choc", limit=3)) == 3
    [info] = [i for i in demo_till.catalog.search("white loaf", 50) if i.product.id == 1]
    assert info.category == "Bakery"
    assert info.stock_milli == stock_level(demo_till, 1)
    # Quotes, FTS operators and punctuation are words, never syntax.
    for text in ['"', 'choc"', "choc*", "OR", "NOT choc", "dark AND", "(", "-", "%"]:
        demo_till.catalog.search(text, 10)  # does not raise
    assert demo_till.register.search("   ") == []
    assert names(demo_till, "zzzz") == []


def test_catalog_count(till: Till) -> None:
    assert till.catalog.count() == 0
    ensure_demo_catalog(till)
    assert till.catalog.count() == len(demo_products())


def test_search_follows_renames(till: Till) -> None:
    _import(till, HEADER + "5901234123457,Green Tea 80,2.89,B,Pantry,10,,each,\n")
    assert names(till, "green") == ["Green Tea 80"]
    _import(till, HEADER + "5901234123457,Jasmine Tea 80,2.89,B,Pantry,10,,each,\n")
    assert names(till, "green") == []
    assert names(till, "jasm") == ["Jasmine Tea 80"]


# -- product import ----------------------------------------------------------------------

HEADER = "barcode,name,price,tax,category,stock,plu,unit,reorder_level\n"
VALID = (
    HEADER
    + "5901234123457,Test Tea 80,2.89,B,Pantry,10,,each,2\n"
    + ",Test Apples,2.49,B,Produce,12.5,4133,kg,5\n"
    + '4006381333931,Test Pen,"1,20",a,Office,,,,\n'
)


def _import(till: Till, text: str, *, dry_run: bool = False) -> ImportSummary:
    return till.import_products(
        text.splitlines(keepends=True),
        dry_run=dry_run,
        approval=approved(till, Action.PRODUCT_ADMIN),
    )


CATALOG_TABLES = ("product", "barcode", "category", "stock_movement", "product_search")


def catalog_snapshot(till: Till) -> dict[str, list[tuple[Any, ...]]]:
    return {t: rows(till, f'SELECT * FROM "{t}" ORDER BY 1') for t in CATALOG_TABLES}


def test_import_creates_products_and_count_movements(till: Till) -> None:
    summary = _import(till, VALID)
    assert summary == ImportSummary(created=3, updated=0, dry_run=False)
    products = rows(
        till,
        "SELECT p.name, p.price_cents, p.tax_code, c.name, p.unit, p.plu, p.reorder_level_milli"
        " FROM product p LEFT JOIN category c ON c.id = p.category_id ORDER BY p.id",
    )
    assert products == [
        ("Test Tea 80", 289, "B", "Pantry", "each", None, 2000),
        ("Test Apples", 249, "B", "Produce", "kg", "4133", 5000),
        ("Test Pen", 120, "A", "Office", "each", None, 0),
    ]
    assert rows(till, "SELECT code FROM barcode ORDER BY code") == [
        ("04006381333931",),
        ("05901234123457",),
    ]
    assert rows(till, "SELECT product_id, qty_milli, kind FROM stock_movement ORDER BY id") == [
        (1, 10000, "count"),
        (2, 12500, "count"),
    ]
    # The imported items sell.
    till.register.enter("5901234123457")
    till.register.enter("0.400*4133")
    assert [ln.name for ln in till.register.cart.lines] == ["Test Tea 80", "Test Apples"]


def test_reimport_updates_and_moves_stock_by_the_difference(till: Till) -> None:
    _import(till, VALID)
    tea = product_id(till, "Test Tea 80")
    simple_sale(till, "5901234123457")  # stock 10 -> 9
    assert stock_level(till, tea) == 9000
    moves_before = value(till, "SELECT COUNT(*) FROM stock_movement")

    changed = VALID.replace("Test Tea 80,2.89,B,Pantry,10", "Test Tea 80,3.10,B,Pantry,7")
    summary = _import(till, changed)

    assert summary == ImportSummary(created=0, updated=3, dry_run=False)
    assert value(till, "SELECT COUNT(*) FROM product") == 3
    assert value(till, "SELECT COUNT(*) FROM barcode") == 2
    assert value(till, "SELECT COUNT(*) FROM category") == 3
    assert value(till, "SELECT price_cents FROM product WHERE id = ?", (tea,)) == 310
    # One new movement (tea 9 -> 7); apples already at 12.5, the pen has no stock column.
    assert value(till, "SELECT COUNT(*) FROM stock_movement") == moves_before + 1
    assert rows(
        till, "SELECT product_id, qty_milli, kind FROM stock_movement ORDER BY id DESC LIMIT 1"
    ) == [(tea, -2000, "count")]
    assert stock_level(till, tea) == 7000
    assert stock_level(till, product_id(till, "Test Apples")) == 12500

    # The same file again changes nothing but the 'updated' count.
    snapshot = catalog_snapshot(till)
    assert _import(till, changed).updated == 3
    assert catalog_snapshot(till) == snapshot


@pytest.mark.parametrize(
    ("bad_line", "line", "reason"),
    [
        ("5901234123458,Bad Check,1.00,B,X,1,,each,", 3, "check digit"),
        ("5000000000005,Bad Tax,1.00,Q,X,1,,each,", 3, "tax code 'Q'"),
        ("5000000000005,Bad Price,1.2.3,B,X,1,,each,", 3, "price"),
        ("5000000000005,Bad Price,-1,B,X,1,,each,", 3, "price"),
        ("5901234123457,Same Code,1.00,B,X,1,,each,", 3, "also on line 2"),
        ("5000000000005,Short Row", 3, "missing"),
        ("5000000000005,Boxed,1.00,B,X,1,,box,", 3, "unit must be each or kg"),
        ("5000000000005,Half,1.00,B,X,1.5,,each,", 3, "stock"),
        (",No Code,1.00,B,X,1,,each,", 3, "needs a barcode or a plu"),
        ("5000000000005,,1.00,B,X,1,,each,", 3, "name"),
    ],
)
def test_import_with_a_bad_row_writes_nothing(
    till: Till, bad_line: str, line: int, reason: str
) -> None:
    _import(till, VALID)
    snapshot = catalog_snapshot(till)
    text = HEADER + "5901234123457,Test Tea 80,9.99,B,Pantry,1,,each,\n" + bad_line + "\n"
    with pytest.raises(ImportFailed) as failure:
        _import(till, text)
    [error] = failure.value.errors
    assert error.line == line
    assert reason in error.reason
    assert f"line {line}:" in str(failure.value)
    assert catalog_snapshot(till) == snapshot  # not even the good row was written


def test_import_with_a_missing_column_writes_nothing(till: Till) -> None:
    text = "barcode,name,price,tax,category\n5901234123457,Tea,2.89,B,Pantry\n"
    with pytest.raises(ImportFailed, match="line 1: missing column.*stock"):
        _import(till, text)
    assert catalog_snapshot(till) == {t: [] for t in CATALOG_TABLES}


def test_import_lists_every_bad_row(till: Till) -> None:
    text = (
        HEADER
        + "5901234123457,Good,2.89,B,Pantry,10,,each,\n"  # line 2
        + "5901234123458,Bad Check,1.00,B,X,1,,each,\n"  # line 3
        + "5000000000005,Bad Tax,1.00,Q,X,1,,each,\n"  # line 4
        + "5000000000012,Bad Price,abc,B,X,1,,each,\n"  # line 5
        + "5901234123457,Dup,1.00,B,X,1,,each,\n"  # line 6
        + "5000000000029,Short\n"  # line 7
        + "5000000000036,Boxed,1.00,B,X,1,,box,\n"  # line 8
    )
    before = counts(till, ("product", "barcode", "category", "stock_movement"))
    with pytest.raises(ImportFailed) as failure:
        _import(till, text)
    assert [e.line for e in failure.value.errors] == [3, 4, 5, 6, 7, 8]
    message = str(failure.value)
    assert message.startswith("6 bad row(s), nothing imported")
    for n in range(3, 9):
        assert f"line {n}:" in message
    assert counts(till, ("product", "barcode", "category", "stock_movement")) == before


def test_import_dry_run_writes_nothing_but_reports_counts(till: Till) -> None:
    assert _import(till, VALID, dry_run=True) == ImportSummary(3, 0, True)
    assert catalog_snapshot(till) == {t: [] for t in CATALOG_TABLES}
    _import(till, VALID)
    snapshot = catalog_snapshot(till)
    extra = VALID.replace("Test Tea 80,2.89", "Test Tea 80,3.50") + (
        "96385074,Test Gum,0.50,A,Snacks,20,,each,\n"
    )
    assert _import(till, extra, dry_run=True) == ImportSummary(1, 3, True)
    assert catalog_snapshot(till) == snapshot


# -- reports -----------------------------------------------------------------------------


def _expected(docs: list[SaleDocument]) -> dict[str, Any]:
    """Report totals computed independently from the sale documents."""
    done = [d for d in docs if d.status == "completed"]
    taxes: dict[str, list[int]] = {}
    tenders: dict[str, int] = {}
    for d in done:
        for t in d.taxes:
            acc = taxes.setdefault(t.code, [0, 0])
            acc[0] += t.base_cents
            acc[1] += t.tax_cents
        for p in d.payments:
            tenders[p.kind] = tenders.get(p.kind, 0) + p.amount_cents
    return {
        "sales_count": len(done),
        "gross_cents": sum(d.subtotal_cents for d in done),
        "discount_cents": sum(d.discount_cents for d in done),
        "net_cents": sum(d.subtotal_cents - d.discount_cents for d in done),
        "tax_cents": sum(d.tax_cents for d in done),
        "total_cents": sum(d.total_cents for d in done),
        "rounding_cents": sum(d.rounding_cents for d in done),
        "voids_count": sum(1 for d in docs if d.status == "voided"),
        "voided_lines": sum(d.voided_lines for d in docs),
        "tax_by_code": {c: {"base_cents": b, "tax_cents": t} for c, (b, t) in taxes.items()},
        "tenders": tenders,
        "cash_expected_cents": tenders.get("cash", 0),
        "first_sale": min((d.seq for d in docs if d.seq), default=None),
        "last_sale": max((d.seq for d in docs if d.seq), default=None),
    }


def _actual(report: DayReport) -> dict[str, Any]:
    data = report.to_dict()
    data["tax_by_code"] = {
        c: {"base_cents": v["base_cents"], "tax_cents": v["tax_cents"]}
        for c, v in data["tax_by_code"].items()
    }
    return {k: data[k] for k in _expected([])}


@pytest.fixture
def rounding_till(tmp_path: Path, demo_template: Path) -> Iterator[Till]:
    """A demo till whose cash is rounded to 0.05."""
    config = replace(Config(), store=replace(Config().store, cash_rounding=5))
    till = open_at(demo_copy(demo_template, tmp_path / "till.db"), config)
    yield till
    till.close()


def test_x_report_totals_match_the_sales(rounding_till: Till) -> None:
    till, reg = rounding_till, rounding_till.register
    docs: list[SaleDocument] = []
    # 1.49 in cash -> 1.50 due: +0.01 rounding, change from 5.00.
    reg.enter(LOAF)
    docs.append(reg.pay_cash("5"))  # type: ignore[arg-type]
    # Two codes and a sale discount, all on card (never rounded).
    reg.enter("2*" + LOAF)
    reg.add_product(product_id(till, "Cola 2L"))
    reg.set_cart_discount("10%", approval=Approval(Action.DISCOUNT_OVER_LIMIT, reg.cashier))
    docs.append(reg.pay_card("", "C-1"))  # type: ignore[arg-type]
    # Card part then cash: 0.66 + 3.50 = 4.16, 2.00 card, 2.16 -> 2.15 in cash.
    reg.enter("0.512*4011")
    reg.enter(price_label("00005", 350))
    assert reg.pay_card("2.00", "C-2") is None
    docs.append(reg.pay_cash("2.15"))  # type: ignore[arg-type]
    # A voided sale, and a sale with a voided line.
    reg.enter(LOAF)
    docs.append(reg.void_sale(approved(rounding_till, Action.VOID_SALE)))  # type: ignore[arg-type]
    reg.enter(LOAF)
    reg.enter(LOAF_ORGANIC)
    reg.void_line(0)
    docs.append(reg.pay_cash("2"))  # type: ignore[arg-type]

    assert [d.rounding_cents for d in docs] == [1, 0, -1, 0, 1]
    report = till.reports.x_report()
    assert report.kind == "X" and report.z_number is None
    expected = _expected(docs)
    assert _actual(report) == expected
    assert expected["sales_count"] == 4 and expected["voids_count"] == 1
    assert expected["rounding_cents"] == 1
    assert set(expected["tax_by_code"]) == {"A", "B"}
    assert sum(report.totals.tenders.values()) == report.totals.total_cents + 1
    # Raw SQL on the file agrees.
    assert (
        value(till, "SELECT SUM(subtotal_cents) FROM sale WHERE status = 'completed'")
        == (expected["gross_cents"])
    )
    assert (
        value(
            till,
            "SELECT SUM(p.amount_cents) FROM payment p JOIN sale s ON s.id = p.sale_id"
            " WHERE p.kind = 'cash'",
        )
        == (expected["cash_expected_cents"])
    )
    # An X report changes nothing.
    assert value(till, "SELECT COUNT(*) FROM z_close") == 0
    assert till.reports.x_report() == report


def test_z_closes_are_numbered_and_cover_only_new_sales(demo_till: Till) -> None:
    till, reports = demo_till, demo_till.reports
    first = [simple_sale(till)]
    z1 = reports.close_day(approved(demo_till, Action.Z_CLOSE))
    assert z1.kind == "Z" and z1.z_number == 1 and z1.date == "2026-11-25"
    assert _actual(z1) == _expected(first)

    empty_x = reports.x_report()
    assert _actual(empty_x) == _expected([])
    assert empty_x.totals.first_seq is None and empty_x.totals.tenders == {}

    second = [mixed_sale(till), simple_sale(till, LOAF_ORGANIC, "5")]
    till.register.enter(LOAF)
    second.append(till.register.void_sale(approved(till, Action.VOID_SALE)))  # type: ignore[arg-type]
    assert _actual(reports.x_report()) == _expected(second)
    z2 = reports.close_day(approved(demo_till, Action.Z_CLOSE))
    assert z2.z_number == 2
    assert _actual(z2) == _expected(second)
    assert (z2.totals.first_seq, z2.totals.last_seq) == (2, 4)

    z3 = reports.close_day(approved(demo_till, Action.Z_CLOSE))  # nothing sold since
    assert z3.z_number == 3 and z3.totals.sales_count == 0
    assert _actual(reports.x_report()) == _expected([])

    assert rows(till, "SELECT z_number, first_seq, last_seq FROM z_close ORDER BY id") == [
        (1, 1, 1),
        (2, 2, 4),
        (3, 5, 4),
    ]
    day = NOON.astimezone().date()
    closes = reports.z_reports(day)
    assert [r.z_number for r in closes] == [1, 2, 3]
    assert closes == [z1, z2, z3]
    assert reports.z_reports(date.fromordinal(day.toordinal() + 1)) == []
    # A day's X report still covers the whole day, closes or not.
    assert _actual(reports.x_report(day)) == _expected(first + second)


def test_z_report_survives_reopening(tmp_path: Path, demo_template: Path) -> None:
    path = demo_copy(demo_template, tmp_path / "till.db")
    first = open_at(path)
    simple_sale(first)
    z1 = first.reports.close_day(approved(first, Action.Z_CLOSE))
    first.close()
    second = open_at(path)
    try:
        simple_sale(second)
        z2 = second.reports.close_day(approved(second, Action.Z_CLOSE))
        assert (z1.z_number, z2.z_number) == (1, 2)
        assert z2.totals.first_seq == z2.totals.last_seq == 2
        assert second.reports.z_reports(NOON.astimezone().date()) == [z1, z2]
    finally:
        second.close()


@pytest.fixture
def paris_time() -> Iterator[None]:
    """Run with the local time zone set to Europe/Paris (CET in winter, CEST in summer)."""
    if not Path("/usr/share/zoneinfo/Europe/Paris").exists():
        pytest.skip("no tz database")
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Paris"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_day_report_uses_the_offset_of_that_day(
    tmp_path: Path, demo_template: Path, paris_time: None
) -> None:
    now = [datetime(2026, 6, 30, 22, 30, tzinfo=UTC)]  # 00:30 on 1 July in Paris (CEST)
    till = open_at(demo_copy(demo_template, tmp_path / "till.db"), clock=lambda: now[0])
    try:
        simple_sale(till)
        assert till.reports.x_report(date(2026, 7, 1)).totals.sales_count == 1
        now[0] = NOON  # the report is run in November (CET)
        assert till.reports.x_report(date(2026, 7, 1)).totals.sales_count == 1
        assert till.reports.x_report(date(2026, 6, 30)).totals.sales_count == 0
    finally:
        till.close()


def test_reimport_without_optional_columns_keeps_unit_plu_and_reorder_level(
    demo_till: Till,
) -> None:
    """A price list with only the required columns must not turn weighed ham into pieces."""
    ham_label = "2100001000004"  # the deli ham's weight-label base code
    rows = [
        "barcode,name,price,tax,category,stock\n",
        f"{ham_label},Ham Sliced (deli),19.90,B,Deli,3.250\n",
    ]
    summary = import_products(
        rows,
        demo_till.catalog_writer,
        ["A", "B", "Z"],
        demo_till.parser,
        till="T1",
        now=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
    )
    assert summary.updated == 1 and summary.created == 0
    demo_till.register.enter("2100001002503")  # 250 g still sells by weight
    line = demo_till.register.cart.lines[-1]
    assert (line.unit, line.qty_milli, line.unit_price_cents) == ("kg", 250, 1990)


def test_a_lower_migration_landing_after_a_higher_one_is_still_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Branches built side by side may land migration 8 before 6: a database migrated in
    between must get 6 when it arrives (missing versions, not "above the current")."""
    from tui_pos.models import migrations
    from tui_pos.models.database import open_database

    later = MIGRATIONS[-1]
    earlier = MIGRATIONS[-2]
    monkeypatch.setattr(migrations, "MIGRATIONS", tuple(m for m in MIGRATIONS if m != earlier))
    db = open_database(tmp_path / "till.db")
    assert earlier not in migrations.migrate(db) and current_version(db) == later.version
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    assert migrations.pending(db) == [earlier]
    assert migrations.migrate(db) == [earlier]
    assert migrations.pending(db) == []
    db.close()
