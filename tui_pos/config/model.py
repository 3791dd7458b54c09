"""The whole configuration: :class:`Config`, one field a section of the TOML file, with the
defaults (``Config()`` is the demo store). The sections live in ``store``, ``devices``,
``loyalty``, ``staff`` and ``mail``; each key is declared once there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from tui_pos.config.devices import DisplayConfig, DrawerConfig, PrinterConfig, ScannerConfig
from tui_pos.config.keys import section, setting
from tui_pos.config.loyalty import LoyaltyConfig
from tui_pos.config.mail import MAIL_EXAMPLE, MailConfig
from tui_pos.config.schema import Table, describe
from tui_pos.config.staff import BarcodesConfig, StaffConfig
from tui_pos.config.store import (
    DEFAULT_TAXES,
    TAX_HELP,
    DatabaseConfig,
    StoreConfig,
    TaxConfig,
    read_taxes,
)


def _keymap(top: Table) -> Mapping[str, str]:
    t = Table(top.source, ("keymap",), top.data.get("keymap", {}), None, "[keymap]")
    for key, value in t.data.items():
        if not isinstance(value, str) or not value.strip():
            message = f'expected a key name like "f5" or "ctrl+t", got {describe(value)}'
            raise t.error(key, message)
    return MappingProxyType(dict(t.data))


KEYMAP_EXAMPLE = """[keymap]
# Change the keys of actions: action id = key(s). Keys are like "f5", "ctrl+t", "escape";
# several keys for one action are separated by commas ("f8,ctrl+l"). Keys the entry
# line uses for editing (letters, digits, delete, backspace, ctrl+a/e/k/u/w/x/c/v) are
# taken by it first.
# None are changed by default. The ids:
#   sale screen: search, price-check, discount-line, discount-cart, suspend-sale,
#                resume-sale, void-line, void-sale, tender, receipt-preview, reprint,
#                line-up, line-down, clear-entry, quit, returns, stock
#   payment:     tender-card, tender-store-credit, tender-remove, tender-back
#   returns:     return-line, return-damaged, return-all, return-no-receipt, return-up,
#                return-down, return-done
#   stock:       stock-receive, stock-count, stock-adjust, stock-low, stock-orders,
#                stock-close, tally-remove, tally-commit, tally-up, tally-down,
#                tally-cancel, low-up, low-down, low-close, collection-hand-over,
#                collection-up, collection-down, collection-close
#   dialogs:     dialog-cancel, confirm-yes, confirm-no, search-close, search-up,
#                search-down, resume-close, receipt-close
# For example:
# void-line = "f8,ctrl+l"
# tender = "f10,ctrl+p\""""


def _tax_example() -> str:
    lines = ["# " + line for line in TAX_HELP.split("\n")]
    for tax in DEFAULT_TAXES:
        lines += [
            "[[tax]]",
            f'code = "{tax.code}"',
            f'name = "{tax.name}"',
            f'rate = "{tax.rate}"',
            "",
        ]
    return "\n".join(lines[:-1])


@dataclass(frozen=True)
class Config:
    """The whole configuration; ``Config()`` is the demo store."""

    store: StoreConfig = section(StoreConfig, "store")  #: the shop
    taxes: tuple[TaxConfig, ...] = setting(
        DEFAULT_TAXES,
        help=TAX_HELP,
        name="tax",
        read=read_taxes,
        example=_tax_example(),
        allowed="[[tax]] entries: code, name, rate",
    )  #: tax rates, from ``[[tax]]``
    database: DatabaseConfig = section(DatabaseConfig, "database")  #: storage
    scanner: ScannerConfig = section(ScannerConfig, "scanner")  #: barcode scanner
    printer: PrinterConfig = section(PrinterConfig, "printer")  #: receipt printer
    drawer: DrawerConfig = section(DrawerConfig, "drawer")  #: cash drawer
    display: DisplayConfig = section(DisplayConfig, "display")  #: customer display
    loyalty: LoyaltyConfig = section(LoyaltyConfig, "loyalty")  #: loyalty points
    staff: StaffConfig = section(StaffConfig, "staff")  #: staff log-in and permissions
    barcodes: BarcodesConfig = section(BarcodesConfig, "barcodes")  #: in-store barcodes
    keymap: Mapping[str, str] = setting(
        factory=lambda: MappingProxyType({}),
        help='Binding id -> key, e.g. tender-cash = "f5"; checked by the app.',
        read=_keymap,
        example=KEYMAP_EXAMPLE,
        allowed="binding id = key(s)",
    )
    mail: MailConfig = section(MailConfig, "mail", example=MAIL_EXAMPLE)  #: customer mail
    source: Path | None = field(default=None)  #: the file this was loaded from, None for defaults
