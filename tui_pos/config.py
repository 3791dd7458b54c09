"""The till's configuration: a TOML file read into frozen dataclasses.

Every section and key is optional; a missing file (``load_config(None)``) gives the demo
store. Any problem raises :class:`ConfigError` naming the file, line and dotted key.
See ``config.example.toml`` at the repository root for every key with its default.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tui_pos.config_mail import MailConfig, parse_mail
from tui_pos.config_schema import (
    Source,
    Table,
    barcode_pattern_problem,
    describe,
    parse_rate,
    suggest,
)
from tui_pos.domain.errors import ConfigError
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


def _keys(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.init)


_SECTIONS: tuple[str, ...] = ("store", "tax", "database", "scanner", "printer", "drawer")
_SECTIONS += ("display", "loyalty", "staff", "barcodes", "keymap", "mail")


def _section(top: Table, key: str, cls: type | None) -> Table:
    allowed = _keys(cls) if cls is not None else None
    return Table(top.source, (key,), top.data.get(key, {}), allowed, f"[{key}]")


def _store(t: Table) -> StoreConfig:
    d = StoreConfig()
    return StoreConfig(
        name=t.string("name", d.name),
        address=t.strings("address", d.address),
        currency=t.string(
            "currency", d.currency, r"[A-Z]{3}", 'a 3-letter code in capitals like "EUR"'
        ),
        locale=t.string("locale", d.locale, r"\S+", 'a locale name like "en_GB"'),
        prices_include_tax=t.boolean("prices_include_tax", d.prices_include_tax),
        cash_rounding=t.integer(
            "cash_rounding", d.cash_rounding, choices=(1, 5, 10, 20, 25, 50, 100)
        ),
        till=t.string("till", d.till, r"[A-Za-z0-9_-]{1,16}", '1-16 letters, digits, "-" or "_"'),
        receipt_footer=t.strings("receipt_footer", d.receipt_footer),
        quick_cash=t.integers("quick_cash", d.quick_cash, low=1, max_items=6),
    )


def _taxes(top: Table) -> tuple[TaxConfig, ...]:
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
        t = Table(top.source, ("tax", index), item, _keys(TaxConfig), "[[tax]]")
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


def _database(t: Table) -> DatabaseConfig:
    path = t.optional_string("path", 'a file path like "till.db"')
    url = t.optional_string("url", 'a URL like "postgresql://user@host/db"')
    if path is not None and url is not None:
        raise t.error("url", "set either database.path or database.url, not both")
    d = DatabaseConfig()
    return DatabaseConfig(
        path=path,
        url=url,
        backup_dir=t.string("backup_dir", d.backup_dir),
        backup_keep=t.integer("backup_keep", d.backup_keep, 1, 1000),
        backup_on_z=t.boolean("backup_on_z", d.backup_on_z),
        busy_timeout_ms=t.integer("busy_timeout_ms", d.busy_timeout_ms, 100, 60_000),
    )


def _scanner(t: Table) -> ScannerConfig:
    d = ScannerConfig()
    return ScannerConfig(
        mode=t.choice("mode", d.mode, ("keyboard", "evdev", "serial", "none")),
        device=t.string("device", d.device),
        grab=t.boolean("grab", d.grab),
        terminator=t.string("terminator", d.terminator, r"(?s).+", 'a non-empty string like "\\r"'),
        baudrate=t.integer("baudrate", d.baudrate, 300, 4_000_000),
    )


def _printer(t: Table) -> PrinterConfig:
    d = PrinterConfig()
    return PrinterConfig(
        driver=t.choice("driver", d.driver, ("none", "file", "usb", "serial", "network")),
        target=t.string("target", d.target),
        profile=t.string("profile", d.profile),
        codepage=t.string("codepage", d.codepage),
        width=t.integer("width", d.width, 24, 64),
        timeout=t.integer("timeout", d.timeout, 1, 60),
    )


def _drawer(t: Table) -> DrawerConfig:
    d = DrawerConfig()
    return DrawerConfig(
        enabled=t.boolean("enabled", d.enabled),
        pin=t.integer("pin", d.pin, choices=(2, 5)),
        pulse_ms=t.integer("pulse_ms", d.pulse_ms, 10, 500),
    )


def _display(t: Table) -> DisplayConfig:
    d = DisplayConfig()
    return DisplayConfig(
        driver=t.choice("driver", d.driver, ("none", "serial")),
        target=t.string("target", d.target),
        command_set=t.choice("command_set", d.command_set, ("epson", "cd5220")),
    )


def _multiplier(t: Table, key: str | int, value: object) -> int:
    how = 'write it as a string, like "1.5" (x1.5) or "0" (earns nothing)'
    if isinstance(value, str):
        try:
            return parse_rate(value)  # the same grammar as a tax rate: up to 2 decimals
        except ValueError:
            pass
    raise t.error(key, f"expected a multiplier from 0 to 100, got {describe(value)}; {how}")


def _tiers(t: Table) -> tuple[TierConfig, ...]:
    items = t.array("tiers", max_items=10)
    if items is None:
        return DEFAULT_TIERS
    tiers: list[TierConfig] = []
    for index, item in enumerate(items):
        hint = '{ name = "Gold", min_spend = 100000, multiplier = "1.5" }'
        allowed = ("name", "min_spend", "multiplier")
        tier = Table(t.source, ("loyalty", "tiers", index), item, allowed, hint)
        name = tier.string("name", None, r"[^\x00-\x1f]{1,20}", "a name of 1-20 characters")
        if any(other.name.lower() == name.lower() for other in tiers):
            raise tier.error("name", f'duplicate tier name "{name}"')
        min_spend = tier.integer("min_spend", None, 0)  # type: ignore[arg-type]
        if tiers and min_spend <= tiers[-1].min_spend:
            raise tier.error("min_spend", "tiers must be listed from the lowest spend up")
        if "multiplier" not in tier.data:
            raise tier.missing("multiplier")
        multiplier = _multiplier(tier, "multiplier", tier.data["multiplier"])
        tiers.append(TierConfig(name, min_spend, multiplier))
    return tuple(tiers)


def _category_multipliers(t: Table) -> tuple[tuple[str, int], ...]:
    if "category_multipliers" not in t.data:
        return ()
    table = Table(
        t.source,
        ("loyalty", "category_multipliers"),
        t.data["category_multipliers"],
        None,
        '{ "Wine" = "2" }',
    )
    return tuple((str(k), _multiplier(table, k, v)) for k, v in table.data.items())


def _loyalty(t: Table) -> LoyaltyConfig:
    d = LoyaltyConfig()
    return LoyaltyConfig(
        enabled=t.boolean("enabled", d.enabled),
        points_per_unit=t.integer("points_per_unit", d.points_per_unit, 0, 1000),
        point_value=t.integer("point_value", d.point_value, 1, 10_000),
        redeem_min_points=t.integer("redeem_min_points", d.redeem_min_points, 0, 1_000_000),
        redeem_max_share=t.integer("redeem_max_share", d.redeem_max_share, 1, 100),
        category_multipliers=_category_multipliers(t),
        tiers=_tiers(t),
        birthday_window_days=t.integer("birthday_window_days", d.birthday_window_days, 0, 60),
        birthday_points=t.integer("birthday_points", d.birthday_points, 0, 1_000_000),
    )


def _staff(t: Table) -> StaffConfig:
    d = StaffConfig()
    denominations = t.strings("denominations", d.denominations)
    for index, text in enumerate(denominations):
        if not re.fullmatch(r"[0-9]{1,6}\.[0-9]{2}", text):
            raise t.source.error(
                ("staff", "denominations", index),
                f'expected an amount like "20.00" or "0.05", got {describe(text)}',
            )
    permissions: dict[str, tuple[str, ...]] = {}
    if "permissions" in t.data:
        roles = Table(t.source, ("staff", "permissions"), t.data["permissions"], ROLES, "roles")
        for role in roles.data:
            actions = roles.strings(role, ())
            for index, action in enumerate(actions):
                if action not in ACTIONS:
                    message = f"unknown action {describe(action)}" + suggest(action, ACTIONS)
                    raise t.source.error(("staff", "permissions", role, index), message)
            permissions[role] = actions
    return StaffConfig(
        lock_after_idle_seconds=t.integer(
            "lock_after_idle_seconds", d.lock_after_idle_seconds, 0, 86_400
        ),
        max_pin_attempts=t.integer("max_pin_attempts", d.max_pin_attempts, 1, 20),
        lockout_minutes=t.integer("lockout_minutes", d.lockout_minutes, 1, 1440),
        discount_limit_percent=t.integer(
            "discount_limit_percent", d.discount_limit_percent, 0, 100
        ),
        key_file=t.optional_string("key_file", "a file path"),
        denominations=denominations,
        permissions=MappingProxyType(permissions),
    )


def _barcodes(t: Table) -> BarcodesConfig:
    d = BarcodesConfig()
    rules = d.rules
    items = t.array("rules")
    if items is not None:
        parsed: list[tuple[str, str]] = []
        for index, item in enumerate(items):
            hint = '{ pattern = "23.....{NNNDD}", kind = "price" }'
            rule = Table(t.source, ("barcodes", "rules", index), item, ("pattern", "kind"), hint)
            pattern = rule.string("pattern", None)
            problem = barcode_pattern_problem(pattern)
            if problem is not None:
                raise rule.error("pattern", f"{problem}, got {describe(pattern)}")
            parsed.append((pattern, rule.choice("kind", None, BARCODE_KINDS)))
        rules = tuple(parsed)
    return BarcodesConfig(
        rules=rules,
        max_quantity=t.integer("max_quantity", d.max_quantity, 1, 100_000),
        max_weight_grams=t.integer("max_weight_grams", d.max_weight_grams, 1),
    )


def _keymap(t: Table) -> Mapping[str, str]:
    for key, value in t.data.items():
        if not isinstance(value, str) or not value.strip():
            message = f'expected a key name like "f5" or "ctrl+t", got {describe(value)}'
            raise t.error(key, message)
    return MappingProxyType(dict(t.data))


def parse_config(text: str, name: str = "config.toml", source: Path | None = None) -> Config:
    """Parse config text; ``name`` is used in error messages, ``source`` stored in the result."""
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(name, text, str(error)) from None
    except RecursionError:
        raise ConfigError(f"{name}: invalid TOML: values are nested too deeply") from None
    top = Table(Source(name, text), (), document, _SECTIONS, "the whole file")
    return Config(
        store=_store(_section(top, "store", StoreConfig)),
        taxes=_taxes(top),
        database=_database(_section(top, "database", DatabaseConfig)),
        scanner=_scanner(_section(top, "scanner", ScannerConfig)),
        printer=_printer(_section(top, "printer", PrinterConfig)),
        drawer=_drawer(_section(top, "drawer", DrawerConfig)),
        display=_display(_section(top, "display", DisplayConfig)),
        loyalty=_loyalty(_section(top, "loyalty", LoyaltyConfig)),
        staff=_staff(_section(top, "staff", StaffConfig)),
        barcodes=_barcodes(_section(top, "barcodes", BarcodesConfig)),
        mail=parse_mail(_section(top, "mail", MailConfig)),
        keymap=_keymap(_section(top, "keymap", None)),
        source=source,
    )


def _syntax_error(name: str, text: str, message: str) -> ConfigError:
    where = re.search(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$", message)
    if where is None:
        return ConfigError(f"{name}: invalid TOML syntax: {message}")
    reason = message[: where.start()]
    if where.group(1) is None:
        return ConfigError(
            f"{name} line {text.count(chr(10)) + 1}: invalid TOML syntax: {reason}"
            " (at the end of the file)"
        )
    line, column = where.group(1), where.group(2)
    return ConfigError(f"{name} line {line}: invalid TOML syntax: {reason} (column {column})")


def load_config(path: Path | None) -> Config:
    """Read the config file at ``path``; None gives the defaults (the demo store).

    Raises ConfigError if the file is missing, unreadable, not TOML or has a bad value.
    """
    if path is None:
        return Config()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config file: {error.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(f"{path} line {line}: the file is not valid UTF-8 text") from None
    return parse_config(text, str(path), path)


def _xdg_dir(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / fallback


def default_config_path() -> Path:
    """$TUI_POS_CONFIG if set, else $XDG_CONFIG_HOME/tui-pos/config.toml (~/.config/...)."""
    override = os.environ.get("TUI_POS_CONFIG", "")
    if override:
        return user_path(override, "TUI_POS_CONFIG")
    return _xdg_dir("XDG_CONFIG_HOME", ".config") / "tui-pos" / "config.toml"


def user_path(text: str, key: str) -> Path:
    """A path from the config with ``~`` expanded; a path that cannot exist is a ConfigError."""
    if "\x00" in text:
        raise ConfigError(f"{key}: a path cannot contain a NUL character")
    try:
        return Path(text).expanduser()
    except RuntimeError as exc:  # "~someone" for a user this machine does not have
        raise ConfigError(f"{key}: {text!r}: {exc} (no such user?)") from exc


def backup_dir(config: Config, db_path: Path) -> Path:
    """Where Z-close backups go: ``database.backup_dir`` (relative to the config file's
    folder), else a ``backups`` folder next to the database."""
    if not config.database.backup_dir:
        return db_path.parent / "backups"
    path = user_path(config.database.backup_dir, "database.backup_dir")
    if not path.is_absolute():
        base = config.source.parent if config.source is not None else Path.cwd()
        path = base / path
    return path


def pin_key_path(config: Config, db_path: Path) -> Path:
    """The PIN key file: ``staff.key_file`` (relative to the config file's folder), else
    ``pin.key`` next to the database (backups of the database do not contain it)."""
    if not config.staff.key_file:
        return db_path.parent / "pin.key"
    path = user_path(config.staff.key_file, "staff.key_file")
    if not path.is_absolute():
        base = config.source.parent if config.source is not None else Path.cwd()
        path = base / path
    return path


def database_path(config: Config) -> Path:
    """The SQLite file to use: ``database.path`` (relative to the config file's folder),
    else $XDG_DATA_HOME/tui-pos/till.db (~/.local/share/tui-pos/till.db).

    Raises ConfigError when ``database.url`` is set instead (no local file then).
    """
    if config.database.url is not None:
        raise ConfigError("database.url is set: the database is a server, not a local file")
    if config.database.path is None:
        return _xdg_dir("XDG_DATA_HOME", ".local/share") / "tui-pos" / "till.db"
    path = user_path(config.database.path, "database.path")
    if not path.is_absolute():
        base = config.source.parent if config.source is not None else Path.cwd()
        path = base / path
    return path.absolute()
