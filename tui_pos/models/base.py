"""The base class of every table."""

from __future__ import annotations

from peewee import Model

from tui_pos.models.database import database_proxy


class BaseRow(Model):
    """A row of a till table, bound to the database opened by ``open_database``."""

    class Meta:
        database = database_proxy
        legacy_table_names = False
