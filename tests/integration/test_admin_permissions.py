"""The rest of the gated use cases refuse what the acting role may not do, however they
are called: discounts above the limit, returns without a receipt, the admin use cases
of staff, customer data, products, promotions, tax codes (a till alone), web orders and
the recovery code, and the staff records (audit log, hours, staff list). Backups and
restores: the sibling test_backup_permissions.py.

Each is called directly (no screen, no CLI) with a cashier's approval (or none): refused
with PermissionDenied, audited as ``refused`` with who asked, nothing changed. The same
call approved by a role that may goes through (the sibling test_service_permissions.py
does the same for void, cash, Z, refund, stock, no-sale and price override).
"""

from __future__ import annotations

import pytest

from tests.support.approvals import approved
from tests.support.audit import last_audit, rows
from tests.support.tills import FIXED_NOW
from tui_pos.bootstrap import Till
from tui_pos.domain.segments import SegmentRule
from tui_pos.domain.staff import Action, Approval, Employee, Role
from tui_pos.services.permissions import PermissionDenied

LOAF = "5900000000015"  # White Loaf 800g, 1.49, tax B


@pytest.fixture
def cashier(demo_till: Till) -> Employee:
    return demo_till.staff.add_employee(
        "3", "Cal Cashier", Role.CASHIER, "9024", None, approved(demo_till, Action.STAFF_ADMIN)
    )


def test_line_and_sale_discounts_above_the_limit(
    demo_till: Till, cashier: Employee, supervisor: Employee
) -> None:
    reg = demo_till.register
    reg.enter(LOAF)
    reg.set_line_discount(0, "10%")  # up to the limit (10%): anyone, no approval
    reg.set_cart_discount("0.10")
    mine = Approval(Action.DISCOUNT_OVER_LIMIT, cashier)
    with pytest.raises(PermissionDenied, match="Cal Cashier may not do this: Discount above"):
        reg.set_line_discount(0, "50%", mine)
    assert last_audit(demo_till)[:3] == ("discount_over_limit", "refused", cashier.name)
    with pytest.raises(PermissionDenied):
        reg.set_cart_discount("1.00", None)  # 67% of 1.49: nobody approved it
    with pytest.raises(PermissionDenied):  # an approval for something else does not count
        reg.set_cart_discount("1.00", Approval(Action.PRICE_OVERRIDE, supervisor))
    assert reg.totals().discount_cents == 15 + 10  # unchanged: 10% and 0.10
    assert "sale discount: 1.00" in str(last_audit(demo_till)[4])
    reg.set_line_discount(0, "50%", Approval(Action.DISCOUNT_OVER_LIMIT, cashier, supervisor))
    reg.set_cart_discount("0.50", Approval(Action.DISCOUNT_OVER_LIMIT, supervisor))
    assert reg.totals().discount_cents == 75 + 50


def test_return_without_receipt(demo_till: Till, cashier: Employee, supervisor: Employee) -> None:
    returns, reg = demo_till.returns, demo_till.register
    with pytest.raises(PermissionDenied, match="Return without receipt"):
        returns.return_without_receipt(LOAF, Approval(Action.RETURN_WITHOUT_RECEIPT, cashier))
    assert last_audit(demo_till)[:3] == ("return_without_receipt", "refused", cashier.name)
    assert reg.cart.is_empty
    approval = Approval(Action.RETURN_WITHOUT_RECEIPT, cashier, supervisor)
    assert returns.return_without_receipt(LOAF, approval).startswith("Returning 1 x White Loaf")
    assert reg.cart.lines[0].qty_milli == -1000


def test_staff_admin(demo_till: Till, cashier: Employee, supervisor: Employee) -> None:
    staff = demo_till.staff
    for who in (cashier, supervisor):  # staff admin is the managers'
        mine = Approval(Action.STAFF_ADMIN, who)
        with pytest.raises(PermissionDenied, match="Staff admin"):
            staff.add_employee("4", "Dee", Role.MANAGER, "8642", None, mine)
        assert last_audit(demo_till)[:3] == ("staff_admin", "refused", who.name)
        with pytest.raises(PermissionDenied):
            staff.set_pin("1", "1111", mine)
        with pytest.raises(PermissionDenied):
            staff.update_employee(who.code, role=Role.MANAGER, approval=mine)
        with pytest.raises(PermissionDenied):
            staff.unlock("1", mine)
    assert staff.store.by_code("4") is None
    assert staff.store.by_code(cashier.code).employee.role is Role.CASHIER  # type: ignore[union-attr]
    assert staff.log_in("1", "2468").code == "1"  # the manager's PIN is unchanged
    manager = approved(demo_till, Action.STAFF_ADMIN)
    assert manager is not None and manager.actor is not None
    assert staff.update_employee(cashier.code, active=False, approval=manager).active is False
    assert last_audit(demo_till)[:3] == ("staff_change", "done", manager.actor.name)


