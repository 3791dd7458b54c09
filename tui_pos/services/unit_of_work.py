"""The unit of work: one use case's writes are stored together or not at all.

A use case writes through its stores inside ``with uow:``. The SQLite adapter
(:class:`tui_pos.models.unit_of_work.SqliteUnitOfWork`) makes that one ``BEGIN
IMMEDIATE`` transaction and seals the hash chain once at its end, so a document, every
ledger row it wrote, its audit line and its chain entry (the store server's outbox) are
committed by one fsync or rolled back together. A store called outside any unit of work
is its own (one short transaction). :class:`FakeUnitOfWork` does the same for in-memory
stores in service tests.
"""

from __future__ import annotations

import copy
from types import TracebackType
from typing import Protocol, Self


class UnitOfWork(Protocol):
    """``with uow:``: everything written inside is committed at the end, or rolled back
    when the block raises (the error propagates; a database failure as StorageError).
    Nested ``with uow:`` blocks, on the same thread, join the outermost one."""

    def __enter__(self) -> Self:
        """Begin (or join) the write transaction."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Commit when the block succeeded, else roll back; never swallows the error."""


class Snapshotting(Protocol):
    """An in-memory store that a :class:`FakeUnitOfWork` can roll back."""

    def snapshot(self) -> object:
        """A copy of the store's state."""

    def restore(self, state: object) -> None:
        """Go back to a state from :meth:`snapshot`."""


class FakeUnitOfWork:
    """A unit of work for in-memory stores: entering snapshots them, an exception restores
    them. Counts what happened, so a test can say a use case committed once."""

    def __init__(self, *stores: Snapshotting) -> None:
        self.stores = stores
        self.commits = 0  #: outermost blocks that ended normally
        self.rollbacks = 0  #: outermost blocks that raised
        self.depth = 0  #: how deep the open blocks are (0 = none open)
        self._saved: list[object] = []

    def __enter__(self) -> Self:
        if self.depth == 0:
            self._saved = [copy.deepcopy(s.snapshot()) for s in self.stores]
        self.depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.depth -= 1
        if self.depth:
            return
        if exc_type is None:
            self.commits += 1
            return
        self.rollbacks += 1
        for store, state in zip(self.stores, self._saved, strict=True):
            store.restore(state)
