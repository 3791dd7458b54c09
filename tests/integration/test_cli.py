"""The ``tui-pos`` command through click's CliRunner, on databases under tmp_path only."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import stat
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.support.approvals import approved
from tests.support.tills import copy_database
from tui_pos.bootstrap import open_till
from tui_pos.cli import main
from tui_pos.config import Config
from tui_pos.domain.money import format_money
from tui_pos.domain.output_schema import TENDER_KINDS
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.models.migrations import LATEST_VERSION, MIGRATIONS

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
LOAF_ORGANIC = "5900000000022"  # 1.99, tax B
SALES_TIME = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

#: The report fields docs/DESIGN.md promises (the design card's), plus the extra ones.
DESIGN_FIELDS = {
    "date",
    "sales_count",
    "gross_cents",
    "discount_cents",
    "net_cents",
    "tax_cents",
    "tax_by_code",
    "refunds_cents",
    "voids_count",
    "tenders_cents",
    "cash_expected_cents",
    "z_number",
}
EXTRA_FIELDS = {
    "kind",
    "till",
    "first_sale",
    "last_sale",
    "total_cents",
    "rounding_cents",
    "voided_lines",
    "opening_float_cents",
}

PRODUCTS_HEADER = "barcode,name,price,tax,category,stock,plu,unit,reorder_level\n"
GOOD_PRODUCTS = (
    PRODUCTS_HEADER
    + "5901234123457,Test Tea 80,2.89,B,Pantry,10,,each,2\n"
    + ",Test Apples,2.49,B,Produce,12.5,4133,kg,5\n"
    + "4006381333931,Test Pen,1.20,A,Office,,,each,\n"
)

Invoke = Callable[..., Result]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake home: no real config or data directory can be read or written."""
    fake = tmp_path / "home"
    fake.mkdir()
    monkeypatch.setenv("HOME", str(fake))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(fake / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(fake / ".local" / "share"))
    # no config file: the defaults (TUI_POS_CONFIG naming a missing file is an error)
    monkeypatch.delenv("TUI_POS_CONFIG", raising=False)
    return fake


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "till.db"


@pytest.fixture
def cli(home: Path, db: Path) -> Invoke:
    """Run ``tui-pos --db <db> ARGS...``; returns click's Result."""
    runner = CliRunner()

    def invoke(*args: str, db_path: Path | None = None) -> Result:
        return runner.invoke(main, ["--db", str(db_path or db), *args])

    return invoke


