"""No payment card number is ever stored: ONE check for every free-text field.

A card number is 13-19 digits passing the Luhn check, however they are separated: a run
of digit groups joined by up to three characters that are neither letters nor digits
(``4111 1111 1111 1111``, ``4111/1111/...``, ``4111_...``, ``4111,...``, ``4111:...``,
double spaces, `` - ``). Every span of whole groups holding 13-19 digits is checked, so
a card followed by its expiry (``... 1111 12/27``) is found too. A single group longer
than 19 digits (up to 64) is checked window by window (a card glued to other digits).

Free text is the terminal's reference, a suspended sale's label, cash in/out reasons,
stock reasons, count notes and delivery references, a customer's name, notes,
preferences and loyalty card (a barcode card with a right check digit is a loyalty card),
an erasure's note, a promotion's name, and an online order's customer fields: each
refuses a card number (with :class:`CardNumberError`; the tender with its TenderError).
"""

from __future__ import annotations

import re

from tui_pos.domain.errors import DomainError

#: Digit groups joined by 1-3 characters that are not letters or digits.
_RUN = re.compile(r"\d+(?:[\W_]{1,3}\d+)*")
_GROUP = re.compile(r"\d+")
CARD_MIN_DIGITS, CARD_MAX_DIGITS = 13, 19
#: A digit group longer than this is not searched for a glued card (it is no card, and a
#: hostile 30,000-digit field must not cost seconds).
_LONGEST_GROUP = 64


class CardNumberError(DomainError):
    """Text that holds a payment card number: it is refused, never stored."""


def luhn_valid(digits: str) -> bool:
    """The Luhn check that card numbers pass."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _candidates(groups: list[str]) -> list[str]:
    found: list[str] = []
    for start, group in enumerate(groups):
        if len(group) > CARD_MAX_DIGITS:  # one long group: every window of card length
            if len(group) > _LONGEST_GROUP:
                continue
            found += [
                group[i : i + n]
                for n in range(CARD_MIN_DIGITS, CARD_MAX_DIGITS + 1)
                for i in range(len(group) - n + 1)
            ]
            continue
        digits = ""
        for following in groups[start:]:
            digits += following
            if len(digits) > CARD_MAX_DIGITS:
                break
            if len(digits) >= CARD_MIN_DIGITS:
                found.append(digits)
    return found


def looks_like_card_number(text: str) -> bool:
    """True if ``text`` holds a payment card number (see the module's docstring)."""
    for run in _RUN.finditer(text):
        groups = _GROUP.findall(run.group())
        if sum(len(g) for g in groups) < CARD_MIN_DIGITS:
            continue
        ascii_groups = ["".join(str(int(c)) for c in g) for g in groups]  # any script's digits
        if any(luhn_valid(c) for c in _candidates(ascii_groups)):
            return True
    return False


def refuse_card_number(text: str, what: str) -> None:
    """Raise CardNumberError if ``text`` (the field named ``what``) holds a card number."""
    if looks_like_card_number(text):
        raise CardNumberError(
            f"The {what} looks like it holds a payment card number, which is never stored: "
            "leave it out (two numbers that are not a card: put a word between them)"
        )
