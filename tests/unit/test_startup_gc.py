"""The collector held off while the register starts: released by every command but
``run`` as soon as the command line is read (the register releases it at its first
frame: tests/ui/test_till_opening.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from tui_pos import startup_gc
from tui_pos.cli.root import main


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    yield
    startup_gc.release()
    gc.enable()


def test_hold_turns_the_collector_off_and_release_turns_it_back_on() -> None:
    startup_gc.hold()
    assert not gc.isenabled()
    startup_gc.release()
    assert gc.isenabled()
    startup_gc.release()  # twice: nothing more
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off() -> None:
    gc.disable()
    startup_gc.hold()
    startup_gc.release()
    assert not gc.isenabled()


def test_a_command_other_than_run_releases_it_once_the_command_line_is_read() -> None:
    startup_gc.hold()
    result = CliRunner().invoke(main, ["config", "--help"])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