def clean(result: Result) -> Result:
    """No Python exception escaped and no traceback was printed."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def make_sales(db: Path, demo_template: Path) -> list[SaleDocument]:
    """Sales made through open_till on ``db`` before the command runs."""
    db.parent.mkdir(parents=True, exist_ok=True)
    copy_database(demo_template, db)
    till = open_till(Config(), db, printer=RecordingPrinter(), clock=lambda: SALES_TIME)
    reg = till.register
    docs: list[SaleDocument] = []
    try:
        reg.enter(LOAF)
        docs.append(reg.pay_cash("5"))  # type: ignore[arg-type]
        reg.enter("3*" + LOAF_ORGANIC)
        reg.enter("0.512*4011")
        reg.add_product(till.catalog.search("cola 2l", 1)[0].product.id)  # tax A
        reg.set_line_discount(0, "10%", approval=approved(till, Action.DISCOUNT_OVER_LIMIT))
        reg.set_cart_discount("0.50", approval=approved(till, Action.DISCOUNT_OVER_LIMIT))
        reg.pay_card("3.00", "AUTH 1")
        docs.append(reg.pay_cash("10"))  # type: ignore[arg-type]
        reg.enter(LOAF)
        docs.append(reg.void_sale(approved(till, Action.VOID_SALE)))  # type: ignore[arg-type]
        reg.enter(LOAF_ORGANIC)
        docs.append(reg.pay_card("", "AUTH 2"))  # type: ignore[arg-type]
    finally:
        till.close()
    return docs


def expected_report(docs: list[SaleDocument]) -> dict[str, Any]:
    done = [d for d in docs if d.status == "completed"]
    tax_by_code: dict[str, dict[str, int]] = {}
    tenders: dict[str, int] = {}
    for d in done:
        for t in d.taxes:
            entry = tax_by_code.setdefault(t.code, {"base_cents": 0, "tax_cents": 0})
            entry["base_cents"] += t.base_cents
            entry["tax_cents"] += t.tax_cents
        for p in d.payments:
            tenders[p.kind] = tenders.get(p.kind, 0) + p.amount_cents
    gross = sum(d.subtotal_cents for d in done)
    discount = sum(d.discount_cents for d in done)
    return {
        "sales_count": len(done),
        "gross_cents": gross,
        "discount_cents": discount,
        "net_cents": gross - discount,
        "tax_cents": sum(d.tax_cents for d in done),
        "total_cents": sum(d.total_cents for d in done),
        "rounding_cents": sum(d.rounding_cents for d in done),
        "refunds_cents": 0,
        "voids_count": sum(d.status == "voided" for d in docs),
        "tenders_cents": {kind: tenders.get(kind, 0) for kind in TENDER_KINDS},
        "cash_expected_cents": tenders.get("cash", 0),
        "tax_by_code": tax_by_code,
        "first_sale": min(d.seq for d in docs if d.seq is not None),
        "last_sale": max(d.seq for d in docs if d.seq is not None),
    }


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    """The report's fields that expected_report computes (tax rates dropped)."""
    picked = {k: data[k] for k in expected_report_keys()}
    picked["tax_by_code"] = {
        code: {"base_cents": v["base_cents"], "tax_cents": v["tax_cents"]}
        for code, v in data["tax_by_code"].items()
    }
    return picked


def expected_report_keys() -> list[str]:
    return [
        "sales_count",
        "gross_cents",
        "discount_cents",
        "net_cents",
        "tax_cents",
        "total_cents",
        "rounding_cents",
        "refunds_cents",
        "voids_count",
        "tenders_cents",
        "cash_expected_cents",
        "tax_by_code",
        "first_sale",
        "last_sale",
    ]


def today() -> str:
    return datetime.now().astimezone().date().isoformat()


# -- db --------------------------------------------------------------------------------------


def test_db_init_creates_the_database_only_where_told(cli: Invoke, db: Path, home: Path) -> None:
    result = clean(cli("db", "init"))
    assert result.exit_code == 0
    assert "Database ready" in result.stdout and str(db) in result.stdout
    assert db.exists()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert query(db, "SELECT MAX(version) FROM schema_version") == [(LATEST_VERSION,)]
    assert query(db, "SELECT code FROM tax_code ORDER BY code") == [("A",), ("B",), ("Z",)]
    assert not (home / ".local").exists() and not (home / ".config").exists()
    # Running it again is harmless.
    assert clean(cli("db", "init")).exit_code == 0
    assert query(db, "SELECT COUNT(*) FROM schema_version") == [(len(MIGRATIONS),)]


def test_db_migrate(cli: Invoke, db: Path) -> None:
    first = clean(cli("db", "migrate"))
    assert first.exit_code == 0
    assert "applied 1: initial schema" in first.stdout
    assert f"schema version {LATEST_VERSION}" in first.stdout
    second = clean(cli("db", "migrate"))
    assert second.exit_code == 0
    assert "applied" not in second.stdout
    assert f"schema version {LATEST_VERSION}" in second.stdout
    assert query(db, "SELECT COUNT(*) FROM schema_version") == [(len(MIGRATIONS),)]


def test_db_check_ok(cli: Invoke, db: Path) -> None:
    clean(cli("db", "init"))
    result = clean(cli("db", "check"))
    assert result.exit_code == 0
    assert f"ok (schema version {LATEST_VERSION})" in result.stdout
    assert result.stderr == ""


