"""Shared fixtures only (the default config, tills on a real SQLite file, the demo
template); the helpers tests import are in :mod:`tests.support`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.approvals import approved
from tests.support.tills import TEST_PIN_COST, copy_database, fixed_clock, log_in_manager
from tui_pos.bootstrap import Till, open_till
from tui_pos.config import Config
from tui_pos.demo import ensure_demo_catalog
from tui_pos.domain.staff import Action, Employee, Role
from tui_pos.drivers.file_printer import RecordingPrinter

# CI runs the same examples every time (a red CI is then a reproducible bug, not luck), with
# no per-example deadline (a loaded CI machine is not a bug);
# `make test` on a developer's machine keeps exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

try:  # the optional extra "tui-pos[evdev]" compiles against kernel headers
    import evdev  # noqa: F401
except ImportError:  # no compiler on this machine: `make` said so; .ci/run always builds it
    collect_ignore = ["integration/test_scanner_evdev.py"]


@pytest.fixture
def config() -> Config:
    """The default configuration (the demo store)."""
    return Config()


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
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    # no config file: the defaults (TUI_POS_CONFIG naming a missing file is an error)
    monkeypatch.delenv("TUI_POS_CONFIG", raising=False)
    return copy_database(demo_template, tmp_path / "till.db")


@pytest.fixture
def supervisor(demo_till: Till) -> Employee:
    """Sam Supervisor (2/1357) on ``demo_till``, added by its manager."""
    return demo_till.staff.add_employee(
        "2",
        "Sam Supervisor",
        Role.SUPERVISOR,
        "1357",
        None,
        approved(demo_till, Action.STAFF_ADMIN),
    )
