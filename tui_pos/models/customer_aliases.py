"""Profiles the store server joined into another, at the till (migration 25).

The server tells a till that customer ``L`` became an alias of ``S`` (in its answer to a
customer push, or as topic ``customer_merge``). The till then:

- records the alias, so a document, a points row or a spend row still naming ``L`` (or a
  card the joined profile no longer carries) lands on ``S`` (:func:`resolve`,
  :func:`customer_by_card`);
- when it holds ``L`` but not ``S``, gives ``L``'s row the survivor's uuid: every local
  row that names the customer (sales, ledger, history, web orders) is then the
  survivor's without touching a chained row;
- when it holds both (it had pulled both profiles before the server saw the match),
  moves what is not chained (web orders' link, other tills' spend, the card when the
  survivor has none, the queue) and moves the loser's points balance with a pair of
  ledger rows of kind ``sync``, which the server never books (it moved its own ledger
  rows when it joined them). The loser's own sales stay under its id (chained).

Every function runs inside the caller's unit of work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peewee import Database

from tui_pos.models.times import stamp


def resolve(db: Database, uuid: str) -> str:
    """The uuid a customer's uuid names here (itself, or the survivor it was joined into)."""
    row = db.execute_sql("SELECT survivor FROM customer_alias WHERE uuid = ?", (uuid,)).fetchone()
    return str(row[0]) if row else uuid


def customer_by_card(db: Database, card: str) -> int | None:
    """The local customer a loyalty card names: its holder, else the survivor of the
    profile that held it."""
    row = db.execute_sql("SELECT id FROM customer WHERE card = ?", (card,)).fetchone()
    if row is None:
        row = db.execute_sql(
            "SELECT c.id FROM card_alias a JOIN customer c ON c.uuid = a.survivor WHERE a.card = ?",
            (card,),
        ).fetchone()
    return int(row[0]) if row else None


def _id_of(db: Database, uuid: str) -> int | None:
    row = db.execute_sql("SELECT id FROM customer WHERE uuid = ?", (uuid,)).fetchone()
    return int(row[0]) if row else None


def _move_points(db: Database, loser: int, survivor: int, note: str, now: datetime) -> None:
    row = db.execute_sql(
        "SELECT coalesce(sum(points), 0) FROM loyalty_entry WHERE customer_id = ?", (loser,)
    ).fetchone()
    balance = int(row[0])
    if balance == 0:
        return
    for side, customer, points in ((0, loser, -balance), (1, survivor, balance)):
        key = hashlib.sha256(f"merge:{loser}:{survivor}:{side}".encode()).hexdigest()[:32]
        db.execute_sql(
            "INSERT OR IGNORE INTO loyalty_entry (uuid, till, seq, customer_id, points, kind,"
            " sale_id, note, created_at) VALUES (?, 'merge', ?, ?, ?, 'sync', NULL, ?, ?)",
            (key, -(2 * loser + side), customer, points, note, stamp(now)),
        )


def _join_rows(db: Database, loser: int, survivor: int, note: str, now: datetime) -> None:
    db.execute_sql(
        "UPDATE online_order_contact SET customer_id = ? WHERE customer_id = ?", (survivor, loser)
    )
    db.execute_sql(
        "UPDATE customer_spend SET customer_id = ? WHERE customer_id = ?", (survivor, loser)
    )
    card = db.execute_sql("SELECT card FROM customer WHERE id = ?", (loser,)).fetchone()[0]
    has = db.execute_sql("SELECT card FROM customer WHERE id = ?", (survivor,)).fetchone()[0]
    db.execute_sql("UPDATE customer SET card = NULL WHERE id = ?", (loser,))
    if card and not has:
        db.execute_sql("UPDATE customer SET card = ? WHERE id = ?", (card, survivor))
    db.execute_sql("DELETE FROM customer_outbox WHERE customer_id = ?", (loser,))
    _move_points(db, loser, survivor, note, now)


def apply_merge(db: Database, loser: str, survivor: str, cards: Sequence[str], rule: str) -> int:
    """The server joined profile ``loser`` into ``survivor``: re-point this till's rows
    (see the module); 1 if anything changed. Applying it twice changes nothing."""
    if loser == survivor:
        return 0
    now = datetime.now(UTC)
    known = db.execute_sql(
        "SELECT survivor FROM customer_alias WHERE uuid = ?", (loser,)
    ).fetchone()
    if known is not None and str(known[0]) == survivor:
        return 0  # applied before (from the push's answer, then from the feed)
    db.execute_sql("UPDATE customer_alias SET survivor = ? WHERE survivor = ?", (survivor, loser))
    db.execute_sql(
        "INSERT INTO customer_alias (uuid, survivor, rule, created_at) VALUES (?,?,?,?)"
        " ON CONFLICT(uuid) DO UPDATE SET survivor = excluded.survivor",
        (loser, survivor, rule[:16], stamp(now)),
    )
    db.execute_sql("UPDATE card_alias SET survivor = ? WHERE survivor = ?", (survivor, loser))
    db.cursor().executemany(
        "INSERT INTO card_alias (card, survivor) VALUES (?, ?)"
        " ON CONFLICT(card) DO UPDATE SET survivor = excluded.survivor",
        [(card, survivor) for card in cards],
    )
    lost, kept = _id_of(db, loser), _id_of(db, survivor)
    note = f"customer {loser} joined into {survivor} (same {rule})"
    if lost is not None and kept is None:
        db.execute_sql("UPDATE customer SET uuid = ? WHERE id = ?", (survivor, lost))
    elif lost is not None and kept is not None:
        _join_rows(db, lost, kept, note, now)
    if lost is not None:
        db.execute_sql(
            "INSERT INTO customer_event (customer_id, kind, created_at, note) VALUES (?,?,?,?)",
            (lost, "merged", stamp(now), note[:500]),
        )
    return 1
