"""Garbage cycles collected and freed memory handed back to the system (issue 17: the
register's RSS while selling and across sales).

glibc keeps what Python frees; ``release_free_memory`` asks it to give the free pages
back: measured in a child process (the test process's own heap is pytest's). The sale
writer asks after every stored sale, on its own thread, once the sale's answer is out.
The PIN check's collection is tested through the app (tests/ui/test_staff_app.py).
"""

from __future__ import annotations

import gc
import platform
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from tests.support.tills import copy_database, fixed_clock, open_test_till
from tui_pos import free_memory
from tui_pos.bootstrap import Till
from tui_pos.config import Config
from tui_pos.domain.sale import SaleDocument
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.services import sale_writer

LOAF = "5900000000015"

GLIBC = platform.libc_ver()[0] == "glibc"

#: 24 MiB in blocks under glibc's mmap threshold (heap memory), all freed but the last
#: one, which pins the top of the heap so that nothing shrinks it on its own.
CHILD = """
import sys
from tui_pos.free_memory import release_free_memory

def rss_kib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4

blocks = [bytearray(b"x" * 96 * 1024) for _ in range(256)]
pin = bytearray(b"y" * 96 * 1024)
del blocks
kept = rss_kib()
asked = release_free_memory()
print(kept, rss_kib(), asked)
"""


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_memory_python_freed_goes_back_to_the_system() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    kept, after, asked = done.stdout.split()
    assert asked == "True"
    assert int(kept) - int(after) > 16 * 1024, done.stdout  # of the 24 MiB freed


def test_collect_garbage_frees_cycles_the_collector_has_not_reached() -> None:
    class Node:
        other: Node

    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    gc.disable()  # no automatic collection in between
    try:
        del a, b
        assert gone() is not None  # a cycle: reference counting cannot free it
        free_memory.collect_garbage()
        assert gone() is None
    finally:
        gc.enable()


def test_without_malloc_trim_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    free_memory._malloc_trim.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert free_memory.release_free_memory() is False
        assert free_memory.release_free_memory() is False
        assert free_memory._malloc_trim.cache_info().misses == 1  # looked up once
    finally:
        free_memory._malloc_trim.cache_clear()  # the next caller looks it up for Linux


@pytest.fixture
def shop(tmp_path: Path, demo_template: Path) -> Iterator[Till]:
    path = copy_database(demo_template, tmp_path / "till.db")
    opened = open_test_till(Config(), path, printer=RecordingPrinter(), clock=fixed_clock)
    yield opened
    opened.close()


def test_the_sale_writer_releases_after_each_sale_on_its_thread(
    shop: Till, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, bool]] = []
    futures: list[Future[SaleDocument]] = []

    def recorded() -> bool:
        calls.append((threading.current_thread().name, futures[-1].done()))
        return True

    monkeypatch.setattr(sale_writer, "release_free_memory", recorded)
    reg, writer = shop.register, shop.sale_writer
    assert writer is not None
    reg.defer_storing = True
    for _ in range(2):
        reg.enter(LOAF)
        assert reg.pay_cash("") is None and reg.awaiting_storage
        futures.append(writer.submit())
        reg.finish_sale(futures[-1].result())
    writer.close()  # waits for the thread: every release has run
    assert len(calls) == 2
    assert all(name.startswith("sale-writer") and answered for name, answered in calls)
