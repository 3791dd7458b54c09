"""The crash journal of the open sale: a power cut or kill -9 reopens the till with it.

The journal is an append-only log per till: a scan appends the one line it added (a few
hundred bytes, whatever the size of the cart); any other change of the open sale (a void,
a discount, a customer, a part payment taken or taken back) writes one snapshot of the
cart *and its payments* in place of the log; an empty sale clears it. Storing the sale
clears its log in the sale's own transaction (one durable commit per sale), and the
payment that settles a sale is journaled only if storing it fails. On start
:meth:`CartJournal.restore` replays the log (the last snapshot plus the lines appended
after it), unless the sale was already stored or parked as a suspended sale: then the
journal is stale and is cleared.

A snapshot that cannot be restored (unreadable, or naming a tax code the till no longer
has) is never silently dropped: payments may have been taken on it. It is set aside, kept
as it was for a manager, and the till starts with an empty sale.

The snapshot (JSON)::

    {"version": 1, "cart": Cart.to_dict(), "rounding_cents": 0,
     "payments": [{"uuid", "kind", "amount_cents", "tendered_cents", "change_cents",
                   "reference"}, ...]}

A payment keeps its UUID, so a restored sale that is then completed stores the very
payments that were taken before the crash.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NoReturn, Protocol, cast, get_args

from tui_pos.domain.cart import Cart
from tui_pos.domain.cart_lines import CartLine, line_to_dict
from tui_pos.domain.errors import DomainError, StorageError
from tui_pos.domain.tax import TaxRate
from tui_pos.domain.tender import Payment, Tender, TenderKind
from tui_pos.services.ports import Clock

logger = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1

ClosedAs = Literal["sale", "suspended"]


class CartJournalStore(Protocol):
    """Where the snapshot of each till's open sale lives (one per till)."""

    def save(
        self, till: str, snapshot: dict[str, Any], now: datetime, *, wait_ms: int | None = None
    ) -> None:
        """Replace the log of ``till`` by one snapshot, durably (committed when this
        returns); ``wait_ms`` bounds the wait for a busy database (None: the usual)."""

    def append_line(self, till: str, cart_uuid: str, line: dict[str, Any], now: datetime) -> None:
        """Append one added line of the sale ``cart_uuid`` to the log, durably."""

    def load(self, till: str) -> dict[str, Any] | None:
        """The log of ``till`` replayed into one snapshot (see :func:`replay`), or None.
        Raises StorageError if it is unreadable."""

    def clear(self, till: str) -> None:
        """Forget the snapshot of ``till``."""

    def closed_as(self, till: str, uuid: str) -> ClosedAs | None:
        """``"sale"`` if a sale (completed or voided) with ``uuid`` is stored,
        ``"suspended"`` if a parked cart of ``till`` has it, else None."""

    def set_aside(self, till: str, reason: str, now: datetime) -> None:
        """Move the snapshot of ``till``, as stored, out of the way for a manager."""


class CartJournalError(DomainError):
    """The journaled sale could not be restored; it was set aside (the message says so)."""


@dataclass(frozen=True)
class OpenSale:
    """A restored open sale: the cart and the payments already taken on it."""

    cart: Cart
    payments: tuple[Payment, ...] = ()
    rounding_cents: int = 0


def snapshot(cart: Cart, tender: Tender | None) -> dict[str, Any]:
    """The JSON-ready snapshot of the open sale."""
    payments = tender.payments if tender is not None else []
    return {
        "version": SNAPSHOT_VERSION,
        "cart": cart.to_dict(),
        "rounding_cents": tender.rounding_cents if tender is not None else 0,
        "payments": [
            {
                "uuid": p.uuid,
                "kind": p.kind,
                "amount_cents": p.amount_cents,
                "tendered_cents": p.tendered_cents,
                "change_cents": p.change_cents,
                "reference": p.reference,
            }
            for p in payments
        ],
    }


