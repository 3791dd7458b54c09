"""The register's first frame is its log-in screen, painted before the till is open: the
till opens in a thread behind it, the field takes nothing until then, and a database that
cannot be opened ends the App with the reason (issue 17, cold start)."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from textual.widgets import Static

from tests.support.settle import settle
from tests.support.tills import (
    MANAGER_CODE,
    MANAGER_PIN,
    open_test_till,
)
from tui_pos import startup_gc
from tui_pos.app import PosApp
from tui_pos.bootstrap import Till
from tui_pos.config import Config
from tui_pos.domain.errors import StorageError
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.screens.authorize import LoginScreen
from tui_pos.screens.register import RegisterScreen
from tui_pos.till_opening import (
    REGISTER_SQLITE_HEAP,
    FirstFrame,
    TillOpening,
    first_frame,
    open_later,
    open_read_later,
)
from tui_pos.widgets.credentials_line import CredentialsLine


class HeldOpening:
    """Opens the till at ``path`` as the register does, once the test lets it; records
    the thread it ran in."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.go = threading.Event()
        self.threads: list[threading.Thread] = []
        self.till: Till | None = None

    def __call__(self) -> Till:
        self.threads.append(threading.current_thread())
        assert self.go.wait(10), "the test never let the till open"
        self.till = open_later(Config(), self.path).open()  # what `tui-pos run` opens
        return self.till


def _hint(app: PosApp) -> str:
    return str(app.screen.query_one("#login-hint", Static).render())


async def test_the_log_in_is_painted_first_and_takes_a_pin_only_once_the_till_is_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "till.db"
    open_test_till(Config(), path, printer=RecordingPrinter()).close()  # the manager exists
    opening = HeldOpening(path)
    app = PosApp(TillOpening(first_frame(Config()), path, opening))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and not app.opened
        assert _hint(app) == "Opening the till..."
        field = app.screen.query_one(CredentialsLine)
        assert field.disabled
        await pilot.press(*MANAGER_CODE, "enter", *MANAGER_PIN, "enter")  # goes nowhere
        await pilot.press("ctrl+q")  # nor does quitting before the till is open
        assert app.is_running and not app.opened
        opening.go.set()
        for _ in range(500):
            await pilot.pause(0.02)
            if app.opened:
                break
        await settle(pilot)
        assert opening.threads and opening.threads[0] is not threading.main_thread()
        assert app.till is opening.till
        # the register's SQLite heap is capped (every connection's cache together)
        limit = app.till.db.execute_sql("PRAGMA soft_heap_limit").fetchone()[0]
        assert limit == REGISTER_SQLITE_HEAP
        app.till.db.execute_sql("PRAGMA soft_heap_limit = 0")  # the process's: not for others
        assert isinstance(app.screen, LoginScreen)
        assert "Employee number" in _hint(app)
        assert app.screen_stack[-2] is app.register_screen
        assert app.till.staff.current is None  # the keys typed while opening were dropped
        field = app.screen.query_one(CredentialsLine)
        assert not field.disabled and app.focused is field
        await pilot.press(*MANAGER_CODE, "enter", *MANAGER_PIN, "enter")
        await settle(pilot)
        assert app.till.staff.current is not None
        assert app.till.staff.current.code == MANAGER_CODE
        assert not isinstance(app.screen, LoginScreen)
    app.close_till()
    assert isinstance(app.register_screen, RegisterScreen)


async def test_a_database_that_cannot_be_opened_ends_the_app_with_the_reason(
    tmp_path: Path,
) -> None:
    problem = f"The database {tmp_path / 'till.db'} is damaged"

    def refuse() -> Till:
        raise StorageError(problem)

    app = PosApp(TillOpening(first_frame(Config()), tmp_path / "till.db", refuse))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(500):
            await pilot.pause(0.02)
            if not app.is_running:
                break
    assert app.open_error == problem
    assert not app.opened and app.return_code in (0, None)
    app.close_till()  # nothing to close


async def test_a_bad_config_read_behind_the_first_frame_ends_the_app_with_its_line(
    tmp_path: Path,
) -> None:
    """The lean start read only the first frame's keys; the opening reads the whole file
    and a bad value ends the App with the config's own message (the CLI prints it)."""
    config = tmp_path / "till.toml"
    config.write_text('[store]\nname = "Corner Shop"\ncurrency = "euro"\n')
    opening = open_read_later(FirstFrame("Corner Shop"), config, tmp_path / "till.db")
    app = PosApp(opening)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(500):
            await pilot.pause(0.02)
            if not app.is_running:
                break
    assert app.open_error is not None
    assert "line 3" in app.open_error and "currency" in app.open_error
    assert not (tmp_path / "till.db").exists()  # nothing was made or written
    app.close_till()


async def test_the_first_screen_is_the_log_in_and_the_collector_runs_again_after_it(
    tmp_path: Path,
) -> None:
    """``tui-pos run`` holds the collector off from its first import; the App releases it
    once the first frame is on the screen. No blank default screen comes first."""

    def refuse() -> Till:
        raise StorageError("not this time")

    startup_gc.hold()
    try:
        app = PosApp(TillOpening(first_frame(Config()), tmp_path / "till.db", refuse))
        assert not gc.isenabled()
        async with app.run_test(size=(80, 24)) as pilot:
            stack = list(app.screen_stack)
            for _ in range(500):
                await pilot.pause(0.02)
                if not app.is_running:
                    break
        assert gc.isenabled()
        assert len(stack) == 1 and isinstance(stack[0], LoginScreen)
    finally:
        startup_gc.release()
        gc.enable()
