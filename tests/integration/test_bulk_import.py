"""``import products`` at bulk speed (issue 17): the file is read as it is written, the
search index and its trigger come out as before, and the rules stay: all rows valid or
nothing written, every bad row with its line number."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.cli import main
from tui_pos.domain.barcode import gtin_check_digit
from tui_pos.domain.staff import Action
from tui_pos.services.product_import import ImportFailed, ImportSummary

HEADER = "barcode,name,price,tax,category,stock,plu,unit,reorder_level\n"


def ean13(serial: int) -> str:
    body = f"590{serial:09d}"
    return body + str(gtin_check_digit(body))


def product_lines(count: int, first: int = 1) -> Iterator[str]:
    for n in range(first, first + count):
        yield f"{ean13(n)},Bulk Oat Drink {n:06d},1.{n % 100:02d},A,Dairy,{n % 9},,each,\n"


def run_import(till: Till, rows: Iterator[str], dry_run: bool = False) -> ImportSummary:
    return till.import_products(
        rows, dry_run=dry_run, approval=approved(till, Action.PRODUCT_ADMIN)
    )


def count(till: Till, table: str) -> int:
    return int(till.db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])


def has_search_trigger(till: Till) -> bool:
    found = till.db.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'product_search_ai'"
    ).fetchone()
    return found is not None


@pytest.mark.parametrize("catalog_before", [0, 50])
def test_rows_are_written_as_the_file_is_read(till: Till, catalog_before: int) -> None:
    if catalog_before:
        run_import(till, iter([HEADER, *product_lines(catalog_before, first=5000)]))
    seen_while_reading: list[int] = []

    def lines() -> Iterator[str]:
        yield HEADER
        for n, line in enumerate(product_lines(3000), 1):
            if n == 2500:  # the same connection sees what the import has written so far
                seen_while_reading.append(count(till, "product") - catalog_before)
            yield line

    assert run_import(till, lines()) == ImportSummary(3000, 0, False)
    assert seen_while_reading and seen_while_reading[0] > 1000
    assert count(till, "product") == 3000 + catalog_before
    levels = till.db.execute_sql("SELECT SUM(qty_milli) FROM stock_movement").fetchone()[0]
    stock_before = sum(n % 9 for n in range(5000, 5000 + catalog_before)) * 1000
    assert levels == sum(n % 9 for n in range(1, 3001)) * 1000 + stock_before


def test_imported_names_are_searchable_and_the_trigger_is_back(till: Till) -> None:
    run_import(till, iter([HEADER, *product_lines(300)]))
    assert has_search_trigger(till)
    found = till.catalog.search("bulk oat drink 000123", 5)
    assert [info.product.name for info in found] == ["Bulk Oat Drink 000123"]
    # Later rows into a catalog that has products: still indexed.
    run_import(till, iter([HEADER, *product_lines(10, first=900)]))
    assert [i.product.name for i in till.catalog.search("drink 000905", 5)] == [
        "Bulk Oat Drink 000905"
    ]
    integrity = "INSERT INTO product_search(product_search, rank) VALUES ('integrity-check', 1)"
    till.db.execute_sql(integrity)  # raises if the index does not match the products


def test_a_refused_or_dry_run_import_keeps_the_trigger_and_writes_nothing(till: Till) -> None:
    run_import(till, iter([HEADER, *product_lines(5)]))
    before = count(till, "product"), count(till, "stock_movement")
    assert run_import(till, iter([HEADER, *product_lines(20, first=100)]), dry_run=True) == (
        ImportSummary(20, 0, True)
    )
    bad = [HEADER, *product_lines(20, first=200), "5900000000000,No Check,1.00,A,X,1,,each,\n"]
    with pytest.raises(ImportFailed) as failure:
        run_import(till, iter(bad))
    assert [e.line for e in failure.value.errors] == [22]
    assert (count(till, "product"), count(till, "stock_movement")) == before
    assert has_search_trigger(till)
    till.db.execute_sql("SELECT 1")  # the connection is usable afterwards


def test_a_plu_clash_and_later_bad_rows_are_reported_together(till: Till) -> None:
    old = [HEADER, ",Old Apples,1.00,A,Produce,,4133,kg,\n", f"{ean13(1)},Pears,1,A,X,,,each,\n"]
    run_import(till, iter(old))
    text = [
        HEADER,
        f"{ean13(1)},New Pears,1.50,A,Produce,,4133,kg,\n",  # line 2: plu of Old Apples
        f"{ean13(2)},Fine,1.50,A,Produce,,,each,\n",
        f"{ean13(3)},Bad Tax,1.50,Q,Produce,,,each,\n",  # line 4
        f"{ean13(2)},Twice,1.50,A,Produce,,,each,\n",  # line 5: barcode of line 3
    ]
    with pytest.raises(ImportFailed) as failure:
        run_import(till, iter(text))
    errors = [(e.line, e.reason) for e in failure.value.errors]
    assert errors[0] == (2, "plu 4133 is Old Apples's already")
    assert [line for line, _ in errors] == [2, 4, 5]
    assert errors[2] == (5, "barcode also on line 3")
    assert count(till, "product") == 2


def test_bad_utf8_far_into_a_big_file_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("TUI_POS_CONFIG", raising=False)
    path = tmp_path / "products.csv"
    good = "".join(product_lines(5000)).encode()
    path.write_bytes(HEADER.encode() + good + b"5901234123457,Bad \xff Name,1.00,A,X,1,,each,\n")
    db = tmp_path / "till.db"
    result = CliRunner().invoke(main, ["--db", str(db), "import", "products", str(path)])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.output
    assert "not UTF-8" in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM product").fetchone() == (0,)