def replay(events: list[tuple[str, str, str]]) -> dict[str, Any] | None:
    """One snapshot from a till's log: ``(kind, cart_uuid, json)`` rows in order, kind
    ``snapshot`` (a whole :func:`snapshot`) or ``line`` (a line appended after it).

    Raises ValueError (saying what is wrong) when the log cannot be read or does not fit.
    """
    starts = [i for i, (kind, _uuid, _text) in enumerate(events) if kind == "snapshot"]
    if not starts:
        if events:
            raise ValueError("a log of added lines without the sale they belong to")
        return None
    _kind, uuid, text = events[starts[-1]]
    data = _json_object(text)
    cart = data.get("cart")
    if not isinstance(cart, dict) or not isinstance(cart.get("lines"), list):
        raise ValueError("a snapshot without a cart")
    for kind, line_uuid, text in events[starts[-1] + 1 :]:
        if kind != "line" or line_uuid != uuid or cart.get("uuid") != uuid:
            raise ValueError(f"a {kind} entry of another sale")
        cart["lines"].append(_json_object(text))
    return data


def _json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not readable JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def open_sale_from(
    data: dict[str, Any], taxes: dict[str, TaxRate], *, prices_include_tax: bool
) -> OpenSale:
    """Rebuild the open sale from :func:`snapshot` output, re-checking it.

    Raises DomainError (with the reason) when it cannot be used.
    """
    try:
        if data.get("version") != SNAPSHOT_VERSION:
            raise DomainError(f"unknown snapshot version {data.get('version')!r}")
        cart = Cart.from_dict(data["cart"], taxes, prices_include_tax=prices_include_tax)
        payments = tuple(_payment(raw) for raw in data.get("payments", []))
        rounding = int(data.get("rounding_cents", 0))
    except DomainError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DomainError(f"malformed snapshot ({type(exc).__name__}: {exc})") from exc
    if payments and cart.is_empty:
        raise DomainError("payments without items")
    total = cart.totals().total_cents
    for index, p in enumerate(payments):
        # Zero is right only for exact cash on a balance that cash rounding took to 0
        # (card paid 1.97 of 1.99 with 0.05 rounding): the last payment, with rounding.
        settling = p.kind == "cash" and index == len(payments) - 1 and rounding != 0
        # A refund (a return worth more than what is bought) is paid out: negative.
        if (p.amount_cents < 0) != (total < 0) or (p.amount_cents == 0 and not settling):
            raise DomainError("a payment of nothing")
    if len({p.uuid for p in payments}) != len(payments):
        raise DomainError("the same payment twice")
    paid = sum(p.amount_cents for p in payments)
    if paid > total + rounding if total >= 0 else paid < total + rounding:
        raise DomainError("payments exceed the total")
    if not payments and rounding:
        raise DomainError("cash rounding without a payment")
    return OpenSale(cart, payments, rounding)


