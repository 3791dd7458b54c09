"""Customers this till changed, pushed to the store server; its merged records applied.

After the chain is pushed, the sender sends the document of each queued customer
(``customer_outbox``, written with the edit) in batches; the server answers with the
merged records, which are applied here and the queue entries acknowledged in one short
transaction. An edit made meanwhile keeps its customer queued (its stamp changed), and a
batch sent twice merges to the same record (the merge is idempotent). Other tills' edits
arrive through the feed (topic ``customer``, :mod:`tui_pos.sync.customer_topics`).
"""

from __future__ import annotations

from peewee import Database

from tui_pos.domain.customer_merge import CustomerDocError, from_wire, to_wire
from tui_pos.models.customer_stamps import acknowledged, apply_document, document_of, pending
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError

BATCH = 100


def push_customers(db: Database, client: ServerClient, batch: int = BATCH) -> int:
    """Push every queued customer; the number sent. Raises :class:`SyncError`."""
    sent = 0
    while True:
        queued = pending(db, batch)
        if not queued:
            return sent
        docs = {cid: document_of(db, cid) for cid, _ in queued}
        wire = [to_wire(doc) for doc in docs.values() if doc is not None]
        answer = client.push_customers(wire) if wire else {"documents": []}
        state = st.load(db)
        till = state.till if state is not None else "?"
        try:
            merged = [from_wire(d) for d in answer.get("documents") or []]
        except CustomerDocError as exc:
            raise SyncError(
                "version", f"the server's customer record is not valid: {exc}"
            ) from None
        with db.atomic():
            for doc in merged:
                apply_document(db, doc, till)
            for cid, at in queued:
                acknowledged(db, cid, at)
        sent += len(wire)
