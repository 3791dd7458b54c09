"""``tui-pos campaign send``, ``tui-pos customer unsubscribe`` and ``tui-pos mail ...``.

A campaign hands customer data to a mail server: it is signed like the customer exports
(``--by NUMBER`` + PIN once the till has staff, audited). The send log shows addresses:
signed too. An unsubscribe is the customer's own act, proved by their token.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from tui_pos.cli.context import Context
from tui_pos.cli.signing import BY_OPTION, signed
from tui_pos.domain.mail import MailError
from tui_pos.domain.money import parse_money
from tui_pos.domain.staff import Action
from tui_pos.services.mail import DeliveryResult


def _delivered(result: DeliveryResult) -> str:
    return (
        f"sent {result.sent}, to retry {result.retry_later}, failed {result.failed},"
        f" still queued {result.waiting}"
    )


@click.group()
def campaign() -> None:
    """Mail campaigns to a saved segment (consenting customers only)."""


@campaign.command("send")
@click.option("--segment", required=True, help="Saved segment to mail.")
@click.option(
    "--template",
    "template_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Template file: 'Subject: ...', text body, '--- html ---', HTML body.",
)
@click.option("--name", help="Campaign name (default: segment and date).")
@click.option(
    "--control-percent",
    type=click.IntRange(0, 90),
    default=10,
    show_default=True,
    help="Share of the segment held out (not mailed) to measure the uplift.",
)
@click.option("--coupon-percent", type=click.IntRange(1, 100), help="Personal coupon: % off.")
@click.option("--coupon-amount", help="Personal coupon: amount off, e.g. 5.00.")
@click.option("--coupon-days", type=click.IntRange(1, 366), default=30, show_default=True)
@BY_OPTION
@click.pass_obj
def campaign_send(
    obj: Context,
    segment: str,
    template_file: Path,
    name: str | None,
    control_percent: int,
    coupon_percent: int | None,
    coupon_amount: str | None,
    coupon_days: int,
    by: str | None,
) -> None:
    """Queue a mail to each consenting member of SEGMENT, then deliver what the rate
    limit allows (the rest goes with `tui-pos mail flush` or the running till)."""
    from tui_pos.services.campaigns import CouponOffer, coupon_valid_to

    try:
        text = template_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise MailError(f"{template_file}: not UTF-8 text") from None
    if coupon_percent is not None and coupon_amount is not None:
        raise MailError("Give --coupon-percent or --coupon-amount, not both")
    with obj.open_till() as till:
        approval = signed(till, by, Action.CUSTOMER_ADMIN, f"send campaign to segment {segment}")
        today = till.register.clock().date()
        coupon = None
        if coupon_percent is not None:
            coupon = CouponOffer("percent", coupon_percent, coupon_valid_to(today, coupon_days))
        elif coupon_amount is not None:
            cents = parse_money(coupon_amount)
            coupon = CouponOffer("amount", cents, coupon_valid_to(today, coupon_days))
        who = till.staff.current.name if till.staff.current else "command line"
        result = till.campaigns.send(
            segment,
            text,
            template_file.name,
            who,
            name=name,
            control_percent=control_percent,
            coupon=coupon,
            approval=approval,
        )
        delivered = till.outbox.deliver_due()
    click.echo(
        f"campaign {result.name!r}: {result.mailed} mails queued, {result.control} held out"
        f" as control; skipped {result.skipped_no_consent} without consent and"
        f" {result.skipped_no_address} without a valid address; {_delivered(delivered)}"
    )


@click.command("unsubscribe")
@click.argument("token")
@click.pass_obj
def unsubscribe_cmd(obj: Context, token: str) -> None:
    """Record the opt-out of the customer whose mail carried TOKEN (consent log)."""
    with obj.open_till() as till:
        customer_id, already = till.campaigns.unsubscribe(token)
    if already:
        click.echo(f"customer #{customer_id} had already unsubscribed: nothing changed")
    else:
        click.echo(f"customer #{customer_id} unsubscribed (recorded in the consent log)")


@click.group()
def mail() -> None:
    """The mail outbox: deliver what waits, show the send log."""


@mail.command("flush")
@click.pass_obj
def mail_flush(obj: Context) -> None:
    """Deliver the queued mail that is due (within the rate limit)."""
    with obj.open_till() as till:
        if not till.outbox.configured:
            raise MailError("No mail server: set [mail] host and sender in the config")
        result = till.outbox.deliver_due()
    click.echo(_delivered(result))


@mail.command("log")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@BY_OPTION
@click.pass_obj
def mail_log(obj: Context, limit: int, fmt: str, by: str | None) -> None:
    """What went (or waits to go) to whom, newest first."""
    with obj.open_till() as till:
        signed(till, by, Action.CUSTOMER_ADMIN, "read the mail send log")
        entries = till.outbox.log(limit)
    if fmt == "json":
        rows = [
            {
                "id": e.id,
                "kind": e.kind,
                "recipient": e.recipient,
                "subject": e.subject,
                "status": e.status,
                "attempts": e.attempts,
                "last_error": e.last_error,
                "created_at": e.created_at.isoformat(),
                "sent_at": e.sent_at.isoformat() if e.sent_at else None,
            }
            for e in entries
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Mail send log")
    for title in ("#", "Kind", "To", "Subject", "Status", "Tries", "Error"):
        table.add_column(title)
    for e in entries:
        cells = (str(e.id), e.kind, e.recipient, e.subject, e.status, str(e.attempts), e.last_error)
        table.add_row(*(Text(c) for c in cells))  # text, never markup
    Console().print(table)
