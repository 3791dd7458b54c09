"""Stock as a ledger: movement kinds, the level as the sum of movements, a scan tally for
receiving and counting, count variances, and the low-stock rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from tui_pos.domain.errors import DomainError
from tui_pos.domain.quantity import Unit

#: Every kind of stock movement. A damaged return is a ``return`` in and a ``damaged`` out.
MovementKind = Literal["sale", "return", "damaged", "receipt", "count", "adjustment", "online"]


class StockError(DomainError):
    """A stock action that cannot be done (no reason given, nothing counted...)."""


@dataclass(frozen=True)
class Movement:
    """One change of one product's stock (``qty_milli`` signed)."""

    product_id: int
    qty_milli: int
    kind: MovementKind
    note: str = ""


def replay(movements: Iterable[Movement]) -> dict[int, int]:
    """The stock level of each product: the sum of its movements."""
    levels: dict[int, int] = {}
    for m in movements:
        levels[m.product_id] = levels.get(m.product_id, 0) + m.qty_milli
    return levels


def is_low(level_milli: int, reorder_level_milli: int) -> bool:
    """A product with a reorder level is low when its stock is at or below it."""
    return reorder_level_milli > 0 and level_milli <= reorder_level_milli


def fell_low(before_milli: int, after_milli: int, reorder_level_milli: int) -> bool:
    """True when a change took the level to or below the reorder level (an alert)."""
    return is_low(after_milli, reorder_level_milli) and not is_low(
        before_milli, reorder_level_milli
    )


@dataclass(frozen=True)
class TallyLine:
    """A product scanned in a delivery or a count, with the quantity so far."""

    product_id: int
    name: str
    unit: Unit
    qty_milli: int


@dataclass
class ScanTally:
    """Scans added up per product, in first-scan order (receiving, stock counts)."""

    lines: dict[int, TallyLine] = field(default_factory=dict)

    def add(self, product_id: int, name: str, unit: Unit, qty_milli: int) -> TallyLine:
        """Add a scan (``qty_milli`` may be negative to correct a mis-scan)."""
        current = self.lines.get(product_id)
        total = (current.qty_milli if current else 0) + qty_milli
        if total < 0:
            raise StockError(f"{name}: the tally cannot go below 0")
        line = TallyLine(product_id, name, unit, total)
        self.lines[product_id] = line
        return line

    def remove(self, product_id: int) -> None:
        """Forget a product's scans."""
        self.lines.pop(product_id, None)

    @property
    def items(self) -> list[TallyLine]:
        """The lines in scan order."""
        return list(self.lines.values())

    def quantities(self) -> dict[int, int]:
        """Product id -> quantity."""
        return {pid: line.qty_milli for pid, line in self.lines.items()}


@dataclass(frozen=True)
class CountLine:
    """A counted product: what the ledger says, what was counted, the difference."""

    product_id: int
    name: str
    unit: Unit
    ledger_milli: int
    counted_milli: int

    @property
    def variance_milli(self) -> int:
        """Counted minus the ledger (negative: missing)."""
        return self.counted_milli - self.ledger_milli


def count_movements(lines: Iterable[CountLine], note: str) -> list[Movement]:
    """The ``count`` movements that bring the ledger to what was counted."""
    return [
        Movement(c.product_id, c.variance_milli, "count", note)
        for c in lines
        if c.variance_milli != 0
    ]
