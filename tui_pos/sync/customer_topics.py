"""Customers changed at other tills or stores (topic ``customer``): the server's merged
record, merged here field by field (an older or repeated one changes nothing)."""

from __future__ import annotations

from peewee import Database

from tui_pos.domain.customer_merge import CustomerDocError, from_wire
from tui_pos.models.customer_stamps import apply_document
from tui_pos.sync.topics import Change, topic


@topic("customer")
def apply_customer(db: Database, change: Change) -> int:
    try:
        doc = from_wire(change.get("body"))
    except CustomerDocError:
        return 0  # not a record this version reads (a newer server): skipped
    return apply_document(db, doc)  # in the page's unit of work, which seals
