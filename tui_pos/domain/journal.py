"""The unkeyed journal of migration 3 (kept read-only; superseded by the keyed chain of
:mod:`tui_pos.domain.chain`, migration 9). Only migration 3's backfill still writes it.

Each entry holds a canonical form of its document (no personal data), the running grand
total of sales, and ``hash = sha256(prev_hash || canonical entry)``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from tui_pos.domain.sale import SaleDocument

EntryKind = Literal["sale", "void", "z_close", "drawer"]

#: The previous hash of a till's first entry.
GENESIS = "0" * 64


def canonical(data: Any) -> str:
    """One byte-exact JSON text for ``data`` (sorted keys, no spaces, UTF-8)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sale_payload(doc: SaleDocument, stamp: str) -> dict[str, Any]:
    """What the journal keeps of a sale: every line, tax and payment, all amounts.

    ``stamp`` is the stored UTC time text, so the payload can be rebuilt from the rows.
    """
    payload: dict[str, Any] = {
        "uuid": doc.uuid,
        "till": doc.till,
        "seq": doc.seq,
        "status": doc.status,
        "created_at": stamp,
        "cashier": doc.cashier,
        "lines": [
            [
                ln.product_id,
                ln.name,
                ln.code,
                ln.unit,
                ln.qty_milli,
                ln.unit_price_cents,
                ln.base_cents,
                ln.line_discount_cents,
                ln.cart_discount_cents,
                ln.amount_cents,
                ln.tax_code,
                ln.tax_rate_bp,
            ]
            for ln in doc.lines
        ],
        "taxes": [[t.code, t.rate_bp, t.base_cents, t.tax_cents] for t in doc.taxes],
        "payments": [
            [p.uuid, p.kind, p.amount_cents, p.tendered_cents, p.change_cents, p.reference]
            for p in doc.payments
        ],
        "totals": [
            doc.subtotal_cents,
            doc.discount_cents,
            doc.tax_cents,
            doc.total_cents,
            doc.rounding_cents,
            doc.change_cents,
            doc.voided_lines,
        ],
    }
    # Added with returns and promotions; only present when used, so the payloads of
    # documents stored before stay byte-identical.
    returns = [
        [i, ln.return_of_line_id]
        for i, ln in enumerate(doc.lines, start=1)
        if ln.return_of_line_id is not None
    ]
    if returns:
        payload["returns"] = returns
    promotions = [
        [i, ln.promotion, ln.promo_discount_cents]
        for i, ln in enumerate(doc.lines, start=1)
        if ln.promotion
    ]
    if promotions:
        payload["promotions"] = promotions
    return payload


@dataclass(frozen=True)
class JournalEntry:
    """One link of the chain."""

    till: str
    seq: int
    kind: EntryKind
    doc_uuid: str
    created_at: str
    payload: str  #: canonical JSON of the document
    amount_cents: int  #: what this entry adds to the grand total (sales only)
    grand_total_cents: int
    prev_hash: str
    hash: str = ""

    def digest(self) -> str:
        """The hash this entry must have, given its ``prev_hash``."""
        body = canonical(
            [
                self.till,
                self.seq,
                self.kind,
                self.doc_uuid,
                self.created_at,
                self.payload,
                self.amount_cents,
                self.grand_total_cents,
            ]
        )
        return hashlib.sha256((self.prev_hash + body).encode("utf-8")).hexdigest()


def next_entry(
    previous: JournalEntry | None,
    *,
    till: str,
    kind: EntryKind,
    doc_uuid: str,
    created_at: str,
    payload: dict[str, Any],
    amount_cents: int = 0,
) -> JournalEntry:
    """The entry that follows ``previous`` (None for a till's first)."""
    entry = JournalEntry(
        till=till,
        seq=(previous.seq if previous else 0) + 1,
        kind=kind,
        doc_uuid=doc_uuid,
        created_at=created_at,
        payload=canonical(payload),
        amount_cents=amount_cents,
        grand_total_cents=(previous.grand_total_cents if previous else 0) + amount_cents,
        prev_hash=previous.hash if previous else GENESIS,
    )
    return JournalEntry(**{**entry.__dict__, "hash": entry.digest()})
