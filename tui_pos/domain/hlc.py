"""Hybrid logical clock stamps: wall time in ms, a counter, the node that stamped.

A stamp is the text ``MMMMMMMMMMMMM.CCCCC.NODE`` (13-digit ms since the epoch, 5-digit
counter, node = ``STORE/TILL`` or ``local``), so text order is stamp order: later wall
time first, then the counter, then the node (a deterministic tie-break). A node's clock
never goes back (a clock set back keeps counting on the last stamp) and moves past every
stamp it has seen (Kulkarni et al., "Logical Physical Clocks", 2014).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui_pos.domain.errors import DomainError

STAMP = re.compile(r"(\d{13})\.(\d{5})\.([A-Za-z0-9_/:-]{1,65})")
MAX_COUNTER = 99_999
#: Stamps are accepted from 2020-01-01 to 2100-01-01 (ms since the epoch).
EARLIEST_MS, LATEST_MS = 1_577_836_800_000, 4_102_444_800_000


class StampError(DomainError):
    """A stamp that is not one this clock writes."""


@dataclass(frozen=True, order=True)
class Stamp:
    ms: int
    counter: int
    node: str

    @property
    def text(self) -> str:
        return f"{self.ms:013d}.{self.counter:05d}.{self.node}"


def parse_stamp(text: object) -> Stamp:
    """A stamp from its text; StampError says what is wrong."""
    match = STAMP.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise StampError("a stamp looks like 1764676800000.00000.S01/T1")
    ms = int(match[1])
    if not EARLIEST_MS <= ms < LATEST_MS:
        raise StampError("a stamp's time must be between 2020 and 2100")
    return Stamp(ms, int(match[2]), match[3])


def tick(last: Stamp | None, now_ms: int, node: str) -> Stamp:
    """The stamp of a local event after ``last`` (this node's previous stamp)."""
    return receive(last, None, now_ms, node)


def receive(last: Stamp | None, seen: Stamp | None, now_ms: int, node: str) -> Stamp:
    """The next stamp of ``node`` after its ``last`` and a stamp ``seen`` from elsewhere."""
    known = max((s for s in (last, seen) if s is not None), default=None)
    if known is None or now_ms > known.ms:
        return Stamp(now_ms, 0, node)
    if known.counter >= MAX_COUNTER:  # a burst in one ms: borrow the next ms
        return Stamp(known.ms + 1, 0, node)
    return Stamp(known.ms, known.counter + 1, node)
