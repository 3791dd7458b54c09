"""Loyalty points asked by a till: the organisation's balance, and overdraws found late.

``GET /v1/points?card=C`` (a till's token) answers ``{card, points}``: the sum of every
till's and web shop's ledger rows for the card, which is the balance a till uses for a
redemption while it reaches the server. Offline a till follows ``[loyalty]
offline_redeem`` (refuse, or cap) and redeems from what it knows; when its push then
takes a card below zero, :func:`check_overdraws` writes one ``points_overdraw`` alert in
the push's transaction. Both sales stay: a sale is never undone for points.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from tui_pos.server.ledgers import lock_card, loyalty_rows, points_balance
from tui_pos.server.wire import PushedDocument


def check_overdraws(
    conn: psycopg.Connection, store: str, till: str, docs: Sequence[PushedDocument]
) -> None:
    """An alert per card that a redemption in ``docs`` took below zero (in the push's
    transaction; cards locked in order, as a web redemption locks them)."""
    spent = sorted({card for d in docs for _, card, pts, _ in loyalty_rows(d) if pts < 0})
    for card in spent:
        lock_card(conn, card)
    for card in spent:
        balance = points_balance(conn, card)
        if balance < 0:
            conn.execute(
                "INSERT INTO alert (store_id, till_id, kind, message) "
                "VALUES (%s, %s, 'points_overdraw', %s)",
                (
                    store,
                    till,
                    f"card {card}: {balance} points after a redemption at till {till} "
                    "(redeemed offline); both sales are kept",
                ),
            )