def test_db_check_on_a_file_that_is_not_a_database(cli: Invoke, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("this is not an SQLite database\n" * 100)
    result = clean(cli("db", "check", db_path=junk))
    assert result.exit_code == 1
    assert "problem:" in result.stderr and "not a database" in result.stderr
    assert junk.read_text().startswith("this is not")  # left untouched


def test_db_check_on_an_empty_sqlite_file(cli: Invoke, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    result = clean(cli("db", "check", db_path=other))
    assert result.exit_code == 1
    assert "not a tui-pos database" in result.stderr


def test_db_check_on_a_missing_file(cli: Invoke, tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    result = clean(cli("db", "check", db_path=missing))
    assert result.exit_code == 1
    assert "no database there" in result.stderr
    assert not missing.exists()


# -- import ----------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_products(cli: Invoke, db: Path, tmp_path: Path) -> None:
    products = write(tmp_path, "products.csv", GOOD_PRODUCTS)
    result = clean(cli("import", "products", str(products)))
    assert result.exit_code == 0, result.output
    assert "created 3, updated 0 products" in result.stdout
    assert query(db, "SELECT name, price_cents FROM product ORDER BY id") == [
        ("Test Tea 80", 289),
        ("Test Apples", 249),
        ("Test Pen", 120),
    ]
    assert query(db, "SELECT SUM(qty_milli) FROM stock_movement") == [(22500,)]
    again = clean(cli("import", "products", str(products)))
    assert "created 0, updated 3 products" in again.stdout
    assert query(db, "SELECT COUNT(*) FROM product") == [(3,)]
    assert query(db, "SELECT COUNT(*) FROM stock_movement") == [(2,)]


def test_import_products_with_a_byte_order_mark(cli: Invoke, db: Path, tmp_path: Path) -> None:
    products = tmp_path / "excel.csv"
    products.write_bytes(GOOD_PRODUCTS.encode("utf-8-sig"))
    result = clean(cli("import", "products", str(products)))
    assert result.exit_code == 0, result.output
    assert query(db, "SELECT COUNT(*) FROM product") == [(3,)]


def test_import_products_with_bad_rows(cli: Invoke, db: Path, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.csv",
        GOOD_PRODUCTS
        + "5901234123458,Bad Check,1.00,B,X,1,,each,\n"  # line 5
        + "5000000000005,Bad Tax,1.00,Q,X,1,,each,\n"  # line 6
        + "5000000000012,Bad Unit,1.00,B,X,1,,box,\n",  # line 7
    )
    result = clean(cli("import", "products", str(bad)))
    assert result.exit_code == 1
    assert "3 bad row(s), nothing imported" in result.stderr
    for line in (5, 6, 7):
        assert f"line {line}:" in result.stderr
    assert "line 2:" not in result.stderr
    assert result.stdout == ""
    assert query(db, "SELECT COUNT(*) FROM product") == [(0,)]
    assert query(db, "SELECT COUNT(*) FROM stock_movement") == [(0,)]


def test_import_products_dry_run(cli: Invoke, db: Path, tmp_path: Path) -> None:
    products = write(tmp_path, "products.csv", GOOD_PRODUCTS)
    result = clean(cli("import", "products", "--dry-run", str(products)))
    assert result.exit_code == 0
    assert "would create 3, updated 0 products" in result.stdout
    assert query(db, "SELECT COUNT(*) FROM product") == [(0,)]
    assert query(db, "SELECT COUNT(*) FROM category") == [(0,)]
    assert query(db, "SELECT COUNT(*) FROM stock_movement") == [(0,)]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "No such file"),
        (b"barcode,name\n\xff\xfe\x00bad\n", "not UTF-8"),
        (b"barcode,name,price\n1,2,3\n", "missing column"),
    ],
)
def test_import_unusable_files(
    cli: Invoke, tmp_path: Path, content: bytes | None, words: str
) -> None:
    path = tmp_path / "products.csv"
    if content is not None:
        path.write_bytes(content)
    result = clean(cli("import", "products", str(path)))
    assert result.exit_code == 1
    assert words in result.stderr


