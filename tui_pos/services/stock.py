"""Stock control: receiving deliveries, counts with their variance, adjustments with a
reason, low-stock alerts and the stock feed. Every change is a ledger movement."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tui_pos.domain.card_numbers import refuse_card_number
from tui_pos.domain.cart_lines import CartLine
from tui_pos.domain.quantity import QuantityLimits, Unit, parse_quantity
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action, Approval
from tui_pos.domain.stock import (
    CountLine,
    Movement,
    StockError,
    TallyLine,
    fell_low,
    is_low,
)
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import Clock

#: Counts and deliveries are not bound by the per-line sale limits.
STOCK_LIMITS = QuantityLimits(max_each=9_999_999, max_weight_grams=9_999_999_999)


@dataclass(frozen=True)
class StockLevel:
    """A product's stock as the feed and the low-stock report show it."""

    product_id: int
    code: str
    name: str
    unit: Unit
    category: str
    price_cents: int
    level_milli: int
    reorder_level_milli: int
    damaged_milli: int
    barcode: str = ""  #: the first barcode (GTIN-14 or a base code), or empty
    plu: str = ""
    tax: str = ""  #: the tax code

    @property
    def low(self) -> bool:
        """At or below the reorder level."""
        return is_low(self.level_milli, self.reorder_level_milli)


class StockStore(Protocol):
    """Stock levels and movements in storage."""

    def levels(self, product_ids: Sequence[int] | None = None) -> list[StockLevel]:
        """Levels of the given products (all active products when None), by name."""

    def record(self, till: str, now: datetime, moves: Sequence[Movement]) -> int:
        """Append movements in one transaction; returns how many were written."""

    def apply_count(
        self, till: str, now: datetime, counted: dict[int, int], note: str
    ) -> list[CountLine]:
        """Write the count movements for ``counted`` against the ledger as it is inside
        the transaction; returns the variances applied."""


class Stock:
    """The use cases of the stock screens and the stock feed."""

    def __init__(
        self,
        store: StockStore,
        auth: Authorizer,
        line_for: Callable[[str], CartLine],
        till: str,
        clock: Clock,
    ) -> None:
        self.store = store
        self.auth = auth  #: an adjustment needs PRODUCT_ADMIN
        self.line_for = line_for  #: ``CODE`` / ``QTY*CODE`` -> a line (the register's rules)
        self.till = till
        self.clock = clock

    def scanned(self, text: str) -> TallyLine:
        """What a scan in the receive or count screen names: product and quantity."""
        line = self.line_for(text)
        return TallyLine(line.product_id, line.name, line.unit, line.qty_milli)

    def receive(
        self, reference: str, items: dict[int, int], approval: Approval | None = None
    ) -> int:
        """Book a delivery: one ``receipt`` movement per item, all in one transaction;
        ``approval`` must cover PRODUCT_ADMIN."""
        ref = reference.strip()
        if not ref:
            raise StockError("Type the delivery reference (delivery note or supplier invoice)")
        refuse_card_number(ref, "delivery reference")
        self.auth.authorize(Action.PRODUCT_ADMIN, approval, f"receive delivery {ref}")
        moves = [
            Movement(pid, qty, "receipt", f"delivery {ref}"[:200])
            for pid, qty in items.items()
            if qty > 0
        ]
        if not moves:
            raise StockError("Nothing scanned: scan the delivered items first")
        return self.store.record(self.till, self.clock(), moves)

    def count_preview(self, counted: dict[int, int]) -> list[CountLine]:
        """The variance of each counted product against its ledger level (nothing written)."""
        levels = {lv.product_id: lv for lv in self.store.levels(list(counted))}
        return [
            CountLine(pid, levels[pid].name, levels[pid].unit, levels[pid].level_milli, qty)
            for pid, qty in counted.items()
            if pid in levels
        ]

    def apply_count(
        self, counted: dict[int, int], note: str = "", approval: Approval | None = None
    ) -> list[CountLine]:
        """Write the count movements (the ledger is re-read inside the transaction);
        ``approval`` must cover PRODUCT_ADMIN."""
        if not counted:
            raise StockError("Nothing counted: scan the items on the shelf first")
        refuse_card_number(note, "note")
        self.auth.authorize(Action.PRODUCT_ADMIN, approval, f"stock count of {len(counted)}")
        return self.store.apply_count(
            self.till, self.clock(), counted, (note.strip() or "stock count")[:200]
        )

    def adjust(
        self, text: str, qty_text: str, reason: str, approval: Approval | None = None
    ) -> StockLevel:
        """Add (``5``) or remove (``-2``) stock of the item ``text`` names, with a reason;
        ``approval`` must cover PRODUCT_ADMIN (PermissionDenied otherwise)."""
        why = reason.strip()
        if not why:
            raise StockError("An adjustment needs a reason (broken, theft, sample...)")
        refuse_card_number(why, "reason")
        item = self.scanned(text)
        qty = parse_signed_quantity(qty_text, item.unit)
        self.auth.authorize(
            Action.PRODUCT_ADMIN, approval, f"adjust stock {text.strip()} {qty_text}"
        )
        self.store.record(
            self.till, self.clock(), [Movement(item.product_id, qty, "adjustment", why[:200])]
        )
        return self.store.levels([item.product_id])[0]

    def levels(self, *, low_only: bool = False) -> list[StockLevel]:
        """The stock feed (every active product), or only those at/below reorder level."""
        found = self.store.levels()
        return [lv for lv in found if lv.low] if low_only else found

    def alerts_after(self, doc: SaleDocument) -> list[StockLevel]:
        """Products this sale took to or below their reorder level."""
        sold: dict[int, int] = {}
        for line in doc.lines:
            if line.product_id is not None:
                sold[line.product_id] = sold.get(line.product_id, 0) + line.qty_milli
        if not sold:
            return []
        return [
            lv
            for lv in self.store.levels(list(sold))
            if fell_low(
                lv.level_milli + sold[lv.product_id], lv.level_milli, lv.reorder_level_milli
            )
        ]


def parse_signed_quantity(text: str, unit: Unit) -> int:
    """``5``, ``+5`` or ``-2`` (``0.250`` for kg) as signed thousandths."""
    cleaned = text.strip().replace(" ", "")
    sign = -1 if cleaned.startswith("-") else 1
    qty = parse_quantity(cleaned.lstrip("+-"), unit, STOCK_LIMITS)
    return sign * qty
