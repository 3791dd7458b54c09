"""The tax codes a till sells with: the config's, unless set by command or by the server.

``tax_code`` keeps every code ever used (old sales refer to them). The rates in force are
the codes of the config's ``[[tax]]`` plus those set by ``tui-pos tax set`` (a till on
its own) or by the store server's feed (an enrolled till); a code set either way is not
overwritten by the config at the next start. A cart takes the rates in force when it
starts and keeps them: a sale keeps the rate it was rung up at.
"""

from __future__ import annotations

from collections.abc import Iterable

from peewee import Database

from tui_pos.domain.tax import TaxRate
from tui_pos.models.errors import storage_errors
from tui_pos.models.unit_of_work import writing

#: Where a code comes from (``tax_code.source``, migration 18).
CONFIG, TILL, SERVER = "config", "till", "server"


def rates_in_force(db: Database, configured: Iterable[str]) -> dict[str, TaxRate]:
    """The tax rates a new cart uses: the configured codes and those set by command or
    by the store server, by code."""
    codes = list(configured)
    marks = ",".join("?" * len(codes)) or "NULL"
    with storage_errors():
        rows = db.execute_sql(
            f"SELECT code, name, rate_bp FROM tax_code WHERE source <> '{CONFIG}' "
            f"OR code IN ({marks}) ORDER BY code",
            codes,
        ).fetchall()
    return {str(r[0]): TaxRate(str(r[0]), str(r[1]), int(r[2])) for r in rows}


def sync_tax_codes(db: Database, taxes: list[TaxRate]) -> None:
    """Make the tax_code table hold the configured codes (added or renamed; never removed,
    because old sales refer to them). A code set by command or by the store server keeps
    its rate."""
    with storage_errors(), db.atomic():
        for tax in taxes:
            db.execute_sql(
                "INSERT INTO tax_code (code, name, rate_bp) VALUES (?,?,?) ON CONFLICT (code) "
                "DO UPDATE SET name = excluded.name, rate_bp = excluded.rate_bp "
                "WHERE source = 'config'",
                (tax.code, tax.name, tax.rate_bp),
            )


def set_tax_code(db: Database, tax: TaxRate, source: str) -> None:
    """Store ``tax`` as set by ``source`` (a command or the server) inside the caller's
    transaction: it wins over the config from now on."""
    db.execute_sql(
        "INSERT INTO tax_code (code, name, rate_bp, source) VALUES (?,?,?,?) "
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, rate_bp = excluded.rate_bp, "
        "source = excluded.source",
        (tax.code, tax.name, tax.rate_bp, source),
    )


def tax_sources(db: Database) -> dict[str, str]:
    """Where each stored code comes from (``config``, ``till`` or ``server``), by code."""
    with storage_errors():
        return {str(r[0]): str(r[1]) for r in db.execute_sql("SELECT code, source FROM tax_code")}


class SqliteTaxCodes:
    """The :class:`~tui_pos.services.tax_codes.TaxCodeStore` of till ``till``."""

    def __init__(self, db: Database, till: str) -> None:
        self.db = db
        self.till = till

    def set_at_till(self, tax: TaxRate) -> None:
        with writing(self.db, self.till):
            set_tax_code(self.db, tax, TILL)
