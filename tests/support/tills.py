"""What many tests share: the fixed clock, cheap PIN hashing, the fixture manager, a till
opened the way the tests open it, and a database copied with its key files."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.demo.store import manager_approval
from tui_pos.domain.pin import ScryptCost
from tui_pos.domain.staff import Action, Employee, Role

#: The moment every fixture till lives in (midday UTC: the same calendar day in most zones).
FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    """A clock that never moves."""
    return FIXED_NOW


#: PIN hashing made cheap for tests (production: scrypt n=2**14).
TEST_PIN_COST = ScryptCost(n=2**4, r=1, p=1)

#: The manager every fixture till is logged in as.
MANAGER_CODE, MANAGER_PIN = "1", "2468"


def log_in_manager(till: Till) -> Employee:
    """Create the fixture manager (once) and log them in at the register."""
    if till.staff.store.by_code(MANAGER_CODE) is None:
        till.staff.add_employee(
            MANAGER_CODE,
            "Test Manager",
            Role.MANAGER,
            MANAGER_PIN,
            approval=manager_approval(till, Action.STAFF_ADMIN),
        )
    employee = till.staff.log_in(MANAGER_CODE, MANAGER_PIN)
    till.register.cashier = employee
    return employee


def open_test_till(config: Config, path: Path, **kwargs: Any) -> Till:
    """``open_till`` with cheap PIN hashing and the fixture manager logged in."""
    opened = open_till(config, path, pin_cost=TEST_PIN_COST, **kwargs)
    log_in_manager(opened)
    return opened


def copy_database(template: Path, path: Path) -> Path:
    """Copy a till's database to ``path`` with what lives beside it: its chain key and
    anchor file (without them the copy cannot be written or verified) and its PIN key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    path.chmod(0o600)
    companions = {
        template.parent / "chain.key": path.parent / "chain.key",
        template.parent / "pin.key": path.parent / "pin.key",
        template.with_name(template.name + ".anchor"): path.with_name(path.name + ".anchor"),
    }
    for source, target in companions.items():
        if source.exists() and source != target:
            shutil.copyfile(source, target)
            target.chmod(0o600)
    return path
