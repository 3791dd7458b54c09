"""Mail campaigns to a saved segment, and unsubscribing.

``send`` checks everything before it writes anything: the segment exists, the template
parses and uses only known fields, every consenting member has a value for every field.
Then one transaction stores the campaign, who was mailed and who was held out as the
control group, each mailed member's personal coupon and unsubscribe token, and the mails
in the outbox. Only members who agreed to marketing, are not erased and have a valid
address are mailed; the outbox checks consent again just before sending.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from tui_pos.domain.customer import is_email_address
from tui_pos.domain.mail import (
    MailError,
    check_unsubscribe_token,
    first_name,
    new_unsubscribe_token,
    parse_template,
)
from tui_pos.domain.money import format_money
from tui_pos.domain.staff import Action, Approval
from tui_pos.services.customers import Customers
from tui_pos.services.mail import QueuedMail
from tui_pos.services.ports import Clock

_COUPON_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_coupon_code() -> str:
    """``CP`` and 10 characters without look-alikes (from ``secrets``)."""
    return "CP" + "".join(secrets.choice(_COUPON_ALPHABET) for _ in range(10))


@dataclass(frozen=True)
class CouponOffer:
    """The personal coupon every mailed member gets: percent or amount off."""

    kind: str  #: "percent" or "amount"
    value: int  #: percent, or minor units
    valid_to: date

    @property
    def label(self) -> str:
        """``10%`` or ``5.00``."""
        return f"{self.value}%" if self.kind == "percent" else format_money(self.value)


@dataclass(frozen=True)
class CampaignMail:
    """One mailed member: the mail, the coupon code and unsubscribe token in it."""

    customer_id: int
    mail: QueuedMail
    coupon_code: str | None
    token: str


@dataclass(frozen=True)
class NewCampaign:
    """Everything one campaign transaction stores."""

    name: str
    segment: str
    template: str
    subject: str
    control_percent: int
    coupon: CouponOffer | None
    sent_by: str
    mailed: Sequence[CampaignMail]
    control: Sequence[int] = field(default_factory=tuple)


@dataclass(frozen=True)
class CampaignResult:
    """What ``send`` stored."""

    campaign_id: int
    name: str
    mailed: int
    control: int
    skipped_no_consent: int
    skipped_no_address: int


class CampaignStore(Protocol):
    """Campaign, members, coupons, tokens and outbox rows; the consent log."""

    def name_taken(self, name: str) -> bool:
        """Whether a campaign of that name exists."""

    def create(self, campaign: NewCampaign, till: str, now: datetime) -> int:
        """Store the whole campaign in one transaction; its id."""

    def unsubscribe(self, token: str, till: str, now: datetime) -> tuple[int, bool] | None:
        """Record the opt-out of the token's customer (consent log, profile, queued mail
        dropped); (customer id, whether they had already opted out); None: no such token."""


class Campaigns:
    """Sending campaigns and recording unsubscribes."""

    def __init__(
        self,
        store: CampaignStore,
        customers: Customers,
        store_name: str,
        till: str,
        clock: Clock,
    ) -> None:
        self.store = store
        self.customers = customers
        self.store_name = store_name
        self.till = till
        self.clock = clock

    def send(
        self,
        segment: str,
        template_text: str,
        template_name: str,
        sent_by: str,
        *,
        name: str | None = None,
        control_percent: int = 10,
        coupon: CouponOffer | None = None,
        approval: Approval | None = None,
    ) -> CampaignResult:
        """Queue the campaign's mails (delivery is the outbox's job); it mails customers'
        personal addresses: ``approval`` must cover CUSTOMER_ADMIN."""
        rule = self.customers.segment(segment)  # CustomerError for an unknown segment
        self.customers.auth.authorize(Action.CUSTOMER_ADMIN, approval, f"campaign to {segment}")
        template = parse_template(template_text, template_name)
        if "coupon" in template.fields and coupon is None:
            raise MailError(
                f"{template_name} uses {{{{coupon}}}}: give --coupon-percent or --coupon-amount"
            )
        if not 0 <= control_percent <= 90:
            raise MailError("The control group is 0 to 90 percent of the segment")
        now = self.clock()
        title = (name or f"{segment} {now.date().isoformat()}").strip()
        if not title or len(title) > 80 or not title.isprintable():
            raise MailError("A campaign name is 1-80 printable characters")
        if self.store.name_taken(title):
            raise MailError(f"A campaign named {title!r} was sent already: choose another --name")
        members = self.customers.members(rule)
        consenting = [m for m in members if m.customer.details.marketing_consent]
        reachable = [m for m in consenting if is_email_address(m.customer.details.email)]
        chooser = random.Random(secrets.randbits(64))
        order = list(reachable)
        chooser.shuffle(order)
        held = round(len(order) * control_percent / 100)
        control, mailed_members = order[:held], order[held:]
        mailed: list[CampaignMail] = []
        for m in sorted(mailed_members, key=lambda m: m.customer.id):
            d = m.customer.details
            code = new_coupon_code() if coupon else None
            token = new_unsubscribe_token()
            values = {
                "name": m.customer.name,
                "first_name": first_name(m.customer.name),
                "email": d.email,
                "card": d.card or "",
                "points": str(m.stats.balance),
                "tier": m.tier,
                "coupon": code or "",
                "coupon_value": coupon.label if coupon else "",
                "unsubscribe": token,
                "store": self.store_name,
            }
            try:
                subject, text, markup = template.render(values)
            except MailError as exc:
                raise MailError(
                    f"{template_name}: customer #{m.customer.id}: {exc}; nothing was sent"
                ) from None
            mail = QueuedMail(
                "campaign", d.email, subject, text, markup, m.customer.id, None, None, token
            )
            mailed.append(CampaignMail(m.customer.id, mail, code, token))
        campaign_id = self.store.create(
            NewCampaign(
                title,
                segment,
                template_text,
                template.subject,
                control_percent,
                coupon,
                sent_by,
                mailed,
                tuple(sorted(m.customer.id for m in control)),
            ),
            self.till,
            now,
        )
        return CampaignResult(
            campaign_id,
            title,
            len(mailed),
            len(control),
            len(members) - len(consenting),
            len(consenting) - len(reachable),
        )

    def unsubscribe(self, text: str) -> tuple[int, bool]:
        """Record an unsubscribe token: (customer id, already opted out before)."""
        token = check_unsubscribe_token(text)
        result = self.store.unsubscribe(token, self.till, self.clock())
        if result is None:
            raise MailError(f"No mail was sent with the unsubscribe token {token}")
        return result


def coupon_valid_to(today: date, days: int) -> date:
    """The last day a campaign coupon can be used."""
    return today + timedelta(days=days)