def test_customer_data_admin(demo_till: Till, supervisor: Employee) -> None:
    customers = demo_till.customers
    someone = customers.create_quick("Ada Lovelace, 0123456789")
    mine = Approval(Action.CUSTOMER_ADMIN, supervisor)
    refused = [
        lambda: customers.export_data(str(someone.id), mine),
        lambda: customers.erase(str(someone.id), "asked", mine),
        lambda: customers.export_rows(approval=mine),
        lambda: customers.save_segment("all", SegmentRule(), mine),
        lambda: customers.import_csv(["name\n", "Bob\n"], demo_till.parser, mine, dry_run=True),
        lambda: demo_till.campaigns.send("at-risk", "Hi", "t.txt", "Sam", approval=mine),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied, match="Customer data admin"):
            call()
        assert last_audit(demo_till)[:3] == ("customer_admin", "refused", supervisor.name)
    assert not customers.get(someone.id).erased
    assert "all" not in [s.name for s in customers.segments()]
    manager = approved(demo_till, Action.CUSTOMER_ADMIN)
    assert customers.export_data(str(someone.id), manager)["profile"]["name"] == "Ada Lovelace"
    assert customers.erase(str(someone.id), "asked", manager).erased


def test_product_admin(demo_till: Till, supervisor: Employee) -> None:
    mine = Approval(Action.PRODUCT_ADMIN, supervisor)
    csv = ["barcode,name,price,tax,category,stock\n", "2000000000015,Rye Loaf,2.10,B,Bread,5\n"]
    with pytest.raises(PermissionDenied, match="Product and stock admin"):
        demo_till.import_products(csv, mine)
    assert last_audit(demo_till)[:3] == ("product_admin", "refused", supervisor.name)
    assert demo_till.catalog.by_code("2000000000015") is None
    assert demo_till.import_products(csv, mine, dry_run=True).created == 1  # writes nothing
    promotions = demo_till.promotions
    with pytest.raises(PermissionDenied):
        promotions.add(name="Half", kind="percent", item=LOAF, value="50%", approval=mine)
    before = len(promotions.list())
    made = promotions.add(
        name="Half",
        kind="percent",
        item=LOAF,
        value="50%",
        approval=approved(demo_till, Action.PRODUCT_ADMIN),
    )
    with pytest.raises(PermissionDenied):
        promotions.end(made.id, mine)
    assert len(promotions.list()) == before + 1 and made.ends_on is None
    assert promotions.end(made.id, approved(demo_till, Action.PRODUCT_ADMIN)).ends_on is not None


def test_deliveries_and_counts(demo_till: Till, supervisor: Employee) -> None:
    stock, mine = demo_till.stock, Approval(Action.PRODUCT_ADMIN, supervisor)
    loaf = stock.scanned(LOAF).product_id
    moved = "SELECT COUNT(*) FROM stock_movement WHERE kind IN ('receipt', 'count')"
    before = rows(demo_till, moved)
    with pytest.raises(PermissionDenied, match="Product and stock admin"):
        stock.receive("DN-1", {loaf: 5000}, mine)
    assert last_audit(demo_till)[:3] == ("product_admin", "refused", supervisor.name)
    with pytest.raises(PermissionDenied):
        stock.apply_count({loaf: 4000}, approval=mine)
    assert rows(demo_till, moved) == before
    assert stock.receive("DN-1", {loaf: 5000}, approved(demo_till, Action.PRODUCT_ADMIN)) == 1


