"""The keyed, anchored hash chain: every document and ledger row is chained, and every
tampering is found (each chained table: a row edited column by column, deleted, slipped
in; a trigger dropped or added, the schema altered; the chain rebuilt without the key,
cut back with the last sale, or rolled back to an older backup), with no false alarm
after normal use, backup, restore, erasure and migration."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.support.approvals import approved
from tests.support.tills import (
    MANAGER_CODE,
    MANAGER_PIN,
    TEST_PIN_COST,
    copy_database,
    fixed_clock,
    log_in_manager,
)
from tui_pos.bootstrap import Till, open_till
from tui_pos.cli import main
from tui_pos.config import Config
from tui_pos.devices import Devices
from tui_pos.domain.cart_lines import CartLine
from tui_pos.domain.chain import GENESIS, ChainEntry, RowDigest, next_entry
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.errors import StorageError
from tui_pos.domain.returns import ReturnAmounts
from tui_pos.domain.staff import Action
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.models.backup import backup_database, restore_database
from tui_pos.models.chain_store import ENTRY_COLUMNS, add_rows
from tui_pos.models.chain_tables import CHAINED
from tui_pos.models.database import open_database
from tui_pos.models.journal_verify import verify_journal

LOAF, ORGANIC = "5900000000015", "5900000000022"
ORDER = {
    "order_id": "WEB-7",
    "created_at": "2026-11-25T09:14:00Z",
    "paid": True,
    "collection": True,
    "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0001"},
    "lines": [{"barcode": LOAF, "qty": 2, "price": "1.49"}],
}


class Drawer:
    def kick(self, pin: int, pulse_ms: int) -> None:
        """Always opens."""


def open_shop(path: Path) -> Till:
    till = open_till(
        Config(),
        path,
        devices=Devices(RecordingPrinter(), "p", drawer=Drawer()),
        clock=fixed_clock,
        pin_cost=TEST_PIN_COST,
    )
    log_in_manager(till)
    return till


def normal_use(till: Till) -> None:
    """A day that writes every chained table at least twice."""
    reg, staff = till.register, till.staff
    staff.clock_in_out()
    staff.clock_in_out()
    till.cash.record_float("100.00", staff.current)
    till.cash.move("in", "5.00", "change from the bank", staff.allowed(Action.CASH_IN_OUT, "in"))
    ada = till.customers.create(
        CustomerDetails(name="Ada Lovelace", email="ada@example.com", phone="+44 20 7946 0001")
    )
    for n in range(4):
        if n < 2:
            till.customers.attach(reg, ada.id)
        reg.enter(LOAF)
        reg.enter(f"{n + 1}*{ORGANIC}")
        if n % 2:
            reg.pay_card("1.00", f"R{n}")
        reg.pay_cash("")
    sold = reg.find_sale("2")
    till.returns.open_sale(str(sold.seq))
    till.returns.return_line(till.returns.open_sale(str(sold.seq)).lines[0])
    refund = till.returns.refund("store_credit", approval=staff.allowed(Action.REFUND, "r"))
    assert refund is not None
    reg.enter(LOAF)
    till.returns.pay_store_credit(refund.payments[0].reference)
    reg.enter(LOAF)
    reg.add_line(taken_back_elsewhere(till, "a" * 32))  # a claim released by the void
    reg.void_sale(staff.allowed(Action.VOID_SALE, "void"))
    till.drawer.no_sale(time.monotonic(), staff.allowed(Action.NO_SALE, "drawer"))
    till.drawer.no_sale(time.monotonic(), staff.allowed(Action.NO_SALE, "drawer"))
    loaf = till.catalog.by_code(till.parser.parse(LOAF).code)
    assert loaf is not None
    till.stock.receive("DEL-1", {loaf.id: 5000}, approval=approved(till, Action.PRODUCT_ADMIN))
    till.stock.adjust(LOAF, "-1", "broken", staff.allowed(Action.PRODUCT_ADMIN, "a"))
    second = dict(ORDER, order_id="WEB-8", customer={"name": "Bo"})
    till.online_orders.import_text(json.dumps({"orders": [ORDER, second]}))
    for order in till.online_orders.find_for_collection(""):
        till.online_orders.hand_over(order, "Sam")
    loyalty_offers(till)
    till.reports.close_day(staff.allowed(Action.Z_CLOSE, "Z"))
    till.reports.close_day(staff.allowed(Action.Z_CLOSE, "Z"))
    reg.enter(ORGANIC)
    reg.add_line(taken_back_elsewhere(till, "b" * 32))  # a claim completed by the sale
    reg.pay_cash("")


def taken_back_elsewhere(till: Till, claim: str) -> CartLine:
    """A loaf taken back of another till's sale, as the store server granted ``claim``."""
    line = till.register.line_for(LOAF)
    return replace(line, qty_milli=-1000, refund=ReturnAmounts(-149, 0, 0), claim=claim)


