"""The push wire format (JSON, API v1), checked before anything touches the database.

A push is ``{"store": S, "till": T, "documents": [entry, ...]}`` where each entry is one
link of the till's journal chain, in order::

    {"seq": 7, "kind": "sale", "uuid": "...", "created_at": "2026-12-02T06:00:00.000000Z",
     "payload": "<the canonical JSON text the hash covers>", "amount_cents": 1250,
     "grand_total_cents": 99120, "prev_hash": "<64 hex>", "hash": "<64 hex>"}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

#: Most documents in one push, and most bytes in one request body.
MAX_DOCUMENTS = 500
MAX_BODY_BYTES = 4 * 1024 * 1024

KINDS = frozenset({"sale", "void", "z_close", "drawer"})
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class WireError(ValueError):
    """A request the server refuses as malformed (HTTP 400), with a message for the till."""


@dataclass(frozen=True)
class PushedDocument:
    seq: int
    kind: str
    uuid: str
    created_at: str
    payload: str
    amount_cents: int
    grand_total_cents: int
    prev_hash: str
    hash: str

    def as_wire(self) -> dict[str, Any]:
        return dict(self.__dict__)


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


def parse_document(entry: Any, where: str) -> PushedDocument:
    if not isinstance(entry, dict):
        raise WireError(f"{where} must be an object")
    kind = _text(entry, "kind", where, None)
    if kind not in KINDS:
        raise WireError(f"{where}: unknown kind {kind!r}")
    seq = _int(entry, "seq", where)
    if seq < 1:
        raise WireError(f"{where}: 'seq' must be 1 or more")
    payload = _text(entry, "payload", where, None)
    try:
        parsed = json.loads(payload)
    except ValueError:
        raise WireError(f"{where}: 'payload' is not JSON") from None
    if not isinstance(parsed, dict):
        raise WireError(f"{where}: 'payload' must be a JSON object")
    return PushedDocument(
        seq=seq,
        kind=kind,
        uuid=_text(entry, "uuid", where, re.compile(r"^[0-9A-Za-z-]{1,64}$")),
        created_at=_text(entry, "created_at", where, None)[:64],
        payload=payload,
        amount_cents=_int(entry, "amount_cents", where),
        grand_total_cents=_int(entry, "grand_total_cents", where),
        prev_hash=_text(entry, "prev_hash", where, _HEX64),
        hash=_text(entry, "hash", where, _HEX64),
    )


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
