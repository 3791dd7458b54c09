"""The unit of work on SQLite: one ``BEGIN IMMEDIATE`` transaction, the chain sealed once.

Implements :class:`tui_pos.services.unit_of_work.UnitOfWork`. A store writes through
:func:`writing`: inside a unit of work open on this thread it simply joins it (no
transaction, no seal of its own); called alone it is a unit of work of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Self

from peewee import Database

from tui_pos.models.chain_store import seal
from tui_pos.models.errors import storage_errors

_OPEN = threading.local()  #: per thread: id(database) -> how many units of work are open


def _depth(db: Database) -> int:
    depths: dict[int, int] = getattr(_OPEN, "depths", {})
    return depths.get(id(db), 0)


def _set_depth(db: Database, depth: int) -> None:
    depths: dict[int, int] = getattr(_OPEN, "depths", {})
    _OPEN.depths = {**depths, id(db): depth}


@contextmanager
def _transaction(db: Database, till: str) -> Iterator[None]:
    # Peewee keeps the connection and its transaction per thread, so the depth is too.
    outermost = _depth(db) == 0
    with storage_errors(), db.atomic():  # BEGIN IMMEDIATE (database.py); nested: savepoint
        _set_depth(db, _depth(db) + 1)
        try:
            yield
            if outermost:
                seal(db, till)  # every row the use case appended, in one chain entry
        finally:
            _set_depth(db, _depth(db) - 1)


class SqliteUnitOfWork:
    """``with uow:`` on the till's database: the use case's writes and one chain entry,
    committed together (durable: ``synchronous=FULL``) or rolled back together.

    One object may serve several threads (the sale writer's and the UI's): each thread's
    blocks are its own transaction on its own connection.
    """

    def __init__(self, db: Database, till: str) -> None:
        self.db = db
        self.till = till  #: the till whose chain entries it seals
        self._local = threading.local()

    def __enter__(self) -> Self:
        blocks: list[AbstractContextManager[None]] = getattr(self._local, "blocks", [])
        block = _transaction(self.db, self.till)
        block.__enter__()
        self._local.blocks = [*blocks, block]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        *rest, block = self._local.blocks
        self._local.blocks = rest
        block.__exit__(exc_type, exc, tb)


def in_unit_of_work(db: Database) -> bool:
    """True when a unit of work on ``db`` is open on this thread."""
    return _depth(db) > 0


@contextmanager
def writing(db: Database, till: str) -> Iterator[None]:
    """What a store writes inside: the open unit of work when there is one on this thread
    (its failure then fails the whole unit), else a unit of work of its own."""
    if in_unit_of_work(db):
        yield
        return
    with SqliteUnitOfWork(db, till):
        yield
