"""``[mail]``: the SMTP server customer mail (e-mail receipts, campaigns) goes through.

Kept apart from ``reader.py``; ``parse_config`` calls
:func:`parse_mail` for the section.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_pos.config.schema import Table
from tui_pos.domain.customer import is_email_address

#: How the connection to the server is secured.
MAIL_SECURITY = ("starttls", "tls", "none")


@dataclass(frozen=True)
class MailConfig:
    """``[mail]``: no host means no mail is sent (it stays queued)."""

    host: str = ""  #: SMTP server name or address ("" = mail off: it waits in the outbox)
    port: int = 587  #: 587 for STARTTLS, 465 for TLS, 25 for plain
    security: str = "starttls"  #: "starttls", "tls" (implicit TLS) or "none"
    user: str = ""  #: log-in name ("" = no log-in)
    password_file: str | None = None  #: a file holding the password (owner-only)
    password_env: str | None = None  #: or the environment variable holding it
    sender: str = ""  #: the From address, e.g. "Corner Shop <shop@example.org>"
    rate_per_minute: int = 30  #: at most this many mails a minute
    max_attempts: int = 8  #: a mail that failed this many times is given up
    retry_seconds: int = 60  #: wait before the first retry (doubling each time)
    timeout_seconds: int = 10  #: network timeout of one SMTP conversation


def parse_mail(t: Table) -> MailConfig:
    """Read and check the ``[mail]`` table."""
    d = MailConfig()
    sender = t.string("sender", d.sender)
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip() if sender else ""
    if sender and not is_email_address(address):
        raise t.error("sender", f"not an e-mail address: {address!r}")
    host = t.string("host", d.host)
    if host and not sender:
        raise t.error("host", 'a mail server needs a sender: add sender = "shop@example.org"')
    return MailConfig(
        host=host,
        port=t.integer("port", d.port, 1, 65535),
        security=t.choice("security", d.security, MAIL_SECURITY),
        user=t.string("user", d.user),
        password_file=t.optional_string("password_file", "a file path"),
        password_env=t.optional_string("password_env", "an environment variable name"),
        sender=sender,
        rate_per_minute=t.integer("rate_per_minute", d.rate_per_minute, 1, 10_000),
        max_attempts=t.integer("max_attempts", d.max_attempts, 1, 100),
        retry_seconds=t.integer("retry_seconds", d.retry_seconds, 1, 86_400),
        timeout_seconds=t.integer("timeout_seconds", d.timeout_seconds, 1, 300),
    )
