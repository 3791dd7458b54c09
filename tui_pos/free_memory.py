"""Keeping the register's memory down while it sells: garbage collected, freed memory
handed back to the system.

Two things keep memory that nothing uses (measured in bench/README.md, "Eighth pass"):

* *Garbage cycles.* Textual's screens and widgets refer to each other, so what the start
  and the log-in leave (the waiting log-in screen, the opening's objects) is freed only
  by the cyclic collector, whose full collections come seldom (when a quarter more
  objects than the last one left are waiting). :func:`collect_garbage` runs a full one.
  It holds the interpreter for ~45 ms, so it runs where someone is waiting anyway: after
  a PIN check, on the credentials thread, before the first sale fills new memory (about
  1 MB less while selling). (Textual's rendered lines, the bulk of a sale's cycles, are
  no longer cycles at all: :mod:`tui_pos.render_cycles_fix`.)
* *Memory the C library keeps.* glibc's malloc keeps what Python and SQLite freed for the
  next allocation: the top of a heap shrinks only when its topmost block is free, and
  free pages inside the heap and the threads' arenas stay resident.
  :func:`release_free_memory` calls ``malloc_trim(0)``, which gives the free pages of
  every arena back (0.07-0.4 ms, a few calls up to 13 ms). The sale writer calls it on
  its thread after each stored sale, once the sale's answer is out. ``ctypes`` (0.4 MiB,
  3.5 ms to import) is loaded on the first call, never at start. Where the C library is
  not glibc (musl, macOS) there is no ``malloc_trim`` and the call does nothing.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable


@functools.cache  # looked up once (functools.cache is thread-safe: at worst twice)
def _malloc_trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim``; None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None)  # the symbols already in the process
        function = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    trim: Callable[[int], int] = function
    return trim


def release_free_memory() -> bool:
    """Give freed memory back to the system; True if the C library could be asked.

    Never raises: this is housekeeping, and the work before it is done already.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def collect_garbage() -> None:
    """A full collection of garbage cycles (see the module docstring: not on the UI
    thread, though it holds the interpreter meanwhile)."""
    gc.collect()
