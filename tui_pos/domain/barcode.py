"""The till's one barcode parser: GTIN check digits, UPC-E, PLUs, in-store rules, internal codes.

Everything a scanner or the keyboard sends goes through :class:`BarcodeParser`. GTINs are
normalised to 14 digits (the lookup key); :func:`display_gtin` gives the usual short form back.
In-store rules use Odoo nomenclature pattern syntax, e.g. ``23.....{NNNDD}`` for price-embedded
codes. Every refusal is a :class:`BarcodeError` whose message a cashier can read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

from tui_pos.domain.errors import BarcodeError

ScanKind = Literal["product", "plu", "price", "weight", "customer", "employee", "receipt", "coupon"]

_RULE_KINDS: frozenset[str] = frozenset(get_args(ScanKind)) - {"product", "plu"}
_VALUE_KINDS: frozenset[str] = frozenset({"price", "weight"})
_GTIN_LENGTHS: frozenset[int] = frozenset({8, 12, 13, 14})
_DIGITS = re.compile(r"[0-9]+")
_INTERNAL = re.compile(r"[A-Za-z0-9._/-]+")
_AIM_PREFIX = re.compile(r"\][A-Za-z][0-9]")
#: Exactly the characters of Unicode category Cc (C0 controls, DEL, C1 controls).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_PATTERN = re.compile(r"([0-9.]*)(?:\{(N*D*)\})?([0-9.]*)")
_SHOWN_MAX = 29
_RULE_POSITIONS = 12


def _shown(code: str) -> str:
    """``code`` as it may appear in a message: printable, at most ~29 characters."""
    text = "".join(c if c.isprintable() else "?" for c in code)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def _is_digits(text: str) -> bool:
    """True if ``text`` is one or more ASCII digits (``str.isdigit`` also accepts other scripts)."""
    return _DIGITS.fullmatch(text) is not None


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of ``body`` (the code without its check digit).

    Weights are 3, 1, 3, ... starting from the rightmost digit of the body.
    Raises ValueError if ``body`` is not one or more ASCII digits.
    """
    if not _is_digits(body):
        raise ValueError(f"check digit body must be ASCII digits, got {body!r}")
    digits = body[::-1]
    total = 3 * sum(map(int, digits[0::2])) + sum(map(int, digits[1::2]))
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """True if ``code`` is an EAN-8, UPC-A, EAN-13 or GTIN-14 with a correct check digit."""
    return (
        len(code) in _GTIN_LENGTHS
        and _is_digits(code)
        and gtin_check_digit(code[:-1]) == int(code[-1])
    )


def _bad_check(code: str, expected: int | str) -> BarcodeError:
    return BarcodeError(f"Bad check digit in {_shown(code)} (expected {expected})")


def expand_upce(code: str) -> str:
    """Expand a UPC-E code to its 12-digit UPC-A form.

    Accepts 6 digits (number system 0 assumed, check digit computed), 7 digits (number
    system + 6 digits, check digit computed) or 8 digits (number system + 6 digits + check
    digit, which must match). Raises BarcodeError on anything else.
    """
    if not _is_digits(code) or len(code) not in (6, 7, 8):
        raise BarcodeError(f"Not a UPC-E code: {_shown(code)} (need 6, 7 or 8 digits)")
    if len(code) == 6:
        code = "0" + code
    ns, d = code[0], code[1:7]
    if ns not in "01":
        raise BarcodeError(f"Not a UPC-E code: {_shown(code)} (must start with 0 or 1)")
    last = d[5]
    if last in "012":
        body = ns + d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = ns + d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = ns + d[0:4] + "00000" + d[4]
    else:
        body = ns + d[0:5] + "0000" + last
    check = gtin_check_digit(body)
    if len(code) == 8 and int(code[7]) != check:
        raise _bad_check(code, check)
    return body + str(check)


def _upce_check(code8: str) -> int | None:
    """The check digit ``code8`` would need as UPC-E, or None if it cannot be UPC-E."""
    if code8[0] not in "01":
        return None
    return int(expand_upce(code8[:7])[-1])


