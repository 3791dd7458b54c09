"""The keyed hash chain over every document and ledger row (pure: no storage).

One entry seals everything appended to the chained tables by one write transaction:
the rows with ids above the previous entry's marks, up to this entry's marks. The entry
keeps a digest of those rows (their canonical form, below), how many they are, what they
add to the running grand total of sales, and a MAC:

    mac = HMAC-SHA256(key, canonical(["tui-pos chain 1", seq, till, marks, rows,
                                      digest, amount_cents, grand_total_cents, prev_mac]))

The key is kept outside the database, so nobody holding only the database can rebuild
the chain after an edit. The canonical form (stable: the store server recomputes it on
arrival, docs/DESIGN.md "Chain"):

- a row is the JSON array ``[table, id, v1, v2, ...]`` of its chained columns in their
  registered order, plus a last object ``{column: value}`` of the columns added later
  that differ from their default (absent when none do); JSON with sorted keys, no
  spaces, UTF-8 text (not ASCII escapes);
- the digest is SHA-256 over the rows, tables in name order, rows in id order, each
  row's text followed by a newline.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

#: The previous MAC of the first entry.
GENESIS = "0" * 64

#: Names the format in every MAC: a later format gets a new name, never a silent change.
FORMAT = "tui-pos chain 1"


#: The encoder ``json.dumps(..., sort_keys=True, separators=(",", ":"),
#: ensure_ascii=False)`` builds on every call, made once (the same text, byte for byte).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(data: Any) -> str:
    """One byte-exact JSON text for ``data`` (sorted keys, no spaces, UTF-8)."""
    return _ENCODER.encode(data)


def _flat_encoder() -> Callable[[Sequence[Any]], str]:
    # The C encoder json.dumps itself runs for ``canonical`` (one shot, no indent), made
    # once instead of once per call; rows of scalars cannot be circular (no markers).
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return canonical
    encode = make(None, None, json.encoder.encode_basestring, None, ":", ",", True, False, True)
    return lambda row: "".join(encode(row, 0))


#: ``canonical`` of a flat sequence of scalars (text, numbers, None), the same text.
flat_canonical = _flat_encoder()


def row_text(
    table: str, row_id: int, values: Sequence[Any], later: Mapping[str, Any] | None = None
) -> str:
    """The canonical form of one row (see the module docstring)."""
    item: list[Any] = [table, row_id, *values]
    if later:
        item.append(dict(later))
    return canonical(item)


class RowDigest:
    """SHA-256 over canonical rows, fed in chain order."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.rows = 0

    def add(self, text: str) -> None:
        """Feed one row's canonical text."""
        self._hash.update(text.encode("utf-8") + b"\n")
        self.rows += 1

    def add_all(self, texts: Sequence[str]) -> None:
        """Feed several rows' canonical texts (the same digest as ``add`` on each)."""
        if texts:
            self._hash.update(("\n".join(texts) + "\n").encode("utf-8"))
            self.rows += len(texts)

    def hexdigest(self) -> str:
        """The digest so far."""
        return self._hash.hexdigest()


@dataclass(frozen=True)
class ChainEntry:
    """One link: what one write transaction appended."""

    seq: int
    till: str
    marks: str  #: canonical JSON {table: last id covered}, every chained table so far
    rows: int
    digest: str
    amount_cents: int  #: what these rows add to the grand total (completed sales)
    grand_total_cents: int
    prev_mac: str
    mac: str = ""

    def expected_mac(self, key: bytes) -> str:
        """The MAC this entry must carry under ``key``."""
        body = canonical(
            [
                FORMAT,
                self.seq,
                self.till,
                self.marks,
                self.rows,
                self.digest,
                self.amount_cents,
                self.grand_total_cents,
                self.prev_mac,
            ]
        )
        return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()

    def mark_map(self) -> dict[str, int]:
        """The marks as a dict (empty when unreadable: the MAC check reports that)."""
        try:
            data = json.loads(self.marks)
        except ValueError:
            return {}
        return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}


def next_entry(
    previous: ChainEntry | None,
    *,
    key: bytes,
    till: str,
    marks: Mapping[str, int],
    digest: RowDigest,
    amount_cents: int,
) -> ChainEntry:
    """The entry that follows ``previous`` (None for the first), with its MAC."""
    entry = ChainEntry(
        seq=(previous.seq if previous else 0) + 1,
        till=till,
        marks=canonical(dict(marks)),
        rows=digest.rows,
        digest=digest.hexdigest(),
        amount_cents=amount_cents,
        grand_total_cents=(previous.grand_total_cents if previous else 0) + amount_cents,
        prev_mac=previous.mac if previous else GENESIS,
    )
    return replace(entry, mac=entry.expected_mac(key))


def check_link(previous: ChainEntry | None, entry: ChainEntry, key: bytes | None) -> str | None:
    """What is wrong with ``entry`` following ``previous`` (None: nothing); without a key
    only the arithmetic and the links are checked."""
    where = f"chain entry #{entry.seq}"
    expected_seq = (previous.seq if previous else 0) + 1
    if entry.seq != expected_seq:
        return f"{where}: entry #{expected_seq} is missing or out of order"
    if entry.prev_mac != (previous.mac if previous else GENESIS):
        return f"{where}: does not follow the entry before it (chain broken)"
    if entry.grand_total_cents != (previous.grand_total_cents if previous else 0) + (
        entry.amount_cents
    ):
        return f"{where}: the running grand total does not add up"
    if key is not None and not hmac.compare_digest(entry.expected_mac(key), entry.mac):
        return f"{where}: its MAC is wrong (the entry was edited or rebuilt without the key)"
    before = previous.mark_map() if previous else {}
    after = entry.mark_map()
    if any(after.get(table, 0) < mark for table, mark in before.items()):
        return f"{where}: its marks go backwards"
    return None
