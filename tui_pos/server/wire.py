"""The push wire format (JSON, API v1), checked before anything touches the database.

A push is ``{"store": S, "till": T, "documents": [entry, ...]}`` where each entry is one
link of the till's chain (one write transaction), in order, with its rows::

    {"seq": 7, "marks": "{\"sale\":12,...}", "rows": 9, "digest": "<64 hex>",
     "amount_cents": 1250, "grand_total_cents": 99120, "prev_mac": "<64 hex>",
     "mac": "<64 hex>", "row_texts": ["[\"sale\",12,...]", ...],
     "codes": {"17": "05900000000015"}, "cards": {"4": "2900000000012"},
     "categories": {"17": "Drinks"}}

``row_texts`` are the rows' canonical texts (tui_pos.domain.chain): the server recomputes
the digest from them. ``codes`` gives the barcode of each product id the rows name,
``categories`` its category, ``cards`` the loyalty card of each customer id (optional).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

#: Most documents in one push, and most bytes in one request body.
MAX_DOCUMENTS = 500
MAX_BODY_BYTES = 4 * 1024 * 1024

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class WireError(ValueError):
    """A request the server refuses as malformed (HTTP 400), with a message for the till."""


@dataclass(frozen=True)
class PushedDocument:
    """One chain entry and its rows (each row ``[table, id, *columns]``)."""

    seq: int
    marks: str
    digest: str
    amount_cents: int
    grand_total_cents: int
    prev_mac: str
    mac: str
    rows: tuple[tuple[Any, ...], ...]
    codes: dict[str, str]
    #: The loyalty card of each customer id the rows name (customer ids are a till's own).
    cards: dict[str, str] = field(default_factory=dict)
    #: The category name of each product id the rows name (for the category report).
    categories: dict[str, str] = field(default_factory=dict)

    @property
    def created_at(self) -> str:
        """The latest time among the rows (the server's receive time stands in)."""
        stamps = [r[i] for r in self.rows for i in _time_at(r) if isinstance(r[i], str)]
        return max(stamps, default="")


def _time_at(row: tuple[Any, ...]) -> list[int]:
    from tui_pos.models.chain_tables import CHAINED

    cols = CHAINED[row[0]].columns
    return [2 + cols.index(c) for c in ("created_at", "closed_at") if c in cols]


@dataclass(frozen=True)
class Push:
    store: str
    till: str
    documents: tuple[PushedDocument, ...]


def _int(entry: dict[str, Any], key: str, where: str) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise WireError(f"{where}: '{key}' must be an integer")
    return value


def _text(entry: dict[str, Any], key: str, where: str, pattern: re.Pattern[str] | None) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value or len(value) > 1_000_000:
        raise WireError(f"{where}: '{key}' must be a non-empty text")
    if pattern is not None and not pattern.match(value):
        raise WireError(f"{where}: '{key}' is not well formed")
    return value


def parse_ident(value: Any, what: str) -> str:
    """A store or till id: 1-32 letters, digits, '-' or '_'."""
    if not isinstance(value, str) or not _ID.match(value):
        raise WireError(f"{what} must be 1-32 letters, digits, '-' or '_'")
    return value


def _rows(entry: dict[str, Any], where: str) -> tuple[tuple[Any, ...], ...]:
    from tui_pos.models.chain_tables import CHAINED

    texts = entry.get("row_texts")
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise WireError(f"{where}: 'row_texts' must be a list of texts")
    digest = hashlib.sha256()
    rows = []
    for text in texts:
        digest.update(text.encode("utf-8") + b"\n")
        try:
            row = json.loads(text)
        except ValueError:
            raise WireError(f"{where}: a row is not JSON") from None
        if (
            not isinstance(row, list)
            or len(row) < 2
            or row[0] not in CHAINED
            or not isinstance(row[1], int)
            or len(row) < 2 + len(CHAINED[row[0]].columns)
        ):
            raise WireError(f"{where}: a row is not a chained row")
        rows.append(tuple(row))
    if entry.get("rows") != len(rows):
        raise WireError(f"{where}: 'rows' says {entry.get('rows')} but {len(rows)} were sent")
    if digest.hexdigest() != entry.get("digest"):
        raise WireError(f"{where}: the rows do not match the entry's digest")
    return tuple(rows)


def parse_document(entry: Any, where: str) -> PushedDocument:
    if not isinstance(entry, dict):
        raise WireError(f"{where} must be an object")
    seq = _int(entry, "seq", where)
    if seq < 1:
        raise WireError(f"{where}: 'seq' must be 1 or more")
    codes = _id_map(entry, "codes", where, "product ids to barcodes")
    marks = _text(entry, "marks", where, None)
    return PushedDocument(
        seq=seq,
        marks=marks,
        digest=_text(entry, "digest", where, _HEX64),
        amount_cents=_int(entry, "amount_cents", where),
        grand_total_cents=_int(entry, "grand_total_cents", where),
        prev_mac=_text(entry, "prev_mac", where, _HEX64),
        mac=_text(entry, "mac", where, _HEX64),
        rows=_rows(entry, where),
        codes=codes,
        cards=_id_map(entry, "cards", where, "customer ids to loyalty cards"),
        categories=_id_map(entry, "categories", where, "product ids to category names"),
    )


def _id_map(entry: dict[str, Any], key: str, where: str, what: str) -> dict[str, str]:
    """An optional ``{"id": "text"}`` map of the entry (ids are the till's own)."""
    value = entry.get(key, {})
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and k.isdigit() and isinstance(v, str) and len(v) <= 255
        for k, v in value.items()
    ):
        raise WireError(f"{where}: '{key}' must map {what}")
    return value


def parse_push(body: bytes) -> Push:
    """Check a push body; raise :class:`WireError` naming the first thing wrong."""
    if len(body) > MAX_BODY_BYTES:
        raise WireError(f"push too large: more than {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(body)
    except ValueError:
        raise WireError("the push is not JSON") from None
    if not isinstance(data, dict):
        raise WireError("the push must be a JSON object")
    docs = data.get("documents")
    if not isinstance(docs, list):
        raise WireError("'documents' must be a list")
    if len(docs) > MAX_DOCUMENTS:
        raise WireError(f"push too large: more than {MAX_DOCUMENTS} documents")
    parsed = tuple(parse_document(d, f"documents[{i}]") for i, d in enumerate(docs))
    for before, after in zip(parsed, parsed[1:], strict=False):
        if after.seq != before.seq + 1:
            raise WireError(f"documents must be consecutive: seq {after.seq} after {before.seq}")
    return Push(
        store=parse_ident(data.get("store"), "'store'"),
        till=parse_ident(data.get("till"), "'till'"),
        documents=parsed,
    )
