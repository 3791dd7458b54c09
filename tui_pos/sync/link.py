"""The register's link to the store server: the sender/puller thread and its status line.

``open_link(db)`` is None for a till that was never enrolled (it works alone, as before).
The app starts the link after its screen is up, reads :meth:`SyncLink.status` from a
thread worker for the top bar and stops the link when it quits; nothing here waits for
the network on the UI thread.
"""

from __future__ import annotations

from peewee import Database

from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError
from tui_pos.sync.sender import SyncWorker, status_text


def check_head(db: Database, client: ServerClient) -> None:
    """A till restored from an old backup would number documents the server already
    holds: if the server's head for this till is beyond the local chain, stop pushing
    with a conflict a manager must resolve (restore the newest backup)."""
    state = st.load(db)
    if state is None:
        return
    head = client.head()
    local_seq, _ = st.chain_head(db)
    server_seq = int(head.get("head_seq", 0))
    if server_seq > local_seq:
        st.conflict(
            db,
            f"the server holds documents up to {server_seq} of till {state.till}, this "
            f"database only up to {local_seq} (an old backup?): restore the newest",
        )


class SyncLink:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.worker = SyncWorker(db, self.client_of)
        self._checked = False

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


def open_link(db: Database) -> SyncLink | None:
    try:
        return SyncLink(db) if st.load(db) is not None else None
    except SyncError:
        return None
