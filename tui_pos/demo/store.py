"""The demo store: the demo catalog imported through the normal importer."""

from __future__ import annotations

import io

from tui_pos.bootstrap import Till
from tui_pos.demo.catalog import demo_products
from tui_pos.domain.staff import Action, Approval, Role


def demo_csv() -> list[str]:
    """The demo catalog as the lines of a products CSV file."""
    # Loaded here: the tests' tills import this module for the staff helpers and sell
    # without the importer (tests/ui/test_selling_modules.py).
    import csv

    from tui_pos.services.product_import import OPTIONAL, REQUIRED

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*REQUIRED, *OPTIONAL], lineterminator="\n")
    writer.writeheader()
    writer.writerows(demo_products())
    return out.getvalue().splitlines(keepends=True)


def ensure_demo_catalog(till: Till) -> bool:
    """Import the demo catalog into an empty store; returns True if it did."""
    if till.catalog.count() > 0:
        return False
    till.import_products(demo_csv(), manager_approval(till, Action.PRODUCT_ADMIN))
    return True


#: The demo's staff: number, name, role, PIN, badge (the badges follow the demo's
#: employee-badge barcode rule, if one is configured).
DEMO_STAFF: tuple[tuple[str, str, Role, str], ...] = (
    ("1", "Mia Manager", Role.MANAGER, "2468"),
    ("2", "Sam Supervisor", Role.SUPERVISOR, "1357"),
    ("3", "Chris Cashier", Role.CASHIER, "9024"),
)

#: What the log-in screen of the demo says.
DEMO_LOGIN_HINT = (
    "Demo staff: 3 Chris (cashier) PIN 9024 · 2 Sam (supervisor) PIN 1357 · "
    "1 Mia (manager) PIN 2468.  Number, Enter, PIN, Enter."
)


def ensure_demo_staff(till: Till) -> bool:
    """Create the demo's employees in a store without staff; returns True if it did."""
    if till.staff.store.employees():
        return False
    for code, name, role, pin in DEMO_STAFF:  # the first (a manager) needs no approval
        till.staff.add_employee(
            code, name, role, pin, None, manager_approval(till, Action.STAFF_ADMIN)
        )
    return True


def manager_approval(till: Till, action: Action) -> Approval | None:
    """What the demo does behind the screens (staff, promotions) it does as its first
    active manager (None: a till without staff, which allows everything)."""
    managers = [
        s.employee
        for s in till.staff.store.employees()
        if s.employee.active and s.employee.role is Role.MANAGER
    ]
    return Approval(action, managers[0]) if managers else None
