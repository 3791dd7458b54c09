"""Customers: the profile a shop keeps, how it is checked, and what the till shows of it.

A profile holds personal data (name, phone, email, birthday, notes, preferences); sales
refer to it only by id. Erasing a customer clears the personal data and keeps the id, the
points ledger and the sales the books need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from tui_pos.domain.barcode import is_valid_gtin
from tui_pos.domain.card_numbers import looks_like_card_number, refuse_card_number
from tui_pos.domain.errors import DomainError

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE_CHARS = re.compile(r"\+?[0-9 ()./-]+")
_CARD = re.compile(r"[A-Za-z0-9-]{4,32}")

#: What an erased profile is called (the sales and the ledger keep pointing at it).
ERASED_NAME = "(erased)"


class CustomerError(DomainError):
    """A customer action refused or a profile field that is not valid."""


@dataclass(frozen=True)
class CustomerDetails:
    """The editable part of a profile."""

    name: str
    phone: str = ""
    email: str = ""
    birthday: date | None = None
    notes: str = ""
    preferences: str = ""
    marketing_consent: bool = False
    card: str | None = None  #: the loyalty card's number (13 digits for a barcode card)


@dataclass(frozen=True)
class Customer:
    """A stored profile."""

    id: int
    uuid: str
    details: CustomerDetails
    created_at: datetime
    erased: bool = False

    @property
    def name(self) -> str:
        """The name shown at the till."""
        return self.details.name


def is_email_address(text: str) -> bool:
    """Whether ``text`` reads as one e-mail address (something@domain.tld, at most 120
    characters, no spaces)."""
    return len(text) <= 120 and _EMAIL.fullmatch(text) is not None


def phone_digits(text: str) -> str:
    """The digits of a phone number (what search compares): ``+44 (0)20-7946`` -> ``44020 7946``
    without the spaces."""
    return "".join(c for c in text if c.isascii() and c.isdigit())


def check_details(details: CustomerDetails) -> CustomerDetails:
    """A cleaned copy of ``details``; CustomerError names the first bad field."""
    name = " ".join(details.name.split())
    if not name:
        raise CustomerError("A customer needs a name")
    if len(name) > 80 or not name.isprintable():
        raise CustomerError("The name must be up to 80 printable characters")
    phone = details.phone.strip()
    if phone and (not _PHONE_CHARS.fullmatch(phone) or not 5 <= len(phone_digits(phone)) <= 15):
        raise CustomerError(f"Not a phone number: {phone!r} (5-15 digits)")
    email = details.email.strip()
    if email and not is_email_address(email):
        raise CustomerError(f"Not an email address: {email!r}")
    card = check_card(details.card.strip()) if details.card else None
    for label, text in (("notes", details.notes), ("preferences", details.preferences)):
        if len(text) > 1000:
            raise CustomerError(f"The {label} are longer than 1000 characters")
    for label, text in (
        ("name", name),
        ("notes", details.notes),
        ("preferences", details.preferences),
    ):
        refuse_card_number(text, label)
    if details.birthday is not None and not 1900 <= details.birthday.year <= 2100:
        raise CustomerError("The birthday's year must be between 1900 and 2100")
    return CustomerDetails(
        name=name,
        phone=phone,
        email=email,
        birthday=details.birthday,
        notes=details.notes.strip(),
        preferences=details.preferences.strip(),
        marketing_consent=details.marketing_consent,
        card=card or None,
    )


def check_card(card: str) -> str:
    """A loyalty card's number as given, or CustomerError: 4-32 letters, digits or -; a
    barcode card (12-14 digits) with its right check digit; never a payment card."""
    if not _CARD.fullmatch(card):
        raise CustomerError(f"Not a card number: {card!r} (4-32 letters, digits or -)")
    barcode = card.isdigit() and len(card) in (12, 13, 14)
    if barcode and not is_valid_gtin(card):
        raise CustomerError(f"Card {card}: wrong check digit (mistyped? scan it instead)")
    if not barcode and looks_like_card_number(card):
        refuse_card_number(card, "loyalty card")
    return card


def parse_birthday(text: str) -> date | None:
    """``1984-02-29`` (empty: no birthday); CustomerError otherwise."""
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise CustomerError(f"Not a date like 1984-02-29: {cleaned!r}") from None


def parse_quick_customer(text: str) -> CustomerDetails:
    """What the cashier types to create a customer during a sale: ``name, phone``
    (the phone is optional; a comma separates them)."""
    name, _, phone = text.partition(",")
    return check_details(CustomerDetails(name=name, phone=phone))


@dataclass(frozen=True)
class CustomerStats:
    """A customer's visits and spend, as segments and the profile use them."""

    customer_id: int
    visits: int
    spend_cents: int
    last_visit: datetime | None
    spend_12m_cents: int
    balance: int

    @property
    def average_basket_cents(self) -> int:
        """Spend per visit (0 without visits), rounded down."""
        return self.spend_cents // self.visits if self.visits else 0


@dataclass(frozen=True)
class VisitSummary:
    """One past sale in a profile's history."""

    number: str  #: the sale's number, or the web order's id
    created_at: datetime
    total_cents: int
    items: int
    channel: str = "till"  #: ``till`` or ``web`` (an online order)


@dataclass(frozen=True)
class LedgerRow:
    """One points ledger row as a profile lists it."""

    created_at: datetime
    kind: str
    points: int
    sale_number: str
