"""Reading the till's configuration: a TOML file into the frozen dataclasses of
:mod:`tui_pos.config.model`.

Every section and key is optional; a missing file (``load_config(None)``) gives the demo
store. Any problem raises :class:`ConfigError` naming the file, line and dotted key.
See ``config.example.toml`` at the repository root for every key with its default.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tui_pos.config.mail import MailConfig, parse_mail
from tui_pos.config.model import (
    ACTIONS,
    BARCODE_KINDS,
    DEFAULT_TAXES,
    DEFAULT_TIERS,
    ROLES,
    BarcodesConfig,
    Config,
    DatabaseConfig,
    DisplayConfig,
    DrawerConfig,
    LoyaltyConfig,
    PrinterConfig,
    ScannerConfig,
    StaffConfig,
    StoreConfig,
    TaxConfig,
    TierConfig,
)
from tui_pos.config.schema import (
    Source,
    Table,
    barcode_pattern_problem,
    describe,
    parse_rate,
    suggest,
)
from tui_pos.domain.errors import ConfigError


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
        card_reference_required=t.boolean("card_reference_required", d.card_reference_required),
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
        ascii=t.boolean("ascii", d.ascii),
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
