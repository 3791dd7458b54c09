"""Online orders and the stock feed: import twice = once, all or nothing per file, stock
decremented by 'online' movements, collection hand-over; the CLI for both."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.cli import main
from tui_pos.domain.errors import DomainError
from tui_pos.domain.outputs import STOCK_CSV
from tui_pos.domain.staff import Action
from tui_pos.services.online_orders import OrderFileError

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
LOAF_ORGANIC = "5900000000022"  # 1.99, tax B

ORDERS = {
    "orders": [
        {
            "order_id": "WEB-1001",
            "created_at": "2026-11-25T09:14:00Z",
            "paid": True,
            "collection": True,
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
            "lines": [
                {"barcode": LOAF, "qty": 2, "price": "1.49"},
                {"sku": "4011", "qty": "0.5", "price": 1.29},
            ],
        },
        {
            "order_id": "WEB-1002",
            "created_at": "2026-11-25T10:00:00+01:00",
            "paid": True,
            "lines": [{"barcode": LOAF_ORGANIC, "qty": 1, "price": "1.99"}],
        },
    ]
}


def rows(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, args).fetchall()


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: rows(path, f"SELECT * FROM {table} ORDER BY id")
        for table in ("online_order", "online_order_line", "stock_movement", "online_order_event")
    }


def test_import_twice_changes_nothing_the_second_time(demo_till: Till) -> None:
    before = {lv.code: lv.level_milli for lv in demo_till.stock.levels()}
    first = demo_till.online_orders.import_text(
        json.dumps(ORDERS), approved(demo_till, Action.PRODUCT_ADMIN)
    )
    assert [o.order_id for o in first.imported] == ["WEB-1001", "WEB-1002"]
    assert first.imported[0].total_cents == 298 + 65
    once = snapshot(demo_till.db_path)
    second = demo_till.online_orders.import_text(
        json.dumps(ORDERS), approved(demo_till, Action.PRODUCT_ADMIN)
    )
    assert second.imported == () and second.skipped == ("WEB-1001", "WEB-1002")
    assert snapshot(demo_till.db_path) == once
    after = {lv.code: lv.level_milli for lv in demo_till.stock.levels()}
    assert after["0" + LOAF] == before["0" + LOAF] - 2000
    assert after["0" + LOAF_ORGANIC] == before["0" + LOAF_ORGANIC] - 1000
    kinds = rows(
        demo_till.db_path, "SELECT DISTINCT kind, note FROM stock_movement WHERE kind = 'online'"
    )
    assert ("online", "order WEB-1001") in kinds


def test_a_bad_order_means_nothing_is_imported(demo_till: Till) -> None:
    bad = json.loads(json.dumps(ORDERS))
    bad["orders"].append(
        {"order_id": "WEB-1003", "created_at": "yesterday", "paid": True, "lines": []}
    )
    bad["orders"].append(
        {
            "order_id": "WEB-1004",
            "created_at": "2026-11-25T09:14:00Z",
            "paid": True,
            "lines": [{"barcode": "4006381333931", "qty": 1, "price": "1"}],
        }
    )
    bad["orders"].append(dict(ORDERS["orders"][1]))  # the same order id twice
    before = snapshot(demo_till.db_path)
    with pytest.raises(OrderFileError) as failed:
        demo_till.online_orders.import_text(
            json.dumps(bad), approved(demo_till, Action.PRODUCT_ADMIN)
        )
    errors = failed.value.errors
    assert errors[0].startswith("order 3 (WEB-1003): created_at")
    assert errors[1].startswith("order 4 (WEB-1004): line 1: no product")
    assert errors[2] == "order 5 (WEB-1002): order_id also used by order 2"
    assert snapshot(demo_till.db_path) == before
    with pytest.raises(OrderFileError, match="not JSON"):
        demo_till.online_orders.import_text("{")


def test_loyalty_hook_is_called_once_per_new_order(demo_till: Till) -> None:
    credited: list[str] = []
    demo_till.online_orders.credit_loyalty = lambda order: credited.append(order.order_id)
    demo_till.online_orders.import_text(
        json.dumps(ORDERS), approved(demo_till, Action.PRODUCT_ADMIN)
    )
    demo_till.online_orders.import_text(
        json.dumps(ORDERS), approved(demo_till, Action.PRODUCT_ADMIN)
    )
    assert credited == ["WEB-1001", "WEB-1002"]


def test_collection_orders_are_found_and_handed_over_once(demo_till: Till) -> None:
    demo_till.online_orders.import_text(
        json.dumps(ORDERS), approved(demo_till, Action.PRODUCT_ADMIN)
    )
    waiting = demo_till.online_orders.find_for_collection("ada")
    assert [o.order_id for o in waiting] == ["WEB-1001"]  # WEB-1002 is shipped
    assert demo_till.online_orders.find_for_collection("1001")[0].item_count == 2
    demo_till.online_orders.hand_over(waiting[0], "Sam")
    assert demo_till.online_orders.find_for_collection("") == []
    done = demo_till.online_orders.find_for_collection("ada", include_collected=True)
    assert done[0].collected_at is not None
    with pytest.raises(DomainError, match="already"):
        demo_till.online_orders.hand_over(done[0])
    with pytest.raises(DomainError, match="already"):
        demo_till.online_orders.hand_over(waiting[0])  # a stale list: the store refuses
    events = rows(demo_till.db_path, "SELECT kind, cashier FROM online_order_event")
    assert events == [("collected", "Sam")]


# -- the command line --------------------------------------------------------------------


def run(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def test_cli_import_orders_twice_equals_once(cli_db: Path, tmp_path: Path) -> None:
    file = tmp_path / "orders.json"
    file.write_text(json.dumps(ORDERS), encoding="utf-8")
    first = run(cli_db, "import", "orders", str(file))
    assert first.exit_code == 0, first.output
    assert "imported 2 order(s) (1 for collection), 0 already imported" in first.output
    once = snapshot(cli_db)
    second = run(cli_db, "import", "orders", str(file))
    assert second.exit_code == 0
    assert "imported 0 order(s) (0 for collection), 2 already imported" in second.output
    assert snapshot(cli_db) == once


def test_cli_import_orders_refuses_a_bad_file(cli_db: Path, tmp_path: Path) -> None:
    file = tmp_path / "orders.json"
    file.write_text('{"orders": [{"order_id": "X", "paid": false}]}', encoding="utf-8")
    result = run(cli_db, "import", "orders", str(file))
    assert result.exit_code == 1
    assert "nothing imported" in result.output and "order 1 (X)" in result.output
    assert rows(cli_db, "SELECT COUNT(*) FROM online_order") == [(0,)]
    missing = run(cli_db, "import", "orders", str(tmp_path / "nope.json"))
    assert missing.exit_code == 1


def test_cli_export_stock_csv_and_json(cli_db: Path) -> None:
    as_csv = run(cli_db, "export", "stock", "--format", "csv")
    assert as_csv.exit_code == 0
    records = list(csv.DictReader(io.StringIO(as_csv.output)))
    loaf = next(r for r in records if r["barcode"] == LOAF)  # as imported, not 14 digits
    assert loaf["name"] == "White Loaf 800g" and loaf["price"] == "1.49"
    assert list(records[0]) == list(STOCK_CSV.names)
    as_json = json.loads(run(cli_db, "export", "stock", "--format", "json").output)
    assert len(as_json) == len(records)
    by_code = {r["barcode"]: r for r in as_json}
    assert by_code[LOAF]["stock"] == int(loaf["stock"])
    assert by_code[LOAF]["price_cents"] == 149
    low = json.loads(run(cli_db, "export", "stock", "--format", "json", "--low").output)
    assert low and all(r["low"] for r in low)
    assert len(low) < len(as_json)


def test_cli_promotions_add_list_end(cli_db: Path) -> None:
    added = run(
        cli_db,
        "promo",
        "add",
        "--name",
        "Loaves 3 for 2",
        "--kind",
        "multi_free",
        "--item",
        LOAF,
        "--buy",
        "3",
        "--pay",
        "2",
    )
    assert added.exit_code == 0, added.output
    assert "promotion #1 Loaves 3 for 2: 3 for 2 on White Loaf 800g" in added.output
    listed = run(cli_db, "promo", "list")
    assert "* #1  Loaves 3 for 2" in listed.output
    bad = run(cli_db, "promo", "add", "--name", "x", "--kind", "percent", "--value", "10%")
    assert bad.exit_code == 1 and "--item" in bad.output
    ended = run(cli_db, "promo", "end", "1")
    assert ended.exit_code == 0
    assert "* #1" not in run(cli_db, "promo", "list").output
    assert run(cli_db, "promo", "end", "9").exit_code == 1


def test_demo_extras_are_added_once(demo_till: Till) -> None:
    from tui_pos.demo.stock import ensure_demo_extras

    ensure_demo_extras(demo_till)
    ensure_demo_extras(demo_till)
    assert len(demo_till.promotions.list()) == 3
    assert len(demo_till.online_orders.find_for_collection()) == 2
    demo_till.register.enter("3*5900000000091")  # croissants: 3 for 2, active at once
    assert demo_till.register.totals().lines[0].promotion == "Croissants 3 for 2"


def test_online_orders_credit_the_named_customers_points_once(demo_till: Till) -> None:
    from tui_pos.domain.customer import CustomerDetails

    ada = demo_till.customers.create(
        CustomerDetails("Ada Lovelace", email="Ada@Example.com", phone="07700 900123")
    ).id
    demo_till.online_orders.import_text(
        json.dumps(ORDERS), approved(demo_till, Action.PRODUCT_ADMIN)
    )
    demo_till.online_orders.import_text(
        json.dumps(ORDERS), approved(demo_till, Action.PRODUCT_ADMIN)
    )  # twice = once
    ledger = rows(
        demo_till.db_path, "SELECT kind, points, note FROM loyalty_entry WHERE customer_id = ?", ada
    )
    # 2 x 1.49 + 0.5 kg x 1.29 = 3.63 at one point per unit (the order's lines are bakery
    # and produce: no category multiplier in the default rules): 3 points, by email.
    assert ledger == [("earn", 3, "online order WEB-1001")]
    assert demo_till.customers.ledger.balance(ada) == 3
