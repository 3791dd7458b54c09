"""The customer's personal coupon is printed on their receipt (text and barcode, through
the real file printer and the ESC/POS layout); the printed code, scanned at the next
visit, is redeemed once and is not printed again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.test_coupons import LOAF, coupons_for
from tui_pos.bootstrap import Till
from tui_pos.domain.coupons import CouponError
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.sale import SaleDocument
from tui_pos.drivers.escpos.render import receipt_bytes
from tui_pos.drivers.file_printer import FilePrinter


def sale(till: Till, *codes: str) -> SaleDocument:
    for code in codes:
        till.register.enter(code)
    doc = till.register.pay_cash("")
    assert isinstance(doc, SaleDocument)
    return doc


def printed(till: Till, doc: SaleDocument, path: Path) -> str:
    FilePrinter(path).print_receipt(till.receipts.receipt(doc))
    return path.read_text(encoding="utf-8")


def test_the_printed_coupon_round_trips(demo_till: Till, tmp_path: Path) -> None:
    till = demo_till
    code = coupons_for(till, "Ann Lee")["Ann Lee"]
    ann = till.db.execute_sql("SELECT id FROM customer WHERE name = 'Ann Lee'").fetchone()[0]
    till.customers.attach(till.register, int(ann))
    first = sale(till, LOAF)
    text = printed(till, first, tmp_path / "first.txt")
    assert "Your coupon: 0.50 off" in text and f"  {code}" in text
    [found] = re.findall(r"\[barcode (CP[A-Z0-9]{10})\]", text)
    assert found == code
    escpos = receipt_bytes(till.receipts.receipt(first))
    assert b"{B" + code.encode() in escpos  # a Code 128 barcode of the code
    assert code not in "\n".join(till.receipts.lines(first, copy=True))  # a copy: no coupon

    second = sale(till, LOAF, LOAF, found.lower())  # scanned at the next visit
    assert second.total_cents == 248
    assert code not in printed(till, second, tmp_path / "second.txt")  # used: not offered

    till.register.enter(LOAF)
    with pytest.raises(CouponError, match="already redeemed"):
        till.register.enter(found)


def test_no_coupon_for_a_guest_or_a_customer_without_one(demo_till: Till, tmp_path: Path) -> None:
    till = demo_till
    coupons_for(till, "Ann Lee")
    guest = sale(till, LOAF)
    assert "coupon" not in printed(till, guest, tmp_path / "guest.txt").lower()
    bo = till.customers.create(CustomerDetails("Bo"))
    till.customers.attach(till.register, bo.id)
    assert "coupon" not in printed(till, sale(till, LOAF), tmp_path / "bo.txt").lower()
