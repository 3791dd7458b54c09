"""Customer mail as data: campaign templates, their fields, unsubscribe tokens, retries.

A template file is plain text::

    Subject: {{first_name}}, 10% off this week
    <blank line>
    the plain-text body ...
    --- html ---
    the HTML body ...

Fields are ``{{name}}``; only :data:`FIELDS` exist, and every mail must carry
``{{unsubscribe}}`` in both bodies. Values are inserted as text in the plain part and
HTML-escaped in the HTML part (a customer's name can never become markup).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from tui_pos.domain.errors import DomainError

#: The fields a template may use, and what they hold.
FIELDS: dict[str, str] = {
    "name": "the customer's name",
    "first_name": "the first word of the customer's name",
    "email": "the address the mail goes to",
    "card": "the loyalty card number",
    "points": "the points balance",
    "tier": "the current tier (empty when none)",
    "coupon": "the personal coupon code (needs --coupon-percent or --coupon-amount)",
    "coupon_value": "what the coupon takes off, e.g. 10% or 5.00",
    "unsubscribe": "the unsubscribe token (required)",
    "store": "the store's name",
}

#: Fields that may be empty for a customer (the others must have a value).
OPTIONAL_FIELDS = frozenset({"tier", "card"})

_FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_HTML_MARK = re.compile(r"^---\s*html\s*---\s*$", re.MULTILINE | re.IGNORECASE)
_TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I look-alikes
_TOKEN = re.compile(rf"U[{_TOKEN_ALPHABET}]{{20}}")


class MailError(DomainError):
    """A template, address, token or mail request that is refused."""


@dataclass(frozen=True)
class MailTemplate:
    """A parsed campaign template."""

    subject: str
    text: str
    html: str

    @property
    def fields(self) -> frozenset[str]:
        """Every field the template refers to."""
        found: set[str] = set()
        for part in (self.subject, self.text, self.html):
            found.update(m.group(1) for m in _FIELD.finditer(part))
        return frozenset(found)

    def render(self, values: Mapping[str, str]) -> tuple[str, str, str]:
        """(subject, text, html) with the values put in; a field without a value (other
        than the optional ones) is refused."""
        missing = sorted(f for f in self.fields if not values.get(f) and f not in OPTIONAL_FIELDS)
        if missing:
            raise MailError("no value for " + ", ".join("{{" + f + "}}" for f in missing))

        from html import escape as html_escape  # html loads its entity tables: only here

        def fill(text: str, escape: bool) -> str:
            def one(match: re.Match[str]) -> str:
                value = values.get(match.group(1), "")
                return html_escape(value) if escape else value

            return _FIELD.sub(one, text)

        subject = " ".join(fill(self.subject, False).split())  # no header injection
        return subject, fill(self.text, False), fill(self.html, True)


def parse_template(text: str, name: str = "template") -> MailTemplate:
    """Read a template file's text; unknown fields, a missing subject or body, or no
    ``{{unsubscribe}}`` in each body are refused with the line of the problem."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or not lines[0].lower().startswith("subject:"):
        raise MailError(f"{name} line 1: the first line must be 'Subject: ...'")
    subject = lines[0][len("subject:") :].strip()
    if not subject:
        raise MailError(f"{name} line 1: the subject is empty")
    body = "\n".join(lines[1:]).lstrip("\n")
    parts = _HTML_MARK.split(body, maxsplit=1)
    if len(parts) != 2:
        raise MailError(f"{name}: no '--- html ---' line before the HTML body")
    plain, markup = parts[0].strip("\n") + "\n", parts[1].strip("\n") + "\n"
    for number, line in enumerate(lines, start=1):
        for match in _FIELD.finditer(line):
            field = match.group(1)
            if field not in FIELDS:
                raise MailError(
                    f"{name} line {number}: unknown field {{{{{field}}}}} (known: "
                    + ", ".join(FIELDS)
                    + ")"
                )
    for label, part in (("plain-text", plain), ("HTML", markup)):
        if not plain.strip() or not markup.strip():
            raise MailError(f"{name}: the {label} body is empty")
        if "unsubscribe" not in {m.group(1) for m in _FIELD.finditer(part)}:
            raise MailError(f"{name}: the {label} body must hold {{{{unsubscribe}}}}")
    return MailTemplate(subject, plain, markup)


def new_unsubscribe_token() -> str:
    """A random token: ``U`` and 20 characters without look-alikes (100 bits)."""
    return "U" + "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(20))


def check_unsubscribe_token(text: str) -> str:
    """The token as typed (spaces and case forgiven), or MailError when malformed."""
    token = "".join(text.split()).upper()
    if not _TOKEN.fullmatch(token):
        raise MailError(
            f"{text.strip()[:40]!r} is not an unsubscribe token (U and 20 letters/digits)"
        )
    return token


def first_name(name: str) -> str:
    """The first word of a name."""
    words = name.split()
    return words[0] if words else ""


def next_attempt(now: datetime, attempts: int, retry_seconds: int) -> datetime:
    """When to try again after ``attempts`` failures: ``retry_seconds`` doubling, at most
    a day apart."""
    delay = min(retry_seconds * 2 ** max(attempts - 1, 0), 86_400)
    return now + timedelta(seconds=delay)


@dataclass(frozen=True)
class OutgoingMail:
    """One message as the transport sends it."""

    outbox_id: int
    recipient: str
    subject: str
    text: str
    html: str
    headers: Mapping[str, str]
    message_id: str
    attempts: int = 0  #: failed attempts so far
