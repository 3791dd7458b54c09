"""Customers changed at other tills or stores (topic ``customer``): the server's merged
record, merged here field by field (an older or repeated one changes nothing); profiles
the server joined into one (topic ``customer_merge``); what customers spent at other
tills and on the web (topic ``spend``)."""

from __future__ import annotations

from peewee import Database

from tui_pos.domain.customer_match import joined_from_wire
from tui_pos.domain.customer_merge import CustomerDocError, from_wire
from tui_pos.models.customer_aliases import apply_merge, customer_by_card
from tui_pos.models.customer_spend import add_spend
from tui_pos.models.customer_stamps import apply_document
from tui_pos.sync.topics import Change, topic


@topic("customer")
def apply_customer(db: Database, change: Change) -> int:
    try:
        doc = from_wire(change.get("body"))
    except CustomerDocError:
        return 0  # not a record this version reads (a newer server): skipped
    return apply_document(db, doc)  # in the page's unit of work, which seals


@topic("customer_merge")
def apply_customer_merge(db: Database, change: Change) -> int:
    """Two profiles of one person joined at the server: re-point this till's rows."""
    try:
        join = joined_from_wire(change.get("body"))
    except CustomerDocError:
        return 0
    return apply_merge(db, join.uuid, join.into, join.cards, join.rule)


@topic("spend")
def apply_spend(db: Database, change: Change) -> int:
    """Another till's or the web shop's sale of a customer with a card (a card unknown
    here is skipped: the server publishes its rows again when the card comes)."""
    body = change.get("body")
    customer = customer_by_card(db, str(change.get("key")))
    if (
        not isinstance(body, dict)
        or customer is None
        or not isinstance(body.get("total_cents"), int)
    ):
        return 0
    origin = f"{change.get('store') or ''}/{change.get('till')}"
    return add_spend(
        db,
        customer,
        origin,
        str(body.get("uuid")),
        body["total_cents"],
        str(body.get("at")),
        str(body.get("channel")),
    )
