"""``[staff]`` and ``[barcodes]``: log-in, lock-out and permissions; in-store barcodes.

Each key is declared once with :func:`~tui_pos.config.keys.setting`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tui_pos.config.keys import setting
from tui_pos.config.schema import Table, barcode_pattern_problem, describe, suggest
from tui_pos.domain.staff import Action, Role

ROLES = tuple(r.value for r in Role)
ACTIONS = tuple(a.value for a in Action)

BARCODE_KINDS = ("price", "weight", "customer", "employee", "receipt", "coupon")
"""What an in-store barcode rule can encode."""

DENOMINATIONS: tuple[str, ...] = ("500.00", "200.00", "100.00", "50.00", "20.00", "10.00", "5.00")
DENOMINATIONS += ("2.00", "1.00", "0.50", "0.20", "0.10", "0.05", "0.02", "0.01")


def _denominations(t: Table) -> tuple[str, ...]:
    denominations = t.strings("denominations", DENOMINATIONS)
    for index, text in enumerate(denominations):
        if not re.fullmatch(r"[0-9]{1,6}\.[0-9]{2}", text):
            raise t.source.error(
                ("staff", "denominations", index),
                f'expected an amount like "20.00" or "0.05", got {describe(text)}',
            )
    return denominations


def _permissions(t: Table) -> Mapping[str, tuple[str, ...]]:
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
    return MappingProxyType(permissions)


@dataclass(frozen=True)
class StaffConfig:
    """``[staff]``: log-in, lock-out and who may do what."""

    lock_after_idle_seconds: int = setting(
        300,
        help="Lock the till after this many seconds without a key press (0 = never).",
        low=0,
        high=86_400,
    )
    max_pin_attempts: int = setting(
        5, help="Wrong PINs in a row before an employee is locked out.", low=1, high=20
    )
    lockout_minutes: int = setting(
        15,
        help="How long a lock-out lasts, in minutes (a manager can unlock sooner).",
        low=1,
        high=1440,
    )
    discount_limit_percent: int = setting(
        10, help="Discounts above this percent need a supervisor or manager.", low=0, high=100
    )
    key_file: str | None = setting(
        None,
        help="The PIN key (a secret that PIN hashes are keyed with), kept outside the database."
        "\nDefault: pin.key next to the database. Keep it with the till: without it no PIN"
        " works.",
        what="a file path",
        example='# key_file = "pin.key"',
        allowed="a file path",
    )
    denominations: tuple[str, ...] = setting(
        DENOMINATIONS,
        help="Notes and coins counted at the Z close, largest first.",
        read=_denominations,
        example='denominations = ["500.00", "200.00", "100.00", "50.00", "20.00", "10.00",'
        ' "5.00",\n                 "2.00", "1.00", "0.50", "0.20", "0.10", "0.05", "0.02",'
        ' "0.01"]',
        allowed='amounts like "20.00"',
    )
    permissions: Mapping[str, tuple[str, ...]] = setting(
        factory=lambda: MappingProxyType({}),
        help="Who may do what alone (otherwise a manager approves with their PIN). A role"
        " listed here replaces its built-in list. Actions: "
        + ", ".join(ACTIONS)
        + ". Built in: cashier = void_line, x_report; supervisor = those and void_sale,"
        " discount_over_limit, price_override, refund, return_without_receipt, no_sale,"
        " cash_in_out, z_close, reports; manager = everything.",
        read=_permissions,
        example='# [staff.permissions]\n# cashier = ["void_line", "x_report", "no_sale"]',
        allowed="role = [actions]",
    )


BARCODE_RULES = (("23.....{NNNDD}", "price"), ("21.....{NNDDD}", "weight"), ("24", "customer"))
"""The in-store barcodes used when ``barcodes.rules`` is not given."""


def _rules(t: Table) -> tuple[tuple[str, str], ...]:
    items = t.array("rules")
    if items is None:
        return BARCODE_RULES
    parsed: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        hint = '{ pattern = "23.....{NNNDD}", kind = "price" }'
        rule = Table(t.source, ("barcodes", "rules", index), item, ("pattern", "kind"), hint)
        pattern = rule.string("pattern", None)
        problem = barcode_pattern_problem(pattern)
        if problem is not None:
            raise rule.error("pattern", f"{problem}, got {describe(pattern)}")
        parsed.append((pattern, rule.choice("kind", None, BARCODE_KINDS)))
    return tuple(parsed)


@dataclass(frozen=True)
class BarcodesConfig:
    """``[barcodes]``: in-store barcodes and limits on scanned quantities."""

    rules: tuple[tuple[str, str], ...] = setting(
        BARCODE_RULES,
        help="In-store barcodes (from scales or price labels). A pattern is up to 12"
        ' characters:\ndigits must match, "." matches any digit, and one {...} group of N'
        " (whole) then\nD (decimal) letters holds the encoded number. kind is one of: "
        + ", ".join(BARCODE_KINDS)
        + '.\n"23.....{NNNDD}": 23, a 5-digit item code, then a price like 012.50.\n'
        '"21.....{NNDDD}": 21, a 5-digit item code, then a weight in kg like 01.250.\n'
        '"24": loyalty cards (any EAN-13 starting with 24); scanning one attaches the'
        " customer.",
        read=_rules,
        example="rules = [\n"
        '    { pattern = "23.....{NNNDD}", kind = "price" },\n'
        '    { pattern = "21.....{NNDDD}", kind = "weight" },\n'
        '    { pattern = "24", kind = "customer" },\n'
        "]",
        allowed="{ pattern, kind } entries",
    )
    max_quantity: int = setting(
        999, help="Largest quantity accepted on one line (1-100000).", low=1, high=100_000
    )
    max_weight_grams: int = setting(
        100_000, help="Largest weight accepted on one line, in grams.", low=1
    )