# -- config ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[store]\nname = "Corner Shop"\ncash_rounding = 3\n', ["line 3", "store.cash_rounding"]),
        ('[store]\nname = "Corner Shop"\ncurrency = "euro"\n', ["line 3", "store.currency"]),
        ("[printer]\nwidth = 12\n", ["line 2", "printer.width"]),
        ('[store]\nname = "unterminated\n', ["line 2", "invalid TOML"]),
    ],
)
def test_broken_config_file(
    cli: Invoke, db: Path, tmp_path: Path, text: str, words: list[str]
) -> None:
    config = write(tmp_path, "config.toml", text)
    result = clean(
        CliRunner().invoke(main, ["--config", str(config), "--db", str(db), "db", "init"])
    )
    assert result.exit_code == 1
    for word in words:
        assert word in result.stderr
    assert str(config) in result.stderr
    assert not db.exists()


def test_broken_default_config_is_reported_too(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path, "default.toml", '[store]\ntill = "way too long a till id"\n')
    monkeypatch.setenv("TUI_POS_CONFIG", str(config))
    result = clean(cli("report", "x"))
    assert result.exit_code == 1
    assert "line 2" in result.stderr and "store.till" in result.stderr


def test_config_file_is_used(cli: Invoke, db: Path, tmp_path: Path) -> None:
    config = write(tmp_path, "config.toml", '[store]\ntill = "T9"\n')
    runner = CliRunner()
    assert clean(cli("db", "init")).exit_code == 0  # report x only reads: the db must exist
    result = clean(
        runner.invoke(
            main, ["--config", str(config), "--db", str(db), "report", "x", "--format", "json"]
        )
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["till"] == "T9"


# -- reports ---------------------------------------------------------------------------------


def test_report_x_json(cli: Invoke, db: Path, demo_template: Path) -> None:
    docs = make_sales(db, demo_template)
    result = clean(cli("report", "x", "--format", "json"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= DESIGN_FIELDS | EXTRA_FIELDS
    assert data["kind"] == "X" and data["z_number"] is None and data["till"] == "T1"
    assert data["date"] == today()
    expected = expected_report(docs)
    assert comparable(data) == expected
    assert expected["sales_count"] == 3 and expected["voids_count"] == 1
    assert set(expected["tax_by_code"]) == {"A", "B"}
    assert data["tax_by_code"]["B"]["rate"] == "5.5%"
    assert data["tax_by_code"]["A"]["rate"] == "20%"
    # An X report closes nothing.
    assert query(db, "SELECT COUNT(*) FROM z_close") == [(0,)]


def test_reports_of_a_store_a_till_is_not_a_till_of_are_refused(
    cli: Invoke, db: Path, demo_template: Path
) -> None:
    make_sales(db, demo_template)
    for args in (("x",), ("z", "--date", today()), ("sales", "--by", "channel")):
        result = clean(cli("report", *args, "--store", "S01", "--format", "json"))
        assert result.exit_code == 1, args
        assert "not enrolled at a store server" in result.stderr, args
    assert query(db, "SELECT count(*) FROM z_close") == [(0,)]  # nothing was closed


def test_report_x_for_a_day(cli: Invoke, db: Path, demo_template: Path) -> None:
    docs = make_sales(db, demo_template)
    day = SALES_TIME.astimezone().date()
    result = clean(cli("report", "x", "--date", day.isoformat(), "--format", "json"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["date"] == day.isoformat()
    assert comparable(data) == expected_report(docs)
    other = clean(cli("report", "x", "--date", "2001-01-01", "--format", "json"))
    assert json.loads(other.stdout)["sales_count"] == 0


def test_report_x_csv(cli: Invoke, db: Path, demo_template: Path) -> None:
    docs = make_sales(db, demo_template)
    result = clean(cli("report", "x", "--format", "csv"))
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = expected_report(docs)
    for key in ("sales_count", "gross_cents", "discount_cents", "net_cents", "tax_cents"):
        assert int(row[key]) == expected[key]
    assert int(row["voids_count"]) == 1
    assert int(row["cash_expected_cents"]) == expected["cash_expected_cents"]
    for code, tax in expected["tax_by_code"].items():
        assert int(row[f"tax_by_code.{code}.tax_cents"]) == tax["tax_cents"]
        assert int(row[f"tax_by_code.{code}.base_cents"]) == tax["base_cents"]
    for kind, amount in expected["tenders_cents"].items():
        assert int(row[f"tenders_cents.{kind}"]) == amount
    assert row["kind"] == "X" and row["z_number"] == ""


def test_report_x_table(cli: Invoke, db: Path, demo_template: Path) -> None:
    docs = make_sales(db, demo_template)
    result = clean(cli("report", "x"))  # table is the default
    assert result.exit_code == 0, result.output
    expected = expected_report(docs)
    text = result.stdout
    assert "X (not closed)" in text
    for label, amount in [
        ("Gross", expected["gross_cents"]),
        ("Net sales", expected["net_cents"]),
        ("Tax total", expected["tax_cents"]),
        ("Cash expected", expected["cash_expected_cents"]),
    ]:
        [line] = [ln for ln in text.splitlines() if f" {label} " in ln]
        assert format_money(amount) in line
    assert "Tax B 5.5%" in text and "Tax A 20%" in text
    assert clean(cli("report", "x", "--format", "table")).stdout == text


def test_report_z_closes_then_lists(cli: Invoke, db: Path, demo_template: Path) -> None:
    docs = make_sales(db, demo_template)
    result = clean(cli("report", "z", "--format", "json"))
    assert result.exit_code == 0, result.output
    z1 = json.loads(result.stdout)
    assert set(z1) >= DESIGN_FIELDS | EXTRA_FIELDS
    assert z1["kind"] == "Z" and z1["z_number"] == 1 and z1["date"] == today()
    assert z1["closed_at"]
    assert comparable(z1) == expected_report(docs)

    # After the close the open period is empty.
    x = json.loads(clean(cli("report", "x", "--format", "json")).stdout)
    assert x["sales_count"] == 0 and x["gross_cents"] == 0 and x["first_sale"] is None

    # --date lists the day's closes and closes nothing more.
    listed = clean(cli("report", "z", "--date", today(), "--format", "json"))
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout) == [z1]
    assert query(db, "SELECT z_number FROM z_close") == [(1,)]

    z2 = json.loads(clean(cli("report", "z", "--format", "json")).stdout)
    assert z2["z_number"] == 2 and z2["sales_count"] == 0
    listed = json.loads(clean(cli("report", "z", "--date", today(), "--format", "json")).stdout)
    assert [z["z_number"] for z in listed] == [1, 2]
    table = clean(cli("report", "z", "--date", today()))
    assert "Z #1" in table.stdout and "Z #2" in table.stdout


def test_report_z_on_a_day_without_closes(cli: Invoke, db: Path) -> None:
    assert clean(cli("db", "init")).exit_code == 0  # reading a Z never creates the database
    result = clean(cli("report", "z", "--date", "2001-01-01"))
    assert result.exit_code == 1
    assert "No Z close on 2001-01-01" in result.stderr
    assert query(db, "SELECT COUNT(*) FROM z_close") == [(0,)]


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "25/11/2026", ""])
def test_report_with_a_bad_date_is_a_usage_error(cli: Invoke, db: Path, bad: str) -> None:
    result = clean(cli("report", "z", "--date", bad))
    assert result.exit_code == 2
    assert "--date" in result.stderr and "not a date" in result.stderr
    assert not db.exists()


@pytest.mark.parametrize(
    "args",
    [["frobnicate"], ["db", "explode"], ["report", "y"], ["report", "x", "--format", "xml"]],
)
def test_usage_errors_exit_2(cli: Invoke, db: Path, args: list[str]) -> None:
    result = clean(cli(*args))
    assert result.exit_code == 2
    assert "Usage:" in result.stderr
    assert not db.exists()


def test_version(cli: Invoke) -> None:
    result = clean(cli("--version"))
    assert result.exit_code == 0
    assert "version" in result.stdout
