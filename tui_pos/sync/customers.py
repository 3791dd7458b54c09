"""Customers this till changed, pushed to the store server; its merged records applied.

After the chain is pushed, the sender sends the document of each queued customer
(``customer_outbox``, written with the edit) in batches; the server answers with the
merged records, which are applied here and the queue entries acknowledged in one short
transaction. An edit made meanwhile keeps its customer queued (its stamp changed), and a
batch sent twice merges to the same record (the merge is idempotent). Other tills' edits
arrive through the feed (topic ``customer``, :mod:`tui_pos.sync.customer_topics`).

Customers never hold up the chain or the pull: a server without the customers route (an
older version) leaves them queued, and a document the server refuses as malformed (data
stored before today's checks) is taken off the queue with the reason recorded as a
``not shared`` event of that customer (a later edit queues it again).
"""

from __future__ import annotations

from datetime import UTC, datetime

from peewee import Database

from tui_pos.domain.customer_match import Joined, joined_from_wire
from tui_pos.domain.customer_merge import CustomerDocError, CustomerDocument, from_wire, to_wire
from tui_pos.models.customer_aliases import apply_merge
from tui_pos.models.customer_stamps import acknowledged, apply_document, document_of, pending
from tui_pos.models.times import stamp
from tui_pos.models.unit_of_work import writing
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError

BATCH = 100


Answered = tuple[list[CustomerDocument], list[Joined]]


def _merged(client: ServerClient, docs: list[CustomerDocument]) -> Answered:
    answer = client.push_customers([to_wire(doc) for doc in docs])
    try:
        return (
            [from_wire(d) for d in answer.get("documents") or []],
            [joined_from_wire(j) for j in answer.get("merged") or []],
        )
    except CustomerDocError as exc:
        raise SyncError("version", f"the server's customer record is not valid: {exc}") from None


def _send(
    client: ServerClient, docs: dict[int, CustomerDocument]
) -> tuple[list[CustomerDocument], list[Joined], dict[int, str]]:
    """The merged records, the profiles the server joined, and the customers refused
    (id -> why) when sent one by one."""
    try:
        return (*_merged(client, list(docs.values())), {})
    except SyncError as exc:
        if exc.code != "malformed":
            raise
    merged: list[CustomerDocument] = []
    joined: list[Joined] = []
    refused: dict[int, str] = {}
    for cid, doc in docs.items():
        try:
            one, join = _merged(client, [doc])
            merged += one
            joined += join
        except SyncError as exc:
            if exc.code != "malformed":
                raise
            refused[cid] = str(exc)
    return merged, joined, refused


def push_customers(db: Database, client: ServerClient, batch: int = BATCH) -> int:
    """Push every queued customer; the number the server took. Raises :class:`SyncError`
    (offline, refused) except for what the module's notes say."""
    sent = 0
    while True:
        queued = pending(db, batch)
        if not queued:
            return sent
        found = {cid: document_of(db, cid) for cid, _ in queued}
        docs = {cid: doc for cid, doc in found.items() if doc is not None}
        try:
            merged, joined, refused = _send(client, docs) if docs else ([], [], {})
        except SyncError as exc:
            if exc.code == "version":
                return sent  # a server without shared customers: they stay queued
            raise
        state = st.load(db)
        till = state.till if state is not None else "?"
        with writing(db, till):  # the consent entries the records add are sealed
            for join in joined:  # first: the records name the survivors
                apply_merge(db, join.uuid, join.into, join.cards, join.rule)
            for doc in merged:
                apply_document(db, doc)
            for cid, why in refused.items():
                db.execute_sql(
                    "INSERT INTO customer_event (customer_id, kind, created_at, note)"
                    " VALUES (?, 'not shared', ?, ?)",
                    (cid, stamp(datetime.now(UTC)), f"the store server refused it: {why}"[:500]),
                )
            for cid, at in queued:
                acknowledged(db, cid, at)
        sent += len(docs) - len(refused)