def normalize_gtin(code: str, *, upce: bool = False) -> str:
    """Any valid EAN-8, UPC-A, EAN-13 or GTIN-14 as a 14-digit GTIN string.

    With ``upce=True`` UPC-E codes are accepted too: 6 or 7 digits always, and 8 digits
    when they are not a valid EAN-8 but are a valid UPC-E. Raises BarcodeError otherwise.
    """
    code = code.strip()
    if upce and _is_digits(code) and len(code) in (6, 7):
        return "00" + expand_upce(code)
    if not _is_digits(code) or len(code) not in _GTIN_LENGTHS:
        raise BarcodeError(f"Not a GTIN: {_shown(code)} (need 8, 12, 13 or 14 digits)")
    if is_valid_gtin(code):
        return code.zfill(14)
    expected = gtin_check_digit(code[:-1])
    if upce and len(code) == 8:
        upce_check = _upce_check(code)
        if upce_check == int(code[-1]):
            return "00" + expand_upce(code)
        if upce_check is not None:
            raise _bad_check(code, f"{expected} as EAN-8, {upce_check} as UPC-E")
    raise _bad_check(code, expected)


def display_gtin(gtin14: str) -> str:
    """The usual short form of a 14-digit GTIN: EAN-8 if it has 6 leading zeros, else the
    13 digits after a leading zero, else all 14 digits. Raises ValueError if not 14 digits.
    """
    if len(gtin14) != 14 or not _is_digits(gtin14):
        raise ValueError(f"expected a 14-digit GTIN, got {gtin14!r}")
    if gtin14.startswith("000000"):
        return gtin14[6:]
    if gtin14.startswith("0"):
        return gtin14[1:]
    return gtin14


@dataclass(frozen=True)
class _CompiledRule:
    """A rule ready to match: one entry per position (a digit, or None for any digit)."""

    kind: ScanKind
    positions: tuple[str | None, ...]
    value_start: int
    int_digits: int
    dec_digits: int
    #: The fixed digits of ``positions`` as (index, digit): all a match needs to compare.
    fixed: tuple[tuple[int, str], ...] = ()


def _compile(pattern: str, kind: ScanKind) -> _CompiledRule:
    """Check a nomenclature pattern and compile it for matching (ValueError if bad)."""
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"barcode rule pattern must be a non-empty string, got {pattern!r}")
    if kind not in _RULE_KINDS:
        allowed = ", ".join(sorted(_RULE_KINDS))
        raise ValueError(f"barcode rule kind must be one of {allowed}, got {kind!r}")
    found = _PATTERN.fullmatch(pattern)
    if found is None:
        raise ValueError(
            f"bad barcode rule pattern {pattern!r}: use digits, '.' for any digit and at most "
            "one value field like {NNNDD} (N before D)"
        )
    head, field, tail = found.group(1), found.group(2), found.group(3)
    if field == "":
        raise ValueError(f"bad barcode rule pattern {pattern!r}: empty value field {{}}")
    field = field or ""
    if kind in _VALUE_KINDS and not field:
        raise ValueError(f"{kind} rule {pattern!r} needs a value field like {{NNNDD}}")
    if kind not in _VALUE_KINDS and field:
        raise ValueError(f"{kind} rule {pattern!r} cannot have a value field (price/weight only)")
    size = len(head) + len(field) + len(tail)
    if size > _RULE_POSITIONS:
        raise ValueError(
            f"barcode rule pattern {pattern!r} covers {size} digits; at most 12 "
            "(the 13th digit is the check digit)"
        )
    positions = tuple(None if c in ".ND" else c for c in head + field + tail)
    fixed = tuple((i, p) for i, p in enumerate(positions) if p is not None)
    return _CompiledRule(kind, positions, len(head), field.count("N"), field.count("D"), fixed)


@dataclass(frozen=True)
class BarcodeRule:
    """One in-store rule in Odoo nomenclature pattern syntax, e.g. "23.....{NNNDD}" kind "price".

    The pattern is matched from the first digit of the 13-digit form of a code: ``.`` is any
    digit, a digit must match, ``{N...D...}`` is the embedded value (N integer digits, then D
    decimal digits). It covers at most the first 12 digits; shorter patterns leave the rest
    free. Price and weight rules need a value field; the other kinds may not have one.
    """

    pattern: str
    kind: ScanKind

    def __post_init__(self) -> None:
        """Refuse a malformed pattern or a kind that is not a rule kind (ValueError)."""
        _compile(self.pattern, self.kind)


