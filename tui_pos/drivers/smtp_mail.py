"""Sending mail through an SMTP server with the standard library (``smtplib``).

Blocking, with a network timeout: the outbox calls it from a thread. A connection
failure or a 4xx answer is temporary (the mail stays queued); a 5xx answer to the
recipient or the message is permanent.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from tui_pos.domain.mail import OutgoingMail
from tui_pos.services.mail import MailSendError
from tui_pos.services.ports import DeviceError


class MailSettings(Protocol):
    """What the transport reads of ``[mail]`` (the config's ``MailConfig`` has it; the
    driver does not import the app's config)."""

    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def security(self) -> str: ...
    @property
    def user(self) -> str: ...
    @property
    def password_file(self) -> str | None: ...
    @property
    def password_env(self) -> str | None: ...
    @property
    def sender(self) -> str: ...
    @property
    def timeout_seconds(self) -> int: ...


def read_password(config: MailSettings) -> str:
    """The SMTP password from ``password_file`` or ``password_env`` ("" when neither)."""
    if config.password_file:
        try:
            return Path(config.password_file).expanduser().read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise DeviceError(f"mail.password_file {config.password_file}: {exc.strerror}") from exc
    if config.password_env:
        value = os.environ.get(config.password_env)
        if value is None:
            raise DeviceError(f"mail.password_env: ${config.password_env} is not set")
        return value
    return ""


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    """A multipart/alternative message (plain text and HTML) with its headers."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rsplit("@", 1)[-1].rstrip(">").strip() or "tui-pos.invalid"
    message["Message-ID"] = make_msgid(idstring=mail.message_id, domain=domain)
    token = mail.headers.get("X-Unsubscribe-Token")
    for name, value in mail.headers.items():
        message[name] = value
    if token:
        address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
        message["List-Unsubscribe"] = f"<mailto:{address}?subject=unsubscribe%20{token}>"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class SmtpTransport:
    """Implements :class:`tui_pos.services.mail.MailTransport` with ``smtplib``."""

    def __init__(self, config: MailSettings) -> None:
        self.config = config

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c.security == "tls":
            return smtplib.SMTP_SSL(
                c.host, c.port, timeout=c.timeout_seconds, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout_seconds)
        if c.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, mail: OutgoingMail) -> None:
        """Send one message in one SMTP conversation."""
        try:
            password = read_password(self.config) if self.config.user else ""
        except DeviceError as exc:  # fixed in the config later: the mail waits
            raise MailSendError(str(exc)) from exc
        try:
            with self._connect() as smtp:
                if self.config.user:
                    smtp.login(self.config.user, password)
                smtp.send_message(build_message(mail, self.config.sender))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise MailSendError(
                f"recipient refused: {_reply(exc.recipients)}",
                permanent=all(code >= 500 for code in codes),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            # Only a refused message is final; a refused log-in or sender is the
            # configuration's fault: the mail waits until it is fixed.
            final = isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500
            error = exc.smtp_error
            text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
            raise MailSendError(f"server said {exc.smtp_code} {text}", final) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailSendError(
                f"cannot reach {self.config.host}:{self.config.port}: {exc}"
            ) from exc


def _reply(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{who}: {code} {text.decode('utf-8', 'replace')}"
        for who, (code, text) in recipients.items()
    )
