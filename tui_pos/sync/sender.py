"""Pushing the outbox (the chain) to the store server, in order, in batches.

At least once, idempotent: a batch whose answer was lost is sent again and the server
acknowledges what it already holds. The acknowledged position is saved in its own short
transaction after the answer; a till killed in between resends, and nothing is duplicated.
A conflict stops pushing and is kept in the state until a manager deals with it.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

from peewee import Database

from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError
from tui_pos.sync.customers import push_customers
from tui_pos.sync.outbox import outbox_batch
from tui_pos.sync.puller import pull_changes

BATCH = 200


@dataclass(frozen=True)
class Pushed:
    sent: int
    acked_seq: int
    customers: int = 0  #: customer documents the server merged


def push_pending(db: Database, client: ServerClient, batch: int = BATCH) -> Pushed:
    """Push every unacknowledged document; raise :class:`SyncError` when it cannot."""
    sent = 0
    while True:
        state = st.load(db)
        if state is None:
            raise SyncError("usage", "this till is not enrolled: tui-pos sync enroll URL CODE")
        if state.conflict:
            raise SyncError("conflict", state.conflict)
        docs = outbox_batch(db, state.acked_seq, batch)
        if not docs:
            return Pushed(sent, state.acked_seq)
        try:
            answer = client.push(state.store, state.till, docs)
        except SyncError as exc:
            if exc.code == "gap":
                _rewind(db, state, exc)
                continue
            if exc.code == "conflict":
                st.conflict(db, str(exc))
            raise
        # The server may hold more than this batch (the till lost its saved position):
        # only what was sent and acknowledged is taken as acknowledged.
        last = docs[-1]
        seq = min(int(answer["acked_seq"]), int(last["seq"]))
        hash_ = last["mac"] if seq == last["seq"] else _mac_of(db, seq)
        st.acked(db, seq, hash_)
        sent += len(docs)


def exchange(db: Database, client: ServerClient) -> tuple[Pushed, int]:
    """Push what is waiting, pull the feed, and push again when the pull applied rows
    (they are sealed in this till's own chain entry, which the server must get too);
    what was pushed last and the rows applied."""
    pushed = push_pending(db, client)
    customers = push_customers(db, client)  # merged records may add consent rows to seal
    applied = pull_changes(db, client)
    if applied or customers:
        again = push_pending(db, client)
        pushed = Pushed(pushed.sent + again.sent, again.acked_seq)
    return Pushed(pushed.sent, pushed.acked_seq, customers), applied


def _mac_of(db: Database, seq: int) -> str:
    return st.mac_at(db, seq) or "0" * 64


def _rewind(db: Database, state: st.SyncState, exc: SyncError) -> None:
    """The server holds less than the till thought (a restored server): continue from the
    server's head if this till's chain passes through it, else it is a conflict."""
    seq = int(exc.detail.get("head_seq", -1))
    hash_ = str(exc.detail.get("head_hash", ""))
    if seq < 0 or (seq > 0 and _mac_of(db, seq) != hash_):
        message = f"the server's chain of till {state.till} differs from this till's at {seq}"
        st.conflict(db, message)
        raise SyncError("conflict", message) from None
    with db.atomic():
        db.execute_sql(
            "UPDATE sync_state SET acked_seq = ?, acked_hash = ? WHERE id = 1", (seq, hash_)
        )


def status_text(db: Database) -> str:
    """The top bar's words: online / N waiting / offline since HH:MM / conflict."""
    state = st.load(db)
    if state is None:
        return ""
    if state.conflict:
        return "sync conflict: ask a manager"
    waiting = st.waiting(db, state)
    if state.offline_since:
        since = state.offline_since[11:16]
        return f"offline since {since} UTC, {waiting} waiting"
    return f"{waiting} waiting" if waiting else "online"


class SyncWorker(threading.Thread):
    """One sender per till: pushes, then sleeps; backoff with jitter while offline.

    ``open_db`` gives the thread its own connection (peewee connections are per thread).
    """

    def __init__(
        self,
        db: Database,
        client_of: Callable[[st.SyncState], ServerClient],
        interval: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        super().__init__(name="tui-pos-sync", daemon=True)
        self.db = db
        self.client_of = client_of
        self.interval = interval
        self.max_backoff = max_backoff
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.last_error = ""

    def run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            delay = self.interval
            try:
                state = st.load(self.db)
                if state is not None and not state.conflict:
                    exchange(self.db, self.client_of(state))
                    st.online(self.db, st.load(self.db))
                failures = 0
                self.last_error = ""
            except SyncError as exc:
                self.last_error = str(exc)
                if exc.code == "offline":
                    st.offline(self.db)
                failures += 1
                delay = min(self.max_backoff, self.interval * 2 ** min(failures, 10))
                delay = random.uniform(delay / 2, delay)
            except Exception as exc:  # a disk error must not end the sender for good
                self.last_error = f"sync stopped for now: {exc}"
                failures += 1
                delay = self.max_backoff
            self.wake.wait(delay)
            self.wake.clear()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