class CartJournal:
    """Keeps the journal in step with the register; restores it when the till opens."""

    def __init__(self, store: CartJournalStore, till: str, clock: Clock) -> None:
        self.store = store
        self.till = till
        self.clock = clock
        #: The last problem (a write that failed, a snapshot set aside), for the screen.
        self.problem: str | None = None
        # What the store holds when known (None = nothing), to skip writes that change nothing.
        self._known = False
        self._written: dict[str, Any] | None = None

    def changed(
        self, cart: Cart, tender: Tender | None = None, *, wait_ms: int | None = None
    ) -> None:
        """Journal the open sale after a change (the Register calls it).

        An empty sale with no voided lines and no payments clears the journal. A failed
        write never undoes the change the cashier made: the sale goes on unprotected,
        ``problem`` says so (and is logged), and the next change writes again.
        ``wait_ms`` bounds the wait for a busy database.
        """
        data: dict[str, Any] | None = None
        if not (cart.is_empty and not cart.voided_lines and not (tender and tender.payments)):
            data = snapshot(cart, tender)
        if self._known and data == self._written:
            return
        try:
            if data is None:
                self.store.clear(self.till)
            else:
                self.store.save(self.till, data, self.clock(), wait_ms=wait_ms)
        except StorageError as exc:
            self._failed(exc)
            return
        self._remember(data)
        self.problem = None

    def line_added(self, cart: Cart, tender: Tender | None, line: CartLine) -> None:
        """Journal a scan: append ``line`` alone when the journal holds the sale as it was
        just before it; otherwise (first line, a failed write before) a whole snapshot."""
        written = self._written
        lines = written["cart"]["lines"] if self._known and written is not None else None
        if (
            lines is None
            or written is None
            or written["cart"]["uuid"] != cart.uuid
            or len(lines) != len(cart.lines) - 1
            or cart.lines[-1] is not line
        ):
            self.changed(cart, tender)
            return
        raw = line_to_dict(line)
        try:
            self.store.append_line(self.till, cart.uuid, raw, self.clock())
        except StorageError as exc:
            self._failed(exc)
            return
        lines.append(raw)
        self.problem = None

    def closed(self, uuid: str) -> None:
        """The sale ``uuid`` was stored and its log deleted in the same transaction."""
        if self._known and self._written is not None and self._written["cart"]["uuid"] == uuid:
            self._remember(None)

    def _failed(self, exc: StorageError) -> None:
        self._known = False
        self.problem = f"The open sale is not protected against a crash: {exc}"
        logger.warning("%s", self.problem)

    def restore(self, taxes: dict[str, TaxRate], prices_include_tax: bool) -> OpenSale | None:
        """The journaled open sale, if there is one to continue.

        A stale journal (its sale already stored, or parked as a suspended sale) is
        cleared and None returned. An unusable one is set aside and
        :class:`CartJournalError` raised with the reason; the till then starts empty.
        StorageError when the database itself fails (``problem`` says so too).
        """
        try:
            return self._restore(taxes, prices_include_tax)
        except StorageError as exc:
            self._known = False
            self.problem = f"The sale open when till {self.till} stopped was not restored: {exc}"
            logger.warning("%s", self.problem)
            raise

    def _restore(self, taxes: dict[str, TaxRate], prices_include_tax: bool) -> OpenSale | None:
        try:
            data = self.store.load(self.till)
        except StorageError as exc:
            self._set_aside(str(exc))
        if data is None:
            self._remember(None)
            return None
        cart = data.get("cart")
        uuid = cart.get("uuid") if isinstance(cart, dict) else None
        if isinstance(uuid, str) and self.store.closed_as(self.till, uuid) is not None:
            self.store.clear(self.till)
            self._remember(None)
            return None
        try:
            sale = open_sale_from(data, taxes, prices_include_tax=prices_include_tax)
        except DomainError as exc:
            self._set_aside(str(exc))
        self._remember(data)
        return sale

    def _remember(self, data: dict[str, Any] | None) -> None:
        self._known = True
        self._written = data

    def _set_aside(self, reason: str) -> NoReturn:
        self.store.set_aside(self.till, reason, self.clock())
        self._remember(None)
        self.problem = (
            f"The sale open when till {self.till} stopped could not be restored: {reason}. "
            "It was set aside for a manager (table open_cart_set_aside); "
            "the till starts with an empty sale"
        )
        logger.warning("%s", self.problem)
        raise CartJournalError(self.problem)


def _payment(raw: dict[str, Any]) -> Payment:
    kind = raw["kind"]
    if kind not in get_args(TenderKind):
        raise DomainError(f"unknown tender kind {kind!r}")
    return Payment(
        kind=cast(TenderKind, kind),
        amount_cents=int(raw["amount_cents"]),
        tendered_cents=int(raw["tendered_cents"]),
        change_cents=int(raw["change_cents"]),
        reference=str(raw.get("reference", "")),
        uuid=str(raw["uuid"]),
    )
