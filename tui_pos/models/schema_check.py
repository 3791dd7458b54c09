"""Is the schema (tables, indexes, triggers) the one the migrations made?

The expected schema is made by running every migration on an empty in-memory database,
so it can never drift from the migrations. A dropped append-only trigger, a trigger or
view someone added (one that rewrites amounts on insert, say), a changed index or a
table with other columns is reported. Tables are compared by their columns (a database
that got two branches' migrations in another order has the same columns in another
order); indexes, triggers and views by their SQL text.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from peewee import Database, SqliteDatabase

from tui_pos.models.database import database_proxy
from tui_pos.models.migrations import migrate

Objects = dict[tuple[str, str], object]


@contextmanager
def _bound(db: Database) -> Iterator[None]:
    """Bind the models to ``db`` for a while (migration 3 reads through them)."""
    previous = database_proxy.obj
    database_proxy.initialize(db)
    try:
        yield
    finally:
        if previous is not None:
            database_proxy.initialize(previous)


@cache
def expected_objects() -> Objects:
    """The schema objects every migration applied to an empty database makes (made once
    per process: the migrations do not change while it runs)."""
    scratch = SqliteDatabase(":memory:", pragmas={"foreign_keys": 1})
    with _bound(scratch):
        scratch.connect()
        try:
            migrate(scratch)
            return schema_objects(scratch)
        finally:
            scratch.close()


def schema_objects(db: Database) -> Objects:
    """(type, name) -> what defines it: a table's columns, else the SQL text."""
    found: Objects = {}
    rows = db.execute_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for kind, name, sql in rows:
        if kind == "table":
            columns = db.execute_sql(f'PRAGMA table_info("{name}")').fetchall()
            found[(kind, name)] = sorted(tuple(c[1:]) for c in columns)
        else:
            found[(kind, name)] = " ".join(str(sql).split()) if sql else None
    return found


def schema_problems(db: Database) -> list[str]:
    """How ``db``'s schema differs from the migrations' (empty when it does not)."""
    expected = expected_objects()
    found = schema_objects(db)
    problems = []
    for key in sorted(expected.keys() - found.keys()):
        problems.append(f"{key[0]} {key[1]} is missing (dropped behind the till's back)")
    for key in sorted(found.keys() - expected.keys()):
        problems.append(f"{key[0]} {key[1]} was not made by the migrations (added)")
    for key in sorted(expected.keys() & found.keys()):
        if expected[key] != found[key]:
            problems.append(f"{key[0]} {key[1]} differs from what the migrations made")
    return problems
