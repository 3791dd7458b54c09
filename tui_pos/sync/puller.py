"""Applying the server's change feed at the till, one short transaction per page.

Each page's changes and the new cursor are written together, so a till killed mid-pull
applies a page exactly once. Each change goes to the handler of its topic
(:mod:`tui_pos.sync.topics`); a topic without one is skipped.

A page is one unit of work of this till: the ledger rows it applies (other tills' stock
and points, kind ``sync``) are sealed in the page's own chain entry, as every row a
till appends is, so ``db verify`` covers them and no later sale's entry carries them.
That entry is pushed like any other (the server's ``(till, seq)`` stays gapless); the
server keeps it but never counts a ``sync`` row in its ledgers again.
"""

from __future__ import annotations

from typing import Any

from peewee import Database

from tui_pos.models.unit_of_work import writing
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError
from tui_pos.sync.topics import handler_for

PAGE = 500


def apply_page(db: Database, page: dict[str, Any], till: str) -> int:
    """Apply one page and save its cursor in one unit of work of ``till`` (the rows it
    appends sealed in it); the rows applied."""
    applied = 0
    if not page.get("changes") and page["cursor"] == page.get("after"):
        return 0  # nothing new: no write transaction at all
    with writing(db, till):
        for change in page.get("changes") or []:
            handler = handler_for(change.get("topic")) if isinstance(change, dict) else None
            if handler is not None:
                applied += handler(db, change)
        db.execute_sql("UPDATE sync_state SET pull_cursor = ? WHERE id = 1", (page["cursor"],))
    return applied


def pull_changes(db: Database, client: ServerClient) -> int:
    """Pull and apply every page the server has; the number of rows applied."""
    applied = 0
    while True:
        state = st.load(db)
        if state is None:
            raise SyncError("usage", "this till is not enrolled")
        page = client.changes(state.pull_cursor, PAGE)
        if not isinstance(page.get("cursor"), str):
            raise SyncError("version", "the server's change feed has no cursor")
        applied += apply_page(db, {**page, "after": state.pull_cursor}, state.till)
        if not page.get("more"):
            return applied
