"""``[mail]``: the SMTP server customer mail (e-mail receipts, campaigns) goes through.

Each key is declared once with :func:`~tui_pos.config.keys.setting`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_pos.config.keys import setting
from tui_pos.config.schema import Table

#: How the connection to the server is secured.
MAIL_SECURITY = ("starttls", "tls", "none")


def _sender(t: Table) -> str:
    from tui_pos.domain.customer import is_email_address  # (every command reads the config)

    sender = t.string("sender", "")
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip() if sender else ""
    if sender and not is_email_address(address):
        raise t.error("sender", f"not an e-mail address: {address!r}")
    return sender


def _host(t: Table) -> str:
    host = t.string("host", "")
    if host and not _sender(t):
        raise t.error("host", 'a mail server needs a sender: add sender = "shop@example.org"')
    return host


@dataclass(frozen=True)
class MailConfig:
    """``[mail]``: no host means no mail is sent (it stays queued)."""

    host: str = setting(
        "",
        help='SMTP server name or address ("" = mail off: it waits in the outbox).',
        read=_host,
        allowed="a host name; needs sender",
    )
    port: int = setting(587, help="587 for STARTTLS, 465 for TLS, 25 for plain.", low=1, high=65535)
    security: str = setting(
        "starttls",
        help='"starttls", "tls" (implicit TLS) or "none".',
        choices=MAIL_SECURITY,
    )
    user: str = setting("", help='Log-in name ("" = no log-in).')
    password_file: str | None = setting(
        None, help="A file holding the password (owner-only).", what="a file path"
    )
    password_env: str | None = setting(
        None,
        help="Or the environment variable holding the password.",
        what="an environment variable name",
    )
    sender: str = setting(
        "",
        help='The From address, e.g. "Corner Shop <shop@example.org>".',
        read=_sender,
        allowed="an e-mail address",
    )
    rate_per_minute: int = setting(30, help="At most this many mails a minute.", low=1, high=10_000)
    max_attempts: int = setting(
        8, help="A mail that failed this many times is given up.", low=1, high=100
    )
    retry_seconds: int = setting(
        60, help="Wait before the first retry (doubling each time).", low=1, high=86_400
    )
    timeout_seconds: int = setting(
        10, help="Network timeout of one SMTP conversation.", low=1, high=300
    )


MAIL_EXAMPLE = """# Customer mail (e-mail campaigns): without a host, mail waits in the outbox.
# [mail]
# host = "smtp.example.org"
# port = 587                      # 587 STARTTLS, 465 TLS, 25 plain
# security = "starttls"           # "starttls", "tls" or "none"
# user = "shop@example.org"
# password_file = "~/.config/tui-pos/smtp.password"   # or: password_env = "TUI_POS_SMTP"
# sender = "Corner Shop <shop@example.org>"
# rate_per_minute = 30
# max_attempts = 8
# retry_seconds = 60
# timeout_seconds = 10"""
"""What ``config init`` writes for ``[mail]``: the section commented out (no server yet)."""
