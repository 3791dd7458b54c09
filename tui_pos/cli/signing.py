"""Signed commands: who does it, proved by their PIN, allowed by their role, audited.

Kept apart from ``root.py`` so that the command modules can use it at import time.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

import click

from tui_pos.domain.staff import ACTION_LABELS, Action, Approval, StaffError

if TYPE_CHECKING:
    from tui_pos.services.staff import Staff


class SigningTill(Protocol):
    """What signing needs of a till (``bootstrap.Till`` and ``report_till.ReportTill``)."""

    @property
    def staff(self) -> Staff: ...


def read_pin(prompt: str, confirm: bool = False) -> str:
    """A PIN typed hidden at a terminal (twice for a new one), else one line of stdin."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line.strip():
            raise StaffError(f"{prompt}: expected a line on standard input")
        return line.strip()
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))


_SIGNER_HELP = "Employee number of who does this (their PIN is asked for)."

#: The option that names who does a signed command.
BY_OPTION = click.option("--by", help=_SIGNER_HELP)

#: The same where ``--by`` already means something else (``report sales --by item``).
AS_OPTION = click.option("--as", "by", help=_SIGNER_HELP)


def signed(
    till: SigningTill, by: str | None, action: Action, what: str, *, flag: str = "--by"
) -> Approval:
    """A command that changes or reveals data: once the till has staff, ``by`` (the
    ``flag`` option) names the employee doing it, their PIN is asked for, their role must
    allow ``action`` (a refusal is audited too), and it goes into the audit log. Returns
    the approval the command hands to the use case, which checks it again (its actor is
    None on a till without staff yet: nobody signs, and such a till allows everything)."""
    if not till.staff.has_staff():
        return Approval(action, None)
    if by is None:
        raise StaffError(f"{ACTION_LABELS[action]}: name who does this with {flag} NUMBER")
    till.staff.log_in(by, read_pin(f"PIN of employee {by}"))
    return till.staff.allowed(action, what)


#: The commands that run without ``--by`` once the till has staff, and why: each changes
#: and reveals none of the store's data, or proves who does it another way. Every other
#: command is signed (tests/integration/test_cli_signing_matrix.py holds the command tree to this).
UNSIGNED_COMMANDS: Mapping[str, str] = {
    "run": "opens the register, whose log-in screen asks who works",
    "demo": "opens the register on a demo store, whose log-in screen asks who works",
    "db init": "makes a new database (before any staff exists); on an existing one it "
    "only migrates, as every start does",
    "db migrate": "brings the schema up to date, as every start does; shows no data",
    "db check": "SQLite's integrity check: shows only problems and the schema version",
    "db verify": "checks the journal chain: shows only problems and a count",
    "devices list": "the configured and connected hardware: no store data",
    "devices test-print": "prints a fixed test page; records and shows no store data",
    "promo list": "promotions are public (shelf labels, receipts)",
    "tax list": "tax codes and rates are public (printed on every receipt)",
    "config init": "writes the packaged example config file; opens no database",
    "config paths": "shows where the till keeps its files; opens no database, shows no data",
    "customer unsubscribe": "the customer's own opt-out, proved by the token in their mail; "
    "shows nothing",
    "mail flush": "delivers mail that signed commands queued; shows only counts",
    "staff reset-key": "proved by the recovery code instead: without the key no PIN can be checked",
    **{
        f"server {name}": "acts on the store server, not on this till: who does it is "
        "--operator, written to the server's audit table (the till's staff and PINs are not "
        "there)"
        for name in (
            "enroll",
            "revoke",
            "clear-conflict",
            "alerts",
            "report",
            "shop-token",
            "staff-add",
        )
    },
    "server init": "creates or migrates the store server's schema; shows no data",
    "server run": "serves the API to enrolled tills; each till proves itself by its token",
    "sync enroll": "needs a one-time code that a server operator issued (audited at the "
    "server); stores only the server address and this till's token",
    "sync status": "the link's state: counts and times, no store data",
    "sync now": "sends what is already stored to the enrolled server; shows only counts",
}
