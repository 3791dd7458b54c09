"""The demo store: the demo catalog imported through the normal importer."""

from __future__ import annotations

import csv
import io

from tui_pos.bootstrap import Till
from tui_pos.demo.catalog import demo_products
from tui_pos.domain.staff import Role
from tui_pos.services.product_import import OPTIONAL, REQUIRED, import_products


def demo_csv() -> list[str]:
    """The demo catalog as the lines of a products CSV file."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*REQUIRED, *OPTIONAL], lineterminator="\n")
    writer.writeheader()
    writer.writerows(demo_products())
    return out.getvalue().splitlines(keepends=True)


def ensure_demo_catalog(till: Till) -> bool:
    """Import the demo catalog into an empty store; returns True if it did."""
    if till.catalog.count() > 0:
        return False
    import_products(
        demo_csv(),
        till.catalog_writer,
        [t.code for t in till.config.taxes],
        till.parser,
        till=till.config.store.till,
        now=till.register.clock(),
    )
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
    if till.staff.employees():
        return False
    for code, name, role, pin in DEMO_STAFF:
        till.staff.add_employee(code, name, role, pin)
    return True
