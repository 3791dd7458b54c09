"""The e-mail receipt as data: who asked for one, the address check, and the mail's
subject and bodies (the printed receipt's lines, as plain text and escaped HTML)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tui_pos.domain.customer import is_email_address
from tui_pos.domain.mail import MailError

#: A profile's preferences naming this (any case, with or without the hyphen) asks for
#: receipts by e-mail.
_ASKS = re.compile(r"\be-?mail receipts?\b", re.IGNORECASE)


def wants_email_receipts(preferences: str) -> bool:
    """Whether a customer's preferences ask for receipts by e-mail."""
    return _ASKS.search(preferences) is not None


def check_receipt_address(text: str) -> str:
    """The address as typed (spaces around it dropped), or MailError when it is not one
    e-mail address."""
    address = text.strip()
    if not address:
        raise MailError("Type the e-mail address the receipt goes to")
    if not is_email_address(address):
        raise MailError(f"{address[:60]!r} is not an e-mail address (name@example.org)")
    return address


def receipt_mail_parts(store_name: str, number: str, lines: Sequence[str]) -> tuple[str, str, str]:
    """(subject, text, html) of the receipt of sale ``number``."""
    from html import escape  # html loads its entity tables (0.3 MB): only when mailing

    subject = " ".join(f"Your receipt {number} from {store_name}".split())
    text = "\n".join(lines) + "\n"
    markup = "<pre>" + escape(text) + "</pre>\n"
    return subject, text, markup
