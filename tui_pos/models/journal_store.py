"""The unkeyed journal of migration 3 on SQLite, kept for that frozen migration's
backfill (new documents go into the keyed chain: :mod:`tui_pos.models.chain_store`).

``append_entry`` runs inside the migration's write transaction (it reads the till's last
entry). ``tui-pos db verify`` (:mod:`tui_pos.models.journal_verify`) checks the chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from peewee import Database

from tui_pos.domain.journal import EntryKind, JournalEntry, next_entry, sale_payload
from tui_pos.models.base import present_fields
from tui_pos.models.sale_documents import stored_sale
from tui_pos.models.sales import DrawerEventRow, SaleRow, ZCloseRow
from tui_pos.models.times import stamp, stamp_of

COLUMNS = (
    "till, seq, kind, doc_uuid, created_at, payload, amount_cents, grand_total_cents, "
    "prev_hash, hash"
)


def entry_of(row: tuple[Any, ...]) -> JournalEntry:
    return JournalEntry(*row)


def append_entry(
    db: Database,
    *,
    till: str,
    kind: EntryKind,
    doc_uuid: str,
    created_at: str,
    payload: dict[str, Any],
    amount_cents: int = 0,
) -> JournalEntry:
    """Chain one document onto ``till``'s journal (call inside its write transaction)."""
    row = db.execute_sql(
        f"SELECT {COLUMNS} FROM journal WHERE till = ? ORDER BY seq DESC LIMIT 1", (till,)
    ).fetchone()
    entry = next_entry(
        entry_of(row) if row else None,
        till=till,
        kind=kind,
        doc_uuid=doc_uuid,
        created_at=created_at,
        payload=payload,
        amount_cents=amount_cents,
    )
    db.execute_sql(
        f"INSERT INTO journal ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            entry.till,
            entry.seq,
            entry.kind,
            entry.doc_uuid,
            entry.created_at,
            entry.payload,
            entry.amount_cents,
            entry.grand_total_cents,
            entry.prev_hash,
            entry.hash,
        ),
    )
    return entry


def z_payload(row: ZCloseRow) -> dict[str, Any]:
    """The journal form of a Z close."""
    return {
        "z_number": row.z_number,
        "first_seq": row.first_seq,
        "last_seq": row.last_seq,
        "closed_at": stamp_of(row.closed_at),
        "report": json.loads(row.report_json),
    }


def drawer_payload(row: DrawerEventRow, sale_seq: int | None) -> dict[str, Any]:
    """The journal form of a drawer opening."""
    return {
        "uuid": row.uuid,
        "seq": row.seq,
        "reason": row.reason,
        "sale_seq": sale_seq,
        "created_at": stamp_of(row.created_at),
        "sent": bool(row.sent),
        "error": row.error,
    }


@dataclass(frozen=True)
class StoredDocument:
    """A finished document as the journal sees it, rebuilt from its rows."""

    till: str
    kind: EntryKind
    doc_uuid: str
    created_at: str
    payload: dict[str, Any]
    amount_cents: int = 0


def stored_documents(db: Database) -> Iterator[StoredDocument]:
    """Every finished document in the database, per till: sales by number, then Z closes,
    then drawer events. The one place that rebuilds journal payloads from rows (used by
    the backfill and by ``db verify``)."""
    for row in SaleRow.select(*present_fields(SaleRow)).order_by(SaleRow.till, SaleRow.seq):
        doc = stored_sale(db, row, None)
        completed = doc.status == "completed"
        yield StoredDocument(
            doc.till,
            "sale" if completed else "void",
            doc.uuid,
            stamp(doc.created_at),
            sale_payload(doc, stamp(doc.created_at)),
            doc.total_cents if completed else 0,
        )
    zs = ZCloseRow.select(*present_fields(ZCloseRow))
    for z in zs.order_by(ZCloseRow.till, ZCloseRow.z_number):
        yield StoredDocument(
            z.till, "z_close", f"{z.till}-Z{z.z_number}", stamp_of(z.closed_at), z_payload(z)
        )
    for event in DrawerEventRow.select().order_by(DrawerEventRow.till, DrawerEventRow.seq):
        sale_id = event.__data__.get("sale")
        sale = SaleRow.get_or_none(SaleRow.id == sale_id) if sale_id else None
        yield StoredDocument(
            event.till,
            "drawer",
            event.uuid,
            stamp_of(event.created_at),
            drawer_payload(event, sale.seq if sale else None),
        )


def backfill_journal(db: Database) -> int:
    """Chain documents that predate the journal (migration 3), in the order of
    :func:`stored_documents`. Returns how many entries were written."""
    written = 0
    for doc in list(stored_documents(db)):
        append_entry(
            db,
            till=doc.till,
            kind=doc.kind,
            doc_uuid=doc.doc_uuid,
            created_at=doc.created_at,
            payload=doc.payload,
            amount_cents=doc.amount_cents,
        )
        written += 1
    return written
