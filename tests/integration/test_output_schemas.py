"""Golden schema tests: every export and report, in each format, has the shape that
docs/outputs.md documents, checked against the one schema the writers use
(:mod:`tui_pos.domain.outputs`); the stock export imports back; CSV delimiters are told.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.support.tills import FIXED_NOW, fixed_clock
from tui_pos.bootstrap import open_till
from tui_pos.cli import main
from tui_pos.config import Config
from tui_pos.domain.analysis import REPORT_KINDS
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.loyalty_analytics import LOYALTY_KINDS
from tui_pos.domain.output_schema import TENDER_KINDS, csv_problems, json_problems, schema_markdown
from tui_pos.domain.outputs import ANALYSIS, CUSTOMERS, DAY_REPORT, SCHEMAS, STOCK_CSV, STOCK_JSON
from tui_pos.drivers.file_printer import RecordingPrinter

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B
COLA = "cola 2l"  # tax A
BANANAS_PLU = "4011"  # sold by weight
DAY = FIXED_NOW.astimezone().date().isoformat()
DOCS = Path(__file__).parents[2] / "docs" / "outputs.md"
TAX_CODES = [t.code for t in Config().taxes]
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


def run(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def sold(cli_db: Path) -> Path:
    """The demo catalog (no staff: the commands need no signature) with a cash sale to a
    customer, a weighed item paid by card, a voided sale and a cash-out."""
    till = open_till(Config(), cli_db, printer=RecordingPrinter(), clock=fixed_clock)
    try:
        reg = till.register
        customer = till.customers.create(
            CustomerDetails(name="Ada", phone="0123456789", card="", marketing_consent=True)
        )
        reg.enter("2*" + LOAF)
        till.customers.attach(reg, customer.id)
        reg.pay_cash("10")
        reg.enter(f"0.512*{BANANAS_PLU}")
        reg.add_product(till.catalog.search(COLA, 1)[0].product.id)
        reg.pay_card("", "AUTH 1")
        reg.enter(LOAF)
        reg.void_sale()
    finally:
        till.close()
    return cli_db


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# -- X/Z ---------------------------------------------------------------------------------
def test_day_report_json_and_csv_follow_the_schema(sold: Path) -> None:
    data = json.loads(run(sold, "report", "x", "--date", DAY, "--format", "json").stdout)
    assert json_problems(DAY_REPORT, data) == []
    assert data["tenders_cents"] == {"cash": 298, "card": data["tenders_cents"]["card"]} | {
        k: 0 for k in TENDER_KINDS if k not in ("cash", "card")
    }
    assert data["tenders_cents"]["card"] > 0
    text = run(sold, "report", "x", "--date", DAY, "--format", "csv").stdout
    assert csv_problems(DAY_REPORT, text, TAX_CODES) == []
    [row] = csv_rows(text)
    assert row["tenders_cents.store_credit"] == "0" and row["tenders_cents.cash"] == "298"

    closed = json.loads(run(sold, "report", "z", "--format", "json").stdout)
    assert json_problems(DAY_REPORT, closed) == []
    assert TIMESTAMP.fullmatch(closed["closed_at"])
    today = closed["date"]
    listed = json.loads(run(sold, "report", "z", "--date", today, "--format", "json").stdout)
    assert [json_problems(DAY_REPORT, r) for r in listed] == [[]]
    listed_csv = run(sold, "report", "z", "--date", today, "--format", "csv").stdout
    assert csv_problems(DAY_REPORT, listed_csv, TAX_CODES) == []


def test_day_report_csv_header_does_not_depend_on_the_data(sold: Path, tmp_path: Path) -> None:
    busy = run(sold, "report", "x", "--date", DAY, "--format", "csv").stdout
    quiet = run(sold, "report", "x", "--date", "2001-01-01", "--format", "csv").stdout
    assert (
        busy.splitlines()[0] == quiet.splitlines()[0] == ",".join(DAY_REPORT.csv_header(TAX_CODES))
    )
    [empty] = csv_rows(quiet)
    assert all(empty[f"tenders_cents.{k}"] == "0" for k in TENDER_KINDS)


# -- stock -------------------------------------------------------------------------------
def test_stock_export_follows_the_schema(sold: Path) -> None:
    text = run(sold, "export", "stock").stdout
    assert csv_problems(STOCK_CSV, text) == []
    loaf = next(r for r in csv_rows(text) if r["barcode"] == LOAF)
    assert loaf["price"] == "1.49" and loaf["tax"] == "B" and loaf["plu"] == ""
    bananas = next(r for r in csv_rows(text) if r["plu"] == BANANAS_PLU)
    assert bananas["unit"] == "kg" and bananas["stock"].endswith(".488")

    records = json.loads(run(sold, "export", "stock", "--format", "json").stdout)
    assert [json_problems(STOCK_JSON, r) for r in records] == [[]] * len(records)
    loaf_json = next(r for r in records if r["barcode"] == LOAF)
    assert loaf_json["price_cents"] == 149 and loaf_json["stock"] == int(loaf["stock"])
    bananas_json = next(r for r in records if r["plu"] == BANANAS_PLU)
    assert bananas_json["stock"] == float(bananas["stock"])


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_stock_export_imports_back_unchanged(sold: Path, tmp_path: Path, delimiter: str) -> None:
    exported = run(sold, "export", "stock").stdout
    rows = list(csv.reader(io.StringIO(exported)))
    file = tmp_path / "stock.csv"
    with file.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    fresh = tmp_path / "fresh.db"
    run(fresh, "db", "init")
    imported = run(fresh, "import", "products", str(file))
    assert f"created {len(rows) - 1}, updated 0" in imported.output
    assert run(fresh, "export", "stock").stdout == exported
    again = run(sold, "import", "products", str(file))  # onto the till it came from
    assert f"created 0, updated {len(rows) - 1}" in again.output
    assert run(sold, "export", "stock").stdout == exported


# -- customers ---------------------------------------------------------------------------
def test_customer_export_follows_the_schema(sold: Path) -> None:
    text = run(sold, "export", "customers").stdout
    assert csv_problems(CUSTOMERS, text) == []
    [ada] = [r for r in csv_rows(text) if r["name"] == "Ada"]
    assert ada["consent"] == "yes" and ada["birthday"] == ""
    records = json.loads(run(sold, "export", "customers", "--format", "json").stdout)
    assert [json_problems(CUSTOMERS, r) for r in records] == [[]] * len(records)
    [ada_json] = [r for r in records if r["name"] == "Ada"]
    assert ada_json["consent"] is True and ada_json["birthday"] is None
    assert ada_json["spend_cents"] == 298 and ada_json["last_visit"] == DAY


def test_customer_data_export_times_are_iso_with_offset(sold: Path) -> None:
    data = json.loads(run(sold, "customer", "export", "1").stdout)
    data = json.loads(run(sold, "customer", "export", "1").stdout)  # an event is recorded
    stamps = [data["created_at"]]
    stamps += [s["created_at"] for s in data["sales"]]
    stamps += [e["created_at"] for e in data["events"]]
    assert len(stamps) >= 3 and all(TIMESTAMP.fullmatch(s) for s in stamps), stamps


# -- analysis reports --------------------------------------------------------------------
ANALYSIS_COMMANDS = [
    *(("report", "sales", "--by", kind) for kind in REPORT_KINDS),
    ("report", "hours"),
    ("report", "audit"),
    *(("report", "loyalty", "--by", kind) for kind in LOYALTY_KINDS),
]
_KIND_CHECKS: dict[str, Any] = {
    "money": lambda key, v: key.endswith("_cents") and isinstance(v, int),
    "count": lambda key, v: isinstance(v, int),
    "qty": lambda key, v: key.endswith("_milli") and isinstance(v, int),
    "percent": lambda key, v: isinstance(v, int),
    "time": lambda key, v: isinstance(v, str) and TIMESTAMP.fullmatch(v) is not None,
    "text": lambda key, v: isinstance(v, str),
}


@pytest.mark.parametrize("command", ANALYSIS_COMMANDS, ids=" ".join)
def test_analysis_reports_follow_the_schema(sold: Path, command: tuple[str, ...]) -> None:
    span = ("--from", "2026-11-24", "--to", "2026-11-26")
    data = json.loads(run(sold, *command, *span, "--format", "json").stdout)
    assert json_problems(ANALYSIS, data) == []
    kinds = {c["key"]: c["kind"] for c in data["columns"]}
    for row in data["rows"]:
        for key, value in row.items():
            assert value is None or _KIND_CHECKS[kinds[key]](key, value), (key, value)
    for key, value in (data["totals"] or {}).items():  # a label may head the first column
        if kinds[key] not in ("text", "time"):
            assert value is None or _KIND_CHECKS[kinds[key]](key, value), (key, value)
    text = run(sold, *command, *span, "--format", "csv").stdout
    assert next(csv.reader(io.StringIO(text))) == [c["key"] for c in data["columns"]]
    doc_line = f"| `{' '.join(command[1:])}` | " + ", ".join(f"`{k}`" for k in kinds) + " |"
    assert doc_line in DOCS.read_text(encoding="utf-8"), doc_line


def test_docs_show_the_schemas_the_writers_use() -> None:
    assert schema_markdown(SCHEMAS) in DOCS.read_text(encoding="utf-8")


# -- delimiters --------------------------------------------------------------------------
CUSTOMERS_FILE = "name{d}phone{d}consent\nAda{d}0123456789{d}yes\nBob{d}0987654321{d}no\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_customer_import_detects_the_delimiter(
    cli_db: Path, tmp_path: Path, delimiter: str
) -> None:
    file = tmp_path / "customers.csv"
    file.write_text(CUSTOMERS_FILE.format(d=delimiter), encoding="utf-8")
    assert "created 2, updated 0" in run(cli_db, "import", "customers", str(file)).stdout


def test_a_file_whose_delimiter_cannot_be_told_is_refused(cli_db: Path, tmp_path: Path) -> None:
    file = tmp_path / "mixed.csv"
    file.write_text("barcode,name;price,tax;category\n1,a;2,3;b\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(cli_db), "import", "products", str(file)])
    assert result.exit_code == 1
    assert "line 1: cannot tell whether the columns are separated by comma or semicolon" in (
        result.output
    )
    assert "Traceback" not in result.output
