"""``[store]``, ``[[tax]]`` and ``[database]``: who sells, at which tax rates, stored where.

Each key is declared once with :func:`~tui_pos.config.keys.setting`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar

from tui_pos.config.keys import setting
from tui_pos.config.schema import Table, describe, parse_rate


@dataclass(frozen=True)
class StoreConfig:
    """``[store]``: who is selling, in which currency, and how cash is handled."""

    #: Keys a file may still hold that no longer do anything (accepted, so that a till
    #: whose file ``config init`` wrote before still starts), with why.
    RETIRED: ClassVar[Mapping[str, str]] = MappingProxyType(
        {"locale": "amounts and dates are shown one way; see docs/DESIGN.md"}
    )

    name: str = setting("tui-pos demo store", help="Shop name printed at the top of every receipt.")
    address: tuple[str, ...] = setting(
        (), help='Address lines printed under the name, e.g. ["1 High Street", "Townsville"].'
    )
    currency: str = setting(
        "EUR",
        help="Currency: the 3-letter ISO code in capitals (EUR, GBP, USD, CHF...).",
        pattern=r"[A-Z]{3}",
        what='a 3-letter code in capitals like "EUR"',
    )
    prices_include_tax: bool = setting(
        True,
        help="true if shelf prices already include tax (usual for shops), false to add tax on top.",
    )
    cash_rounding: int = setting(
        1,
        help="Round cash payments to this step, in minor units: 1 = no rounding, 5 = nearest"
        " 0.05,\nalso 10, 20, 25, 50 or 100. Card payments are never rounded.",
        choices=(1, 5, 10, 20, 25, 50, 100),
    )
    till: str = setting(
        "T1",
        help='This till\'s id (1-16 letters, digits, "-" or "_"); it goes into receipt numbers.',
        pattern=r"[A-Za-z0-9_-]{1,16}",
        what='1-16 letters, digits, "-" or "_"',
    )
    receipt_footer: tuple[str, ...] = setting(
        ("Thank you!",), help="Lines printed at the bottom of every receipt."
    )
    quick_cash: tuple[int, ...] = setting(
        (500, 1000, 2000, 5000),
        help="Amounts on the quick-cash keys (up to 6), in minor units: 500 = 5.00.",
        low=1,
        max_items=6,
    )
    card_reference_required: bool = setting(
        True,
        help="A card payment asks for the card terminal's reference (from its slip); false"
        " makes it\noptional (Enter with nothing typed) for terminals that print none.",
    )
    web_refund: str = setting(
        "card",
        help='How a web order returned at this till is refunded: "card" = to the web payment, as'
        " a\ncard-not-present refund record naming the order (the web shop's payment provider"
        ' pays\nit back), "store_credit" = with a credit note.',
        choices=("card", "store_credit"),
    )


@dataclass(frozen=True)
class TaxConfig:
    """``[[tax]]``: one tax rate, referred to by products through its code."""

    code: str  #: short code (1-8 capital letters/digits) printed next to receipt lines
    name: str  #: readable name, e.g. "Standard"
    rate: str  #: percentage as written in the file, e.g. "20" or "5.5"
    rate_bp: int = field(init=False)  #: the rate in basis points (20% -> 2000)

    def __post_init__(self) -> None:
        """Compute ``rate_bp``; raises ValueError for a malformed ``rate``."""
        object.__setattr__(self, "rate_bp", parse_rate(self.rate))


DEFAULT_TAXES = (
    TaxConfig(code="A", name="Standard", rate="20"),
    TaxConfig(code="B", name="Reduced", rate="5.5"),
    TaxConfig(code="Z", name="Zero", rate="0"),
)
"""The taxes used when the file has no ``[[tax]]`` entry."""

TAX_HELP = """Tax rates: one [[tax]] block per rate. Products refer to a rate by its code.
code: 1-8 capital letters or digits, printed next to receipt lines.
name: readable name (defaults to the code).
rate: the percentage, written as a string: "20", "5.5", "7.25" or "0".
Without any [[tax]] block the defaults are A = 20%, B = 5.5% and Z = 0%."""


def read_taxes(top: Table) -> tuple[TaxConfig, ...]:
    """The ``[[tax]]`` entries of the whole file (the defaults when there are none)."""
    value = top.data.get("tax")
    if value is None:
        return DEFAULT_TAXES
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        message = "expected [[tax]] entries (an array of tables), got " + describe(value)
        raise top.error("tax", message + "; write each rate in its own [[tax]] block")
    if not value:
        raise top.error("tax", "expected at least one [[tax]] entry")
    taxes: list[TaxConfig] = []
    for index, item in enumerate(value):
        t = Table(top.source, ("tax", index), item, ("code", "name", "rate"), "[[tax]]")
        code = t.string("code", None, r"[A-Z0-9]{1,8}", '1-8 capital letters or digits like "A"')
        if any(tax.code == code for tax in taxes):
            raise t.error("code", f'duplicate tax code "{code}"; each [[tax]] needs its own code')
        name = t.string("name", code)
        if "rate" not in t.data:
            raise t.missing("rate")
        rate = t.data["rate"]
        how = 'write it as a string, like rate = "20" or rate = "5.5"'
        if not isinstance(rate, str):
            raise t.error("rate", f"expected a percentage string, got {describe(rate)}; {how}")
        try:
            parse_rate(rate)
        except ValueError:
            message = "expected a percentage from 0 to 100 with at most 2 decimals"
            raise t.error("rate", f"{message}, got {describe(rate)}; {how}") from None
        taxes.append(TaxConfig(code=code, name=name, rate=rate))
    return tuple(taxes)


def _database_url(t: Table) -> str | None:
    url = t.optional_string("url", 'a URL like "postgresql://user@host/db"')
    if url is not None and t.optional_string("path", 'a file path like "till.db"') is not None:
        raise t.error("url", "set either database.path or database.url, not both")
    return url


@dataclass(frozen=True)
class DatabaseConfig:
    """``[database]``: where sales and the catalogue are stored."""

    path: str | None = setting(
        None,
        help="Where sales and the catalogue are kept. By default (no path) in the user data"
        " folder\n(~/.local/share/tui-pos/till.db). A relative path is relative to this file's"
        " folder.",
        what='a file path like "till.db"',
        example='# path = "till.db"',
        allowed="a file path",
    )
    url: str | None = setting(
        None,
        help="A database server instead of a file (for later PostgreSQL support); use path or url.",
        read=_database_url,
        example='# url = "postgresql://pos@localhost/shop"',
        allowed="a URL; not with path",
    )
    backup_dir: str = setting(
        "",
        help='Where the online backup taken after every Z close goes ("" = a "backups" folder'
        ' next to\nthe database; better: another disk, e.g. "/mnt/usb/tui-pos"). Relative to'
        " this file.",
    )
    backup_keep: int = setting(
        30,
        help="How many backups to keep there (1-1000); older ones are removed.",
        low=1,
        high=1000,
    )
    backup_on_z: bool = setting(True, help="Take a backup after every Z close.")
    busy_timeout_ms: int = setting(
        5000,
        help="The longest (milliseconds, 100-60000) a write waits while another program holds"
        " the\ndatabase. Storing a sale waits at most this long in all; then the sale stays on"
        " screen\nwith its payments, to store again.",
        low=100,
        high=60_000,
    )