@dataclass(frozen=True)
class ScannedCode:
    """What a scan means: its kind, the key to look it up by, and any embedded value.

    ``code`` is a 14-digit GTIN for products with a GTIN and for price/weight codes (the base
    code, value digits zeroed), the PLU without leading zeros, the 13 digits for customer,
    employee, receipt and coupon codes, or the uppercased text for internal codes.
    """

    kind: ScanKind
    code: str
    raw: str
    value: Decimal | None = None


def _match(rule: _CompiledRule, code13: str) -> bool:
    return all(code13[i] == digit for i, digit in rule.fixed)


class BarcodeParser:
    """Turns scanned or typed text into a :class:`ScannedCode`, or raises BarcodeError.

    ``rules`` are tried in order on codes with a GTIN (first match wins). All-digit input of
    at most ``plu_max_digits`` digits (0 to 7; 0 disables PLUs) is a PLU.
    """

    def __init__(
        self,
        rules: Sequence[BarcodeRule] = (),
        *,
        max_length: int = 48,
        plu_max_digits: int = 6,
    ) -> None:
        """Compile ``rules``; ValueError if ``max_length`` < 14 or ``plu_max_digits`` not 0..7."""
        if max_length < 14:
            raise ValueError(f"max_length must be at least 14, got {max_length}")
        if not 0 <= plu_max_digits <= 7:
            raise ValueError(f"plu_max_digits must be between 0 and 7, got {plu_max_digits}")
        self._rules = tuple(_compile(rule.pattern, rule.kind) for rule in rules)
        self._max_length = max_length
        self._plu_max_digits = plu_max_digits

    def parse(self, text: str) -> ScannedCode:
        """Parse one scan or typed code; BarcodeError if it cannot be used.

        Surrounding whitespace and an AIM prefix (``]E0``...) are dropped. 1 to
        ``plu_max_digits`` digits: a PLU. 8, 12, 13 or 14 digits: a GTIN (8 digits that are not
        a valid EAN-8 may be UPC-E), matched against the rules, else a product by GTIN-14.
        Other digit strings and internal codes (letters, digits, - . _ /): a product, uppercased.
        """
        text = text.strip()
        if not text:
            raise BarcodeError("Nothing scanned")
        if _CONTROL.search(text):
            raise BarcodeError(f"Scanned code contains a control character: {_shown(text)}")
        if _AIM_PREFIX.match(text):
            text = text[3:]
            if not text:
                raise BarcodeError("Nothing scanned")
        if len(text) > self._max_length:
            raise BarcodeError(
                f"Code too long ({len(text)} characters, at most {self._max_length}): "
                f"{_shown(text)}"
            )
        if not _is_digits(text):
            if _INTERNAL.fullmatch(text) is None:
                raise BarcodeError(
                    f"Cannot read code {_shown(text)}: use only letters, digits and - . _ /"
                )
            return ScannedCode("product", text.upper(), text)
        if len(text) <= self._plu_max_digits:
            return ScannedCode("plu", text.lstrip("0") or "0", text)
        if len(text) not in _GTIN_LENGTHS:
            return ScannedCode("product", text, text)
        gtin = normalize_gtin(text, upce=True)
        if gtin[0] == "0":
            code13 = gtin[1:]
            for rule in self._rules:
                if _match(rule, code13):
                    return self._ruled(rule, code13, text)
        return ScannedCode("product", gtin, text)

    @staticmethod
    def _ruled(rule: _CompiledRule, code13: str, raw: str) -> ScannedCode:
        """The ScannedCode for ``code13`` matched by ``rule``."""
        if rule.kind not in _VALUE_KINDS:
            return ScannedCode(rule.kind, code13, raw)
        start, end = rule.value_start, rule.value_start + rule.int_digits + rule.dec_digits
        value = Decimal(code13[start:end]).scaleb(-rule.dec_digits)
        body = code13[:start] + "0" * (end - start) + code13[end:12]
        return ScannedCode(rule.kind, "0" + body + str(gtin_check_digit(body)), raw, value)