def test_tax_codes_at_a_till_alone(demo_till: Till, supervisor: Employee) -> None:
    """``tax set`` on a till that is not enrolled: the use case checks the approval, and
    the code and its audit line are stored (and sealed in the chain) together."""
    from tui_pos.models.journal_verify import verify_journal
    from tui_pos.models.tax_codes import tax_sources

    taxes, before = demo_till.tax_codes, demo_till.register.tax_rates()
    for mine in (Approval(Action.PRODUCT_ADMIN, supervisor), None):
        with pytest.raises(PermissionDenied, match="Product and stock admin"):
            taxes.set("B", 700, None, mine)
    assert last_audit(demo_till)[:2] == ("product_admin", "refused")
    assert rows(demo_till, "SELECT detail FROM audit_event ORDER BY id DESC LIMIT 2")[1] == (
        f"tax B 7% ({before['B'].name})",
    )
    assert demo_till.register.tax_rates() == before
    assert "till" not in tax_sources(demo_till.db).values()
    manager = approved(demo_till, Action.PRODUCT_ADMIN)
    assert manager is not None and manager.actor is not None
    done = taxes.set("B", 700, None, manager)
    assert demo_till.register.tax_rates()["B"] == done and done.rate_bp == 700
    assert tax_sources(demo_till.db)["B"] == "till"
    assert last_audit(demo_till)[:3] == ("tax_set", "done", manager.actor.name)
    problems, _ = verify_journal(demo_till.db)
    assert problems == []  # the audit line is in the chain, sealed by the unit of work


def test_importing_online_orders(demo_till: Till, supervisor: Employee) -> None:
    """Paid web orders take stock and give points: product admin, like the product import."""
    import json

    order = {
        "order_id": "WEB-77",
        "created_at": "2026-11-25T09:14:00Z",
        "paid": True,
        "lines": [{"barcode": LOAF, "qty": 2, "price": "1.49"}],
    }
    text, orders = json.dumps([order]), demo_till.online_orders
    stored = "SELECT COUNT(*) FROM online_order"
    before = rows(demo_till, stored)
    with pytest.raises(PermissionDenied, match="Product and stock admin"):
        orders.import_text(text, Approval(Action.PRODUCT_ADMIN, supervisor))
    assert last_audit(demo_till)[:3] == ("product_admin", "refused", supervisor.name)
    assert rows(demo_till, stored) == before
    done = orders.import_text(text, approved(demo_till, Action.PRODUCT_ADMIN))
    assert [o.order_id for o in done.imported] == ["WEB-77"]


def test_a_new_recovery_code(demo_till: Till, supervisor: Employee) -> None:
    """The way back after a lost PIN key: renewing it is staff admin; a refusal keeps the
    old code working."""
    stored = "SELECT code_hash FROM pin_recovery"
    before = rows(demo_till, stored)
    with pytest.raises(PermissionDenied, match="Staff admin"):
        demo_till.recovery_codes.renew(Approval(Action.STAFF_ADMIN, supervisor))
    assert last_audit(demo_till)[:3] == ("staff_admin", "refused", supervisor.name)
    assert rows(demo_till, stored) == before
    manager = approved(demo_till, Action.STAFF_ADMIN)
    assert manager is not None and manager.actor is not None
    code = demo_till.recovery_codes.renew(manager)
    assert code and rows(demo_till, stored) != before
    assert last_audit(demo_till)[:3] == ("recovery_code", "done", manager.actor.name)


def test_the_audit_log_hours_worked_and_staff_list(demo_till: Till, cashier: Employee) -> None:
    """Reading who did what and who works here: the audit log is AUDIT_READ, hours worked
    REPORTS, the staff list STAFF_ADMIN."""
    from tui_pos.domain.analysis import DateRange
    from tui_pos.services.staff_reports import audit_report, hours_report

    day = FIXED_NOW.date()
    today = DateRange(day, day)
    for make, action in ((audit_report, Action.AUDIT_READ), (hours_report, Action.REPORTS)):
        with pytest.raises(PermissionDenied):
            make(demo_till.staff, today, Approval(action, cashier))
        assert last_audit(demo_till)[:3] == (action.value, "refused", cashier.name)
        assert make(demo_till.staff, today, approved(demo_till, action)).kind in ("audit", "hours")
    people = demo_till.staff
    with pytest.raises(PermissionDenied, match="Staff admin"):
        people.employees(Approval(Action.STAFF_ADMIN, cashier))  # the staff list
    assert cashier.code in [
        s.employee.code for s in people.employees(approved(demo_till, Action.STAFF_ADMIN))
    ]
