"""The till's configuration as frozen dataclasses, one a section of the TOML file, with
the defaults (``Config()`` is the demo store)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from tui_pos.config.mail import MailConfig
from tui_pos.config.schema import parse_rate
from tui_pos.domain.staff import Action, Role

ROLES = tuple(r.value for r in Role)
ACTIONS = tuple(a.value for a in Action)

BARCODE_KINDS = ("price", "weight", "customer", "employee", "receipt", "coupon")
"""What an in-store barcode rule can encode."""


@dataclass(frozen=True)
class StoreConfig:
    """``[store]``: who is selling, in which currency, and how cash is handled."""

    name: str = "tui-pos demo store"  #: shop name printed at the top of receipts
    address: tuple[str, ...] = ()  #: address lines printed under the name
    currency: str = "EUR"  #: ISO 4217 code, 3 capital letters
    locale: str = "en_GB"  #: locale used to format amounts and dates
    prices_include_tax: bool = True  #: whether shelf prices already include tax
    cash_rounding: int = 1  #: cash rounding step in minor units (1 = none, 5 = nearest 0.05)
    till: str = "T1"  #: this till's id, used in receipt sequence numbers
    receipt_footer: tuple[str, ...] = ("Thank you!",)  #: lines printed at the receipt's end
    quick_cash: tuple[int, ...] = (500, 1000, 2000, 5000)  #: quick-cash key amounts, minor units
    card_reference_required: bool = True  #: a card payment needs the terminal's reference


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


@dataclass(frozen=True)
class DatabaseConfig:
    """``[database]``: where sales and the catalogue are stored."""

    path: str | None = None  #: SQLite file; None = the user data dir; relative to the config file
    url: str | None = None  #: server database URL (for a later PostgreSQL); excludes ``path``
    backup_dir: str = ""  #: where Z-close backups go; "" = backups/ next to the database
    backup_keep: int = 30  #: how many backups to keep there (older ones are removed)
    backup_on_z: bool = True  #: take an online backup after every Z close
    #: the longest a write waits for a database another program holds (a sale that
    #: cannot be stored within it is kept on screen to retry)
    busy_timeout_ms: int = 5000


@dataclass(frozen=True)
class ScannerConfig:
    """``[scanner]``: how barcodes arrive."""

    mode: str = "keyboard"  #: "keyboard" (typed into the app), "evdev", "serial" or "none"
    device: str = ""  #: input device or serial port for "evdev"/"serial"
    grab: bool = True  #: evdev: take the scanner exclusively so keys don't leak elsewhere
    terminator: str = "\r"  #: what the scanner sends after each code
    baudrate: int = 9600  #: serial scanners: the port speed


@dataclass(frozen=True)
class PrinterConfig:
    """``[printer]``: the receipt printer."""

    driver: str = "file"  #: "none", "file", "usb", "serial" or "network"
    target: str = ""  #: device, address or folder; "" = for "file", receipts/ by the database
    profile: str = "default"  #: python-escpos printer profile name
    codepage: str = "cp858"  #: character code page the printer uses
    width: int = 42  #: characters per line (24-64)
    timeout: int = 5  #: seconds to wait for the printer (1-60)


@dataclass(frozen=True)
class DrawerConfig:
    """``[drawer]``: the cash drawer, kicked through the printer."""

    enabled: bool = False  #: whether there is a drawer to open
    pin: int = 2  #: drawer kick connector pin, 2 or 5
    pulse_ms: int = 120  #: length of the opening pulse in milliseconds (10-500)


@dataclass(frozen=True)
class DisplayConfig:
    """``[display]``: the customer-facing pole display."""

    driver: str = "none"  #: "none" or "serial"
    target: str = ""  #: serial port of the display
    command_set: str = "epson"  #: "epson" or "cd5220"
    ascii: bool = False  #: the till's own screen in ASCII (also by itself when TERM=linux)


@dataclass(frozen=True)
class TierConfig:
    """One entry of ``loyalty.tiers``: reached by spending ``min_spend`` in 12 months."""

    name: str  #: shown at the till, e.g. "Gold"
    min_spend: int  #: rolling 12-month spend to reach it, in minor units
    multiplier: int  #: points multiplier in hundredths, written "1.25" in the file


DEFAULT_TIERS = (
    TierConfig("Bronze", 0, 100),
    TierConfig("Silver", 30_000, 125),
    TierConfig("Gold", 100_000, 150),
)
"""The tiers used when ``loyalty.tiers`` is not given."""


@dataclass(frozen=True)
class LoyaltyConfig:
    """``[loyalty]``: points for known customers."""

    enabled: bool = True  #: whether loyalty points are collected
    points_per_unit: int = 1  #: points earned per whole currency unit spent
    point_value: int = 1  #: what one redeemed point pays, in minor units
    redeem_min_points: int = 100  #: a redemption uses at least this many points
    redeem_max_share: int = 50  #: percent of a sale's total that points may pay (1-100)
    category_multipliers: tuple[tuple[str, int], ...] = ()  #: (category, hundredths) pairs
    tiers: tuple[TierConfig, ...] = DEFAULT_TIERS  #: tiers, lowest spend first
    birthday_window_days: int = 7  #: the birthday reward is offered this many days around it
    birthday_points: int = 200  #: points given as the birthday reward, once a year (0 = none)


@dataclass(frozen=True)
class StaffConfig:
    """``[staff]``: log-in, lock-out and who may do what."""

    lock_after_idle_seconds: int = 300  #: lock the till after this long without a key (0 = never)
    max_pin_attempts: int = 5  #: wrong PINs in a row before the employee is locked out
    lockout_minutes: int = 15  #: how long a lock-out lasts (a manager can unlock sooner)
    discount_limit_percent: int = 10  #: larger discounts need a supervisor or manager
    key_file: str | None = None  #: the PIN key (pepper), default "pin.key" by the database
    denominations: tuple[str, ...] = (
        "500.00",
        "200.00",
        "100.00",
        "50.00",
        "20.00",
        "10.00",
        "5.00",
        "2.00",
        "1.00",
        "0.50",
        "0.20",
        "0.10",
        "0.05",
        "0.02",
        "0.01",
    )  #: notes and coins counted at the Z close, largest first
    permissions: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )  #: role -> actions that role may do alone, replacing the built-in list for that role


@dataclass(frozen=True)
class BarcodesConfig:
    """``[barcodes]``: in-store barcodes and limits on scanned quantities."""

    rules: tuple[tuple[str, str], ...] = (
        ("23.....{NNNDD}", "price"),
        ("21.....{NNDDD}", "weight"),
        ("24", "customer"),
    )  #: (pattern, kind) pairs; "." = any digit, {N..D..} = the encoded number
    max_quantity: int = 999  #: largest quantity accepted for one line (1-100000)
    max_weight_grams: int = 100000  #: largest weight accepted for one line, in grams


@dataclass(frozen=True)
class Config:
    """The whole configuration; ``Config()`` is the demo store."""

    store: StoreConfig = StoreConfig()  #: the shop
    taxes: tuple[TaxConfig, ...] = DEFAULT_TAXES  #: tax rates, from ``[[tax]]``
    database: DatabaseConfig = DatabaseConfig()  #: storage
    scanner: ScannerConfig = ScannerConfig()  #: barcode scanner
    printer: PrinterConfig = PrinterConfig()  #: receipt printer
    drawer: DrawerConfig = DrawerConfig()  #: cash drawer
    display: DisplayConfig = DisplayConfig()  #: customer display
    loyalty: LoyaltyConfig = LoyaltyConfig()  #: loyalty points
    staff: StaffConfig = StaffConfig()  #: staff log-in and permissions
    barcodes: BarcodesConfig = BarcodesConfig()  #: in-store barcodes and limits
    mail: MailConfig = MailConfig()  #: SMTP server for customer mail
    keymap: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({})
    )  #: binding id -> key, e.g. "tender-cash" -> "f5"; checked by the app
    source: Path | None = None  #: the file this was loaded from, None for defaults
