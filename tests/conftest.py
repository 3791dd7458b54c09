"""Small shared fixtures: the default config and a till on a real SQLite file."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.domain.pin import ScryptCost
from tui_pos.domain.staff import Employee, Role
from tui_pos.drivers.file_printer import RecordingPrinter

# CI runs the same examples every time (a red CI is then a reproducible bug, not luck);
# `make test` on a developer's machine keeps exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

try:  # the optional extra "tui-pos[evdev]" compiles against kernel headers
    import evdev  # noqa: F401
except ImportError:  # no compiler on this machine: `make` said so; .ci/run always builds it
    collect_ignore = ["test_scanner_evdev.py"]

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
        till.staff.add_employee(MANAGER_CODE, "Test Manager", Role.MANAGER, MANAGER_PIN)
    employee = till.staff.log_in(MANAGER_CODE, MANAGER_PIN)
    till.register.cashier = employee
    return employee


@pytest.fixture
def config() -> Config:
    """The default configuration (the demo store)."""
    return Config()


def open_test_till(config: Config, path: Path, **kwargs: Any) -> Till:
    """``open_till`` with cheap PIN hashing and the fixture manager logged in."""
    opened = open_till(config, path, pin_cost=TEST_PIN_COST, **kwargs)
    log_in_manager(opened)
    return opened


@pytest.fixture
def till(tmp_path: Path) -> Iterator[Till]:
    """A till on a fresh database file, printing to a RecordingPrinter, at a fixed time."""
    opened = open_till(
        Config(),
        tmp_path / "till.db",
        printer=RecordingPrinter(),
        clock=fixed_clock,
        pin_cost=TEST_PIN_COST,
    )
    log_in_manager(opened)
    yield opened
    opened.close()


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


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the demo catalog, built once (the import takes about 0.3 s)."""
    path = tmp_path_factory.mktemp("demo-template") / "till.db"
    built = open_till(Config(), path, printer=RecordingPrinter(), clock=fixed_clock)
    ensure_demo_catalog(built)
    built.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    built.close()
    return path


@pytest.fixture
def demo_till(tmp_path: Path, demo_template: Path) -> Iterator[Till]:
    """Like ``till``, with the demo catalog (a copy of the session's demo database)."""
    path = copy_database(demo_template, tmp_path / "till.db")
    opened = open_till(
        Config(), path, printer=RecordingPrinter(), clock=fixed_clock, pin_cost=TEST_PIN_COST
    )
    ensure_demo_catalog(opened)  # a no-op here: the copy has the catalog already
    log_in_manager(opened)
    yield opened
    opened.close()


@pytest.fixture
def cli_db(tmp_path: Path, demo_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo database for CLI tests, with HOME and the config pointed away
    from the user's own."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TUI_POS_CONFIG", str(tmp_path / "no-such-config.toml"))
    return copy_database(demo_template, tmp_path / "till.db")