_CAMPAIGN = "Subject: Hi\n\n{{coupon}} {{unsubscribe}}\n--- html ---\n<p>{{unsubscribe}}</p>\n"


def loyalty_offers(till: Till) -> None:
    """Two campaigns with coupons, two coupons redeemed, two unsubscribes."""
    from datetime import timedelta

    from tui_pos.services.campaigns import CouponOffer

    for n, name in enumerate(("Bea Bloggs", "Cal Crane")):
        till.customers.create(
            CustomerDetails(name=name, email=f"c{n}@example.com", marketing_consent=True)
        )
    offer = CouponOffer("amount", 10, till.register.clock().date() + timedelta(days=30))
    for name in ("spring", "summer"):
        till.campaigns.send(
            "newsletter",
            _CAMPAIGN,
            "t.txt",
            "M",
            name=name,
            control_percent=0,
            coupon=offer,
            approval=approved(till, Action.CUSTOMER_ADMIN),
        )
    codes = till.db.execute_sql(
        "SELECT q.code FROM coupon q JOIN campaign k ON k.id = q.campaign_id"
        " WHERE k.name = 'spring' ORDER BY q.id"
    ).fetchall()
    for (code,) in codes:
        till.register.enter(LOAF)
        till.register.enter(code)
        till.register.pay_cash("")
    one_each = "SELECT MIN(token) FROM unsubscribe_token GROUP BY customer_id LIMIT 2"
    for (token,) in till.db.execute_sql(one_each).fetchall():  # two customers, not one twice
        till.campaigns.unsubscribe(token)


