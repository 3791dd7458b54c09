"""Stores, tills, one-time enrollment codes and per-till tokens.

Only hashes of codes and tokens are stored: a copy of the database gives nobody a till's
token. A code is good once, for a day; enrolling again replaces the till's token (the old
device is cut off), and ``revoke`` cuts a till off until it enrolls again.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import psycopg

from tui_pos.server.push import TillIdentity
from tui_pos.server.wire import parse_ident

CODE_LIFETIME = timedelta(hours=24)


class TillError(Exception):
    """Refused: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_enrollment(conn: psycopg.Connection, store: str, till: str) -> str:
    """Create the store and till if new and return a one-time enrollment code."""
    parse_ident(store, "the store id")
    parse_ident(till, "the till id")
    code = "-".join(secrets.token_hex(3).upper() for _ in range(4))
    with conn.transaction():
        conn.execute("INSERT INTO store (store_id) VALUES (%s) ON CONFLICT DO NOTHING", (store,))
        conn.execute(
            "INSERT INTO till (store_id, till_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (store, till),
        )
        conn.execute(
            "INSERT INTO enrollment (code_hash, store_id, till_id, expires_at) "
            "VALUES (%s, %s, %s, now() + %s)",
            (digest(code), store, till, CODE_LIFETIME),
        )
    return code


def redeem(conn: psycopg.Connection, code: str) -> tuple[TillIdentity, str, int, str]:
    """Use ``code`` once: the till's identity, its new token and the server's head."""
    token = secrets.token_urlsafe(32)
    with conn.transaction():
        row = conn.execute(
            "UPDATE enrollment SET used_at = now() WHERE code_hash = %s AND used_at IS NULL "
            "AND expires_at > now() RETURNING store_id, till_id",
            (digest(code.strip().upper()),),
        ).fetchone()
        if row is None:
            raise TillError(403, "this enrollment code is unknown, used or expired")
        head = conn.execute(
            "UPDATE till SET token_hash = %s, enrolled_at = now(), revoked_at = NULL "
            "WHERE store_id = %s AND till_id = %s RETURNING head_seq, head_hash",
            (digest(token), row[0], row[1]),
        ).fetchone()
        assert head is not None
    return TillIdentity(row[0], row[1]), token, int(head[0]), str(head[1])


def identify(conn: psycopg.Connection, token: str) -> TillIdentity:
    """The till a bearer token belongs to; refused if unknown or revoked."""
    with conn.transaction():
        row = conn.execute(
            "SELECT store_id, till_id, revoked_at FROM till WHERE token_hash = %s",
            (digest(token),),
        ).fetchone()
    if row is None:
        raise TillError(401, "the server does not know this till's token: enroll it again")
    if row[2] is not None:
        raise TillError(401, f"till {row[1]} of store {row[0]} was revoked at the server")
    return TillIdentity(row[0], row[1])


def _set(conn: psycopg.Connection, change: str, unless: str, store: str, till: str) -> bool:
    with conn.transaction():
        cur = conn.execute(
            f"UPDATE till SET {change} WHERE store_id = %s AND till_id = %s AND {unless}".encode(),
            (store, till),
        )
    return cur.rowcount == 1


def revoke(conn: psycopg.Connection, store: str, till: str) -> bool:
    """Cut a till off until it enrolls again (False: no such enrolled till)."""
    return _set(conn, "revoked_at = now()", "revoked_at IS NULL", store, till)


def clear_conflict(conn: psycopg.Connection, store: str, till: str) -> bool:
    """A manager's decision after looking at the alert: let the till push again."""
    return _set(conn, "conflict = NULL", "conflict IS NOT NULL", store, till)
