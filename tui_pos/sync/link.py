"""The register's link to the store server: the sender/puller thread and its status line.

``open_link(db)`` is None for a till that was never enrolled (it works alone, as before).
The app starts the link after its screen is up, reads :meth:`SyncLink.status` and
:meth:`SyncLink.blocked` from a thread worker for the top bar and stops the link when it
quits; nothing here waits for the network on the UI thread.

Head check: before it pushes, the link asks the server for this till's head. A server
head beyond the local chain means this database is an old backup: pushing stops with a
conflict and selling is blocked until the newest backup is restored (or the till is
enrolled again under a new id). A database restored with ``db restore`` is blocked from
selling until the check has passed, even offline; any other start sells at once, online
or not (docs/DESIGN.md, "Store server").
"""

from __future__ import annotations

from peewee import Database

from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError
from tui_pos.sync.sender import SyncWorker, status_text

WAITING_FOR_CHECK = (
    "Selling is blocked: this database was restored from a backup and the store server "
    "has not confirmed yet that it is the newest (it is checked as soon as the server "
    "answers)"
)


def check_head(db: Database, client: ServerClient) -> None:
    """Compare the server's head for this till with the local chain: behind it, stop
    pushing with a conflict and block selling; else the check has passed."""
    state = st.load(db)
    if state is None:
        return
    head = client.head()
    local_seq, _ = st.chain_head(db)
    server_seq = int(head.get("head_seq", 0))
    if server_seq > local_seq or (
        server_seq > 0 and st.mac_at(db, server_seq) != head.get("head_hash")
    ):
        st.conflict(db, behind_message(state.till, server_seq, local_seq))
        st.head_checked(db, st.HEAD_BEHIND)
    elif state.head_check != st.HEAD_OK:
        st.head_checked(db, st.HEAD_OK)


def behind_message(till: str, server_seq: int, local_seq: int) -> str:
    return (
        f"the server holds documents up to {server_seq} of till {till} that this database "
        f"(up to {local_seq}) does not have (an old backup?): restore the newest"
    )


def blocked_reason(state: st.SyncState | None) -> str:
    """Why this till may not sell now ("" when it may)."""
    if state is None or state.head_check == st.HEAD_OK:
        return ""
    if state.head_check == st.HEAD_UNCHECKED:
        return WAITING_FOR_CHECK
    return (
        f"Selling is blocked: {state.conflict or 'the store server holds more than this database'}"
        " (or enroll this till again under a new till id)"
    )


class SyncLink:
    def __init__(self, db: Database, state: st.SyncState | None = None) -> None:
        self.db = db
        self.worker = SyncWorker(db, self.client_of)
        self._checked = False
        self.first_block = blocked_reason(state)

    def client_of(self, state: st.SyncState) -> ServerClient:
        client = ServerClient(state.url, state.token)
        if not self._checked:
            check_head(self.db, client)  # raises SyncError while offline: retried
            self._checked = True
        return client

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    def status(self) -> str:
        """``sync: online`` / ``N waiting`` / ``offline since HH:MM`` / conflict."""
        text = status_text(self.db)
        return f"sync: {text}" if text else ""

    def blocked(self) -> str:
        """Why the register may not sell now ("" when it may); reads the database."""
        return blocked_reason(st.load(self.db))


def open_link(db: Database) -> SyncLink | None:
    try:
        state = st.load(db)
        return SyncLink(db, state) if state is not None else None
    except SyncError:
        return None
