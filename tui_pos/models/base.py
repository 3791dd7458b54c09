"""The base class of every table."""

from __future__ import annotations

from typing import Any

from peewee import Model, fn

from tui_pos.models.database import database_proxy


class BaseRow(Model):
    """A row of a till table, bound to the database opened by ``open_database``."""

    class Meta:
        database = database_proxy
        legacy_table_names = False


def present_fields(model: type[BaseRow]) -> list[Any]:
    """The model's fields whose columns exist in the open database.

    Migrations that read rows through the models (the journal backfill of migration 3)
    run before later migrations add columns: selecting only the columns present keeps
    them working on an old schema (absent fields read as None).
    """
    db = model._meta.database
    table = model._meta.table_name
    columns = {row[1] for row in db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()}
    return [f for f in model._meta.sorted_fields if f.column_name in columns]


def next_seq(model: type[BaseRow], till: str) -> int:
    """The next per-till sequence number of ``model`` (a table with ``till`` and ``seq``);
    call inside a write transaction."""
    seq, till_field = model._meta.fields["seq"], model._meta.fields["till"]
    current = model.select(fn.MAX(seq)).where(till_field == till).scalar()
    return int(current or 0) + 1
