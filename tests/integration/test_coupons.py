"""Personal coupons from a campaign, redeemed at the till once: refused the second time,
refused for another customer, and refused at the commit when another till process
redeemed it first (the sale is then not stored and the cart stays)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.domain.coupons import CouponError
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.staff import Action
from tui_pos.services.campaigns import CouponOffer

LOAF = "5900000000015"  # White Loaf 800g, 1.49
TEMPLATE = """Subject: A coupon

{{coupon}} Unsubscribe: {{unsubscribe}}
--- html ---
<p>{{coupon}} {{unsubscribe}}</p>
"""

#: Another till process on the same database redeems the coupon and stores its sale.
OTHER_TILL = """
import sys
from dataclasses import replace
from pathlib import Path
from tui_pos.bootstrap import open_till
from tui_pos.config import Config
from tui_pos.drivers.file_printer import RecordingPrinter
config = Config()
config = replace(config, store=replace(config.store, till="T2"))
till = open_till(config, Path(sys.argv[1]), printer=RecordingPrinter())
till.register.scan("5900000000015")
till.register.scan("5900000000015")
print(till.register.scan(sys.argv[2]).message)
doc = till.register.pay_cash("5.00")
print("stored", doc.total_cents)
till.close()
"""


def coupons_for(till: Till, *names: str) -> dict[str, str]:
    """A campaign giving each named (consenting) customer a 0.50 coupon: name -> code."""
    for name in names:
        till.customers.create(
            CustomerDetails(name, email=f"{name[:3]}@example.org", marketing_consent=True)
        )
    today = till.register.clock().date()
    till.campaigns.send(
        "newsletter",
        TEMPLATE,
        "t.txt",
        "M",
        control_percent=0,
        coupon=CouponOffer("amount", 50, today + timedelta(days=30)),
        approval=approved(till, Action.CUSTOMER_ADMIN),
    )
    rows = till.db.execute_sql(
        "SELECT c.name, q.code FROM coupon q JOIN customer c ON c.id = q.customer_id"
    ).fetchall()
    return {str(n): str(c) for n, c in rows}


def count(till: Till, table: str) -> int:
    return int(till.db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_a_coupon_is_redeemed_once(demo_till: Till) -> None:
    till = demo_till
    codes = coupons_for(till, "Ann Lee")
    till.register.scan(LOAF)
    till.register.scan(LOAF)
    said = till.register.enter(codes["Ann Lee"].lower())  # typed: any case
    assert said.message == f"Coupon {codes['Ann Lee']}: 0.50 off the sale"
    assert till.register.cart.customer_id is not None  # the owner was attached
    assert till.register.totals().total_cents == 248
    doc = till.register.pay_cash("5.00")
    assert doc is not None and doc.total_cents == 248 and doc.coupon == codes["Ann Lee"]
    assert till.db.execute_sql("SELECT code, discount_cents FROM coupon_redemption").fetchall() == [
        (codes["Ann Lee"], 50)
    ]
    till.register.scan(LOAF)
    with pytest.raises(CouponError, match="already redeemed"):
        till.register.enter(codes["Ann Lee"])
    assert till.register.totals().total_cents == 149 and till.register.cart.coupon is None


def test_someone_elses_coupon_is_refused(demo_till: Till) -> None:
    till = demo_till
    codes = coupons_for(till, "Ann Lee", "Bob Ray")
    bob = till.customers.search("Bob")[0]
    till.register.scan(LOAF)
    till.customers.attach(till.register, bob.id)
    with pytest.raises(CouponError, match="belongs to another customer"):
        till.register.enter(codes["Ann Lee"])
    with pytest.raises(CouponError, match="No coupon CPAAAAAAAAAA"):
        till.register.enter("CPAAAAAAAAAA")
    assert till.register.totals().total_cents == 149


def test_another_till_redeems_it_first(demo_till: Till, tmp_path: Path) -> None:
    till = demo_till
    code = coupons_for(till, "Ann Lee")["Ann Lee"]
    till.register.scan(LOAF)
    till.register.scan(LOAF)
    till.register.enter(code)  # accepted here: nobody has used it yet
    other = subprocess.run(
        [sys.executable, "-c", OTHER_TILL, str(tmp_path / "till.db"), code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert other.returncode == 0, other.stderr
    assert "stored 248" in other.stdout
    sales = count(till, "sale")
    till.register.tender_state()  # the payment screen opens
    with pytest.raises(CouponError, match="redeemed at till T2 meanwhile"):
        till.register.pay_cash("5.00")
    assert count(till, "sale") == sales  # nothing stored by this till
    assert count(till, "coupon_redemption") == 1
    assert till.register.cart.coupon == code and till.register.cart.lines  # cart kept
