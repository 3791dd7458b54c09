"""The hash-chained journal: written with every document, and every tampering detected."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fixed_clock
from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.devices import Devices
from tui_pos.domain.journal import GENESIS
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.models.journal_store import backfill_journal
from tui_pos.models.journal_verify import verify_journal

LOAF, ORGANIC = "5900000000015", "5900000000022"


class Drawer:
    def kick(self, pin: int, pulse_ms: int) -> None:
        """Always opens."""


@pytest.fixture
def shop(tmp_path: Path, demo_template: Path) -> Iterator[Till]:
    path = tmp_path / "till.db"
    shutil.copyfile(demo_template, path)
    till = open_till(
        Config(),
        path,
        devices=Devices(RecordingPrinter(), "p", drawer=Drawer()),
        clock=fixed_clock,
    )
    reg = till.register
    for n in range(6):
        reg.enter(LOAF)
        reg.enter(f"{n + 1}*{ORGANIC}")
        if n % 2:
            reg.pay_card("1.00", f"R{n}")
        reg.pay_cash("")
    reg.enter(LOAF)
    reg.void_sale()
    till.reports.close_day()
    till.drawer.no_sale(time.monotonic())
    reg.enter(ORGANIC)
    reg.pay_cash("")
    yield till
    till.close()


def _sql(till: Till, *statements: str) -> None:
    """Tamper like someone with the file and sqlite3: triggers dropped first."""
    with sqlite3.connect(till.db_path) as conn:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            if name.endswith(("_no_update", "_no_delete")):
                conn.execute(f'DROP TRIGGER "{name}"')
        for statement in statements:
            conn.execute(statement)


def _verify(till: Till) -> list[str]:
    return verify_journal(till.db)[0]


def test_every_document_is_chained_with_a_running_grand_total(shop: Till) -> None:
    with sqlite3.connect(shop.db_path) as conn:
        rows = conn.execute(
            "SELECT seq, kind, amount_cents, grand_total_cents, prev_hash, hash "
            "FROM journal ORDER BY seq"
        ).fetchall()
        sales_total = conn.execute(
            "SELECT SUM(total_cents) FROM sale WHERE status = 'completed'"
        ).fetchone()[0]
    assert [r[1] for r in rows] == ["sale"] * 6 + ["void", "z_close", "drawer", "sale"]
    assert [r[0] for r in rows] == list(range(1, 11))
    assert rows[0][4] == GENESIS
    assert all(rows[i][4] == rows[i - 1][5] for i in range(1, len(rows)))
    assert rows[-1][3] == sales_total
    problems, checked = verify_journal(shop.db)
    assert problems == [] and checked == 10


def test_journal_rows_cannot_be_changed_through_sql_with_the_triggers(shop: Till) -> None:
    with sqlite3.connect(shop.db_path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE journal SET amount_cents = 0 WHERE seq = 1")
    with sqlite3.connect(shop.db_path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM drawer_event")


TAMPERING: dict[str, tuple[tuple[str, ...], str]] = {
    "edit a line amount": (
        ("UPDATE sale_line SET amount_cents = amount_cents - 1 WHERE id = 4",),
        "sale T1-000002 differs",
    ),
    "edit a sale total": (("UPDATE sale SET total_cents = 1 WHERE seq = 3",), "T1-000003 differs"),
    "edit a payment": (("UPDATE payment SET kind = 'card' WHERE seq = 1",), "T1-000001 differs"),
    "edit a Z report": (
        ("UPDATE z_close SET report_json = replace(report_json, 'Z', 'X')",),
        "Z close T1-Z1 differs",
    ),
    "edit a drawer event": (("UPDATE drawer_event SET reason = 'sale'",), "drawer event"),
    "delete a sale": (
        (
            "DELETE FROM print_job WHERE sale_id = 5",
            "DELETE FROM stock_movement WHERE sale_line_id IN "
            "(SELECT id FROM sale_line WHERE sale_id = 5)",
            "DELETE FROM sale_line WHERE sale_id = 5",
            "DELETE FROM sale_tax WHERE sale_id = 5",
            "DELETE FROM payment WHERE sale_id = 5",
            "DELETE FROM sale WHERE id = 5",
        ),
        "T1-000005 is in the journal but not in the database",
    ),
    "insert a sale": (
        (
            "INSERT INTO sale (uuid, till, seq, status, created_at, cashier, subtotal_cents,"
            " discount_cents, tax_cents, total_cents, rounding_cents, change_cents,"
            " voided_lines) VALUES ('f00d', 'T1', 99, 'completed', '2026-11-25 12:00:00',"
            " '', 100, 0, 5, 100, 0, 0, 0)",
        ),
        "sale T1-000099 is not in the journal",
    ),
    "delete the last journal entry": (
        ("DELETE FROM journal WHERE seq = 10",),
        "T1-000008 is not in the journal",
    ),
    "delete a journal entry in the middle": (
        ("DELETE FROM journal WHERE seq = 4",),
        "entry #4 is missing",
    ),
    "edit a journal payload": (
        ("UPDATE journal SET payload = replace(payload, '\"R1\"', '\"R9\"') WHERE seq = 2",),
        "#2: its content was changed",
    ),
    "edit a running grand total": (
        ("UPDATE journal SET grand_total_cents = grand_total_cents + 100 WHERE seq = 3",),
        "#3: running grand total",
    ),
    "swap two journal entries": (
        (
            "UPDATE journal SET seq = -1 WHERE seq = 2",
            "UPDATE journal SET seq = 2 WHERE seq = 3",
            "UPDATE journal SET seq = 3 WHERE seq = -1",
        ),
        "#2: does not follow",
    ),
}


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_tampering_is_detected(shop: Till, name: str) -> None:
    statements, expected = TAMPERING[name]
    assert _verify(shop) == []
    _sql(shop, *statements)
    problems = _verify(shop)
    assert problems, name
    assert any(expected in p for p in problems), problems


def test_no_false_alarm_after_reopening_and_more_sales(shop: Till, tmp_path: Path) -> None:
    path = shop.db_path
    shop.close()
    again = open_till(Config(), path, printer=RecordingPrinter(), clock=fixed_clock)
    again.register.enter(LOAF)
    again.register.pay_cash("")
    assert verify_journal(again.db) == ([], 11)
    again.close()


def test_documents_from_before_the_journal_are_chained_by_its_migration(shop: Till) -> None:
    _sql(shop, "DELETE FROM journal")  # as if they were stored before migration 3
    assert "not in the journal" in _verify(shop)[0]
    with shop.db.atomic():
        assert backfill_journal(shop.db) == 10
    problems, checked = verify_journal(shop.db)
    assert problems == [] and checked == 10


def test_the_cli_verifies(shop: Till) -> None:
    from click.testing import CliRunner, Result

    from tui_pos.cli import main

    def run() -> Result:
        return CliRunner().invoke(main, ["--db", str(shop.db_path), "db", "verify"])

    ok = run()
    assert ok.exit_code == 0 and "journal ok (10 entries" in ok.output
    _sql(shop, "UPDATE sale SET cashier = 'x' WHERE seq = 1")
    broken = run()
    assert broken.exit_code == 1
    assert "BROKEN: sale T1-000001 differs" in broken.output
