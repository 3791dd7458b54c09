"""Turning database failures into messages a cashier or shop owner can act on."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tui_pos.domain.errors import StorageError


def describe(exc: BaseException) -> str:
    """A short, actionable description of a database failure."""
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return "The disk is full: the sale was NOT stored. Free space, then try again"
    if "locked" in text or "busy" in text:
        return "The database is busy (another program holds it): try again"
    if "disk i/o error" in text:
        return "The database cannot be written (disk I/O error): the sale was NOT stored"
    if "readonly" in text or "read-only" in text:
        return "The database cannot be written (read-only): the sale was NOT stored"
    if "unable to open" in text:
        return "The database file cannot be opened: check its path and permissions"
    if "malformed" in text or "not a database" in text:
        return "The database file is damaged: run 'tui-pos db check' and restore a backup"
    return f"Database error: {exc}"


def _db_errors() -> tuple[type[BaseException], ...]:
    """SQLite's errors, and Peewee's once it is loaded (the lean report start runs on a
    plain ``sqlite3`` connection and never loads it: then no Peewee error can occur)."""
    peewee = sys.modules.get("peewee")
    if peewee is None:
        return (sqlite3.DatabaseError,)
    return (peewee.DatabaseError, sqlite3.DatabaseError)


_SECONDARY = ("cannot rollback", "no transaction is active", "cannot commit")


def root_cause(exc: BaseException) -> BaseException:
    """The database error that started it: when SQLite has already rolled back (disk full
    at COMMIT) the transaction's own rollback fails too, and that second error hides it."""
    cause = exc
    seen = {id(exc)}
    while any(s in str(cause).lower() for s in _SECONDARY):
        earlier = cause.__context__
        if not isinstance(earlier, _db_errors()) or id(earlier) in seen:
            break
        seen.add(id(earlier))
        cause = earlier
    return cause


@contextmanager
def storage_errors() -> Iterator[None]:
    """Re-raise database failures as StorageError with a readable message."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise StorageError(describe(root_cause(exc))) from exc
    except Exception as exc:
        if not isinstance(exc, _db_errors()):
            raise
        raise StorageError(describe(root_cause(exc))) from exc