@pytest.fixture(scope="module")
def busy_template(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    path = copy_database(demo_template, tmp_path_factory.mktemp("busy") / "till.db")
    till = open_shop(path)
    normal_use(till)
    till.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    till.close()
    return path


@pytest.fixture
def shop(tmp_path: Path, busy_template: Path) -> Path:
    """A copy of the busy shop's database (with its key and anchor), closed."""
    return copy_database(busy_template, tmp_path / "till.db")


def problems_of(path: Path) -> list[str]:
    db = open_database(path)
    try:
        return verify_journal(db)[0]
    finally:
        db.close()


def rows(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, args).fetchall()


def tamper(path: Path, *statements: str) -> None:
    """Tamper like someone with the file and sqlite3 who knows the triggers: dropped
    first, put back as they were afterwards (so only the rows tell)."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA synchronous = OFF")  # a test's copy: no need to wait for the disk
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND (name LIKE '%_no_update' OR name LIKE '%_no_delete')"
        ).fetchall()
        for name, _sql in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        for statement in statements:
            conn.execute(statement)
        for _name, sql in triggers:
            conn.execute(sql)


# -- normal use ---------------------------------------------------------------------------


def test_every_chained_table_is_written_by_normal_use_and_verifies(shop: Path) -> None:
    for table in CHAINED:
        assert rows(shop, f'SELECT COUNT(*) FROM "{table}"')[0][0] >= 2, table
    assert problems_of(shop) == []
    chain = rows(shop, "SELECT seq, prev_mac, mac, grand_total_cents FROM chain ORDER BY seq")
    assert [c[0] for c in chain] == list(range(1, len(chain) + 1))
    assert chain[0][1] == GENESIS
    assert all(chain[i][1] == chain[i - 1][2] for i in range(1, len(chain)))
    sales = rows(shop, "SELECT SUM(total_cents) FROM sale WHERE status = 'completed'")[0][0]
    assert chain[-1][3] == sales
    anchor = shop.with_name("till.db.anchor").read_text().split()
    assert anchor[-3:] == [str(chain[-1][0]), chain[-1][2], str(sales)]
    assert oct(shop.with_name("till.db.anchor").stat().st_mode & 0o777) == "0o600"
    assert oct((shop.parent / "chain.key").stat().st_mode & 0o777) == "0o600"


def test_each_z_carries_the_chain_head_and_grand_total(shop: Path) -> None:
    for text, z_id in rows(shop, "SELECT report_json, id FROM z_close"):
        report = json.loads(text)
        seq = report["chain_seq"]
        entry = rows(shop, "SELECT mac, grand_total_cents FROM chain WHERE seq = ?", seq)
        assert entry == [(report["chain_head"], report["grand_total_cents"])], z_id
    till = open_shop(shop)
    try:
        from tui_pos.domain.report_rows import report_rows

        report = till.reports.close_day(till.staff.allowed(Action.Z_CLOSE, "Z"))
        labels = dict(report_rows(report))
        assert labels["Chain head"].startswith(f"#{report.chain_seq} {report.chain_head[:16]}")
        assert "Grand total" in labels
        assert report.to_dict()["chain_head"] == report.chain_head
    finally:
        till.close()


def test_no_false_alarm_after_reopening_selling_backup_and_restoring_the_latest(
    shop: Path, tmp_path: Path
) -> None:
    till = open_shop(shop)
    till.register.enter(LOAF)
    till.register.pay_cash("")
    till.close()
    assert problems_of(shop) == []
    made = backup_database(shop, tmp_path / "backups", now=fixed_clock())
    assert problems_of(shop) == []
    restore_database(made, shop, replace=True)  # the latest: nothing after it
    assert problems_of(shop) == []
    elsewhere = tmp_path / "new-disk" / "till.db"
    result = CliRunner().invoke(main, ["db", "restore", str(made), str(elsewhere)])
    assert result.exit_code == 0 and "chain.key" in result.stderr
    for key in ("chain.key", "pin.key"):
        (elsewhere.parent / key).write_bytes((shop.parent / key).read_bytes())
    assert problems_of(elsewhere) == []  # the restore started its anchor at the backup


# -- tampering: every chained table ----------------------------------------------------------

#: Columns that must change for a copied row not to break a UNIQUE index.
UNIQUE = {"uuid", "seq", "z_number", "position", "code", "order_id"}


def _changed(column: str) -> str:
    if column == "kind":  # CHECK constraints: another valid kind where there is one
        return (
            "CASE \"kind\" WHEN 'in' THEN 'out' WHEN 'out' THEN 'in' WHEN 'float' THEN 'in'"
            " ELSE \"kind\" || 'x' END"
        )
    return (
        f'CASE WHEN typeof("{column}") = \'integer\' THEN "{column}" + 1000'
        f" WHEN typeof(\"{column}\") = 'null' THEN 1 ELSE \"{column}\" || 'x' END"
    )


def _edits() -> list[tuple[str, str]]:
    return [(t, c) for t, spec in sorted(CHAINED.items()) for c in spec.columns]


@pytest.mark.parametrize(("table", "column"), _edits())
def test_an_edited_value_of_any_chained_column_is_found(
    shop: Path, table: str, column: str
) -> None:
    first = rows(shop, f'SELECT MIN(id) FROM "{table}"')[0][0]
    tamper(shop, f'UPDATE "{table}" SET "{column}" = {_changed(column)} WHERE id = {first}')
    found = problems_of(shop)
    assert any("the rows differ from what was chained" in p for p in found), found
    assert len(found) == 1, found  # nothing else is wrong


@pytest.mark.parametrize("which", ["MIN", "MAX"])
@pytest.mark.parametrize("table", sorted(CHAINED))
def test_a_deleted_row_of_any_chained_table_is_found(shop: Path, table: str, which: str) -> None:
    tamper(
        shop,
        "PRAGMA foreign_keys = OFF",
        f'DELETE FROM "{table}" WHERE id = (SELECT {which}(id) FROM "{table}")',
    )
    found = problems_of(shop)
    assert any("the rows differ from what was chained" in p for p in found), found


@pytest.mark.parametrize("table", sorted(CHAINED))
def test_a_row_slipped_into_any_chained_table_is_found(shop: Path, table: str) -> None:
    columns = ["id", *CHAINED[table].columns]
    unique = UNIQUE | ({"kind"} if table == "online_order_event" else set())
    unique |= {"campaign": {"name"}, "campaign_member": {"customer_id"}}.get(table, set())
    values = [
        "id + 1000" if c == "id" else _changed(c) if c in unique else f'"{c}"' for c in columns
    ]
    names = ", ".join(f'"{c}"' for c in columns)
    tamper(
        shop,
        f'INSERT INTO "{table}" ({names}) SELECT {", ".join(values)} FROM "{table}"'
        f' WHERE id = (SELECT MAX(id) FROM "{table}")',
    )
    found = problems_of(shop)
    assert any(f"{table}: rows after" in p and "not in the chain" in p for p in found), found


# -- tampering: the chain, the schema ----------------------------------------------------------

CHAIN_EDITS = {
    "an entry's digest": "UPDATE chain SET digest = CASE WHEN digest LIKE 'a%' THEN 'b' ELSE 'a'"
    " END || substr(digest, 2) WHERE seq = 3",
    "an entry's grand total": "UPDATE chain SET grand_total_cents = grand_total_cents + 1"
    " WHERE seq = (SELECT MAX(seq) FROM chain)",
    "an entry in the middle deleted": "DELETE FROM chain WHERE seq = 2",
    "two entries swapped": "UPDATE chain SET seq = CASE seq WHEN 2 THEN 3 ELSE 2 END"
    " WHERE seq IN (2, 3)",
    "an entry's marks": "UPDATE chain SET marks = replace(marks, '\"sale\":', '\"sale\":1')"
    " WHERE seq = (SELECT MAX(seq) FROM chain)",
}


@pytest.mark.parametrize("name", sorted(CHAIN_EDITS))
def test_an_edited_chain_is_found(shop: Path, name: str) -> None:
    if name == "two entries swapped":
        tamper(
            shop,
            "UPDATE chain SET seq = -2 WHERE seq = 2",
            "UPDATE chain SET seq = 2 WHERE seq = 3",
            "UPDATE chain SET seq = 3 WHERE seq = -2",
        )
    else:
        tamper(shop, CHAIN_EDITS[name])
    assert any("chain entry #" in p for p in problems_of(shop)), name


SCHEMA_EDITS = {
    "a trigger dropped": ('DROP TRIGGER "sale_no_update"', "trigger sale_no_update is missing"),
    "the chain's trigger dropped": ('DROP TRIGGER "chain_no_delete"', "chain_no_delete"),
    "a trigger added": (
        'CREATE TRIGGER "sneak" AFTER INSERT ON "payment" BEGIN SELECT 1; END',
        "trigger sneak was not made by the migrations",
    ),
    "a column added": (
        'ALTER TABLE "sale" ADD COLUMN "memo" TEXT',
        "table sale differs from what the migrations made",
    ),
    "an index dropped": ('DROP INDEX "sale_uuid"', "index sale_uuid is missing"),
    "a table dropped": ('DROP TABLE "online_order_contact"', "online_order_contact is missing"),
}


@pytest.mark.parametrize("name", sorted(SCHEMA_EDITS))
def test_a_changed_schema_is_found(shop: Path, name: str) -> None:
    statement, expected = SCHEMA_EDITS[name]
    with sqlite3.connect(shop) as conn:
        conn.execute(statement)
    found = problems_of(shop)
    assert any(expected in p for p in found), found


# -- the attacks the key and the anchor are for ----------------------------------------------


def _entries(path: Path) -> list[ChainEntry]:
    return [ChainEntry(*r) for r in rows(path, f"SELECT {ENTRY_COLUMNS} FROM chain ORDER BY seq")]


def rebuild_chain(path: Path, key: bytes) -> list[ChainEntry]:
    """Recompute every entry over the rows as they are now, with the project's own
    functions and a key of the attacker's (the till's key is not in the database)."""
    old = _entries(path)
    tamper(path, "DELETE FROM chain")
    db = open_database(path)
    rebuilt: list[ChainEntry] = []
    try:
        with db.atomic():
            db.execute_sql('DROP TRIGGER "chain_no_update"')
            marks: dict[str, int] = {}
            for entry in old:
                digest, amount = RowDigest(), 0
                for table, high in sorted(entry.mark_map().items()):
                    if high > marks.get(table, 0):
                        amount += add_rows(db, table, marks.get(table, 0), high, digest)
                marks = entry.mark_map()
                new = next_entry(
                    rebuilt[-1] if rebuilt else None,
                    key=key,
                    till=entry.till,
                    marks=marks,
                    digest=digest,
                    amount_cents=amount,
                )
                db.execute_sql(
                    f"INSERT INTO chain ({ENTRY_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                    tuple(new.__dict__.values()),
                )
                rebuilt.append(new)
            db.execute_sql(
                'CREATE TRIGGER "chain_no_update" BEFORE UPDATE ON "chain" BEGIN SELECT'
                " RAISE(ABORT, 'chain rows are never changed'); END"
            )
    finally:
        db.close()
    return rebuilt


def test_a_chain_rebuilt_without_the_key_is_found(shop: Path) -> None:
    tamper(shop, "UPDATE sale SET total_cents = total_cents - 100 WHERE seq = 1")
    assert any("rows differ" in p for p in problems_of(shop))
    rebuilt = rebuild_chain(shop, b"an attacker's own key, 32 bytes!")
    # The anchor file too, line for line: only the key tells now.
    shop.with_name("till.db.anchor").write_text(
        "".join(f"{e.seq} {e.mac} {e.grand_total_cents}\n" for e in rebuilt)
    )
    found = problems_of(shop)
    assert any("MAC is wrong" in p for p in found), found
    assert not any("rows differ" in p for p in found)


def test_a_chain_rebuilt_is_also_found_by_the_anchor(shop: Path) -> None:
    tamper(shop, "UPDATE payment SET kind = 'card' WHERE seq = 1")
    rebuild_chain(shop, b"an attacker's own key, 32 bytes!")
    found = problems_of(shop)
    assert any("is not the one the anchor file holds" in p for p in found), found


def test_the_last_sale_deleted_with_its_entry_is_found(shop: Path) -> None:
    last, before = _entries(shop)[-1], _entries(shop)[-2]
    assert last.mark_map()["sale"] > before.mark_map()["sale"]  # the last entry is a sale
    statements = ["PRAGMA foreign_keys = OFF", f"DELETE FROM chain WHERE seq = {last.seq}"]
    statements += [
        f'DELETE FROM "{t}" WHERE id > {before.mark_map().get(t, 0)} AND id <= {high}'
        for t, high in last.mark_map().items()
    ]
    statements.append("DELETE FROM print_job WHERE sale_id NOT IN (SELECT id FROM sale)")
    tamper(shop, *statements)
    found = problems_of(shop)
    assert found == [
        f"the anchor file knows chain entry #{last.seq} but the chain ends at #{before.seq}:"
        " the database was cut back or an older copy of it restored (rolled back)"
    ]


def test_an_older_backup_restored_is_found(shop: Path, tmp_path: Path) -> None:
    older = backup_database(shop, tmp_path / "backups", now=fixed_clock())
    till = open_shop(shop)
    till.register.enter(LOAF)
    till.register.pay_cash("")
    till.close()
    signer = ["--by", MANAGER_CODE]  # replacing a database with staff is signed
    restore = ["db", "restore", str(older), str(shop), "--replace", *signer]
    result = CliRunner().invoke(main, restore, input=MANAGER_PIN + "\n")
    assert result.exit_code == 0 and "chain entries after this backup" in result.stderr
    found = problems_of(shop)
    assert any("rolled back" in p for p in found), found


def test_a_missing_anchor_or_key_is_found_and_a_missing_key_stops_the_till(shop: Path) -> None:
    shop.with_name("till.db.anchor").unlink()
    assert any("anchor file" in p and "is missing" in p for p in problems_of(shop))
    till = open_shop(shop)  # a sale does not start a new anchor behind verify's back
    till.register.enter(LOAF)
    till.register.pay_cash("")
    till.close()
    assert any("anchor file" in p and "is missing" in p for p in problems_of(shop))
    (shop.parent / "chain.key").unlink()
    assert any("chain key" in p and "is missing" in p for p in problems_of(shop))
    with pytest.raises(StorageError, match="chain key .* is missing"):
        open_shop(shop)
    result = CliRunner().invoke(main, ["--db", str(shop), "db", "verify"])
    assert result.exit_code == 1 and "chain key" in result.stderr
    assert "Traceback" not in result.output


def test_the_cli_verifies(shop: Path) -> None:
    ok = CliRunner().invoke(main, ["--db", str(shop), "db", "verify"])
    assert ok.exit_code == 0 and "journal ok" in ok.output
    tamper(shop, "UPDATE sale SET employee_id = NULL WHERE seq = 1")
    broken = CliRunner().invoke(main, ["--db", str(shop), "db", "verify"])
    assert broken.exit_code == 1 and "BROKEN: chain entry #" in broken.stderr
