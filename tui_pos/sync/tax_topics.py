"""Tax codes managed at the store server, applied at this till: topic ``tax``.

A change carries the whole latest body of a code (``{name, rate_bp}``), so applying it
is an upsert and applying it twice changes nothing. A code from the server wins over the
config's ``[[tax]]`` (a start does not overwrite it); a cart already open keeps the
rates it started with, the next sale uses the new one (models/tax_codes.py).
"""

from __future__ import annotations

from peewee import Database

from tui_pos.domain.tax import TaxRate
from tui_pos.models.tax_codes import SERVER, set_tax_code
from tui_pos.sync.topics import Change, topic


@topic("tax")
def apply_tax(db: Database, change: Change) -> int:
    body = change.get("body")
    code = change.get("key")
    if not isinstance(body, dict) or not isinstance(code, str):
        return 0
    rate, name = body.get("rate_bp"), body.get("name")
    if not isinstance(rate, int) or not isinstance(name, str) or not 0 <= rate <= 10_000:
        return 0
    set_tax_code(db, TaxRate(code, name, rate), SERVER)
    return 1
