"""Loyalty rules: points earned per sale, points redeemed as a payment, tiers, birthdays.

Points live in a ledger (one signed row per earn, redeem, reversal, birthday reward or
adjustment); a balance is always the sum of a customer's rows. The rules here are pure:
they say how many points a sale earns or costs, which tier a rolling 12-month spend
gives, whether today is in a customer's birthday window.

Multipliers are hundredths (150 = x1.5), like tax rates are basis points, so that every
computation is integer arithmetic. Points are truncated toward zero once per sale (a
return computes its reversal by the same formula, so a full return of a sale earned under
the same tier gives back exactly what it earned).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Literal

from tui_pos.domain.errors import DomainError
from tui_pos.domain.money import allocate, format_money

PointsKind = Literal["earn", "redeem", "reversal", "birthday", "adjust"]

#: A multiplier of x1 in hundredths.
ONE_X = 100

#: The rolling window of spend that decides a customer's tier.
TIER_WINDOW = timedelta(days=365)


class LoyaltyError(DomainError):
    """A loyalty action that is refused (too few points, more than the allowed share...)."""


@dataclass(frozen=True)
class Tier:
    """A loyalty tier reached by spending ``min_spend_cents`` in the last 12 months."""

    name: str
    min_spend_cents: int
    multiplier: int = ONE_X  #: hundredths: 125 = points x1.25


@dataclass(frozen=True)
class LoyaltyRules:
    """Everything ``[loyalty]`` in the config decides."""

    enabled: bool = False
    points_per_unit: int = 1  #: points per whole currency unit spent
    category_multipliers: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({})
    )  #: category name -> hundredths (0 = earns nothing)
    point_value_cents: int = 1  #: what one point pays when redeemed
    redeem_min_points: int = 0  #: a redemption uses at least this many points
    redeem_max_share: int = 100  #: percent of a sale's total payable with points
    tiers: tuple[Tier, ...] = ()  #: sorted by min_spend_cents, lowest first
    birthday_window_days: int = 7  #: days before/after the birthday the reward is offered
    birthday_points: int = 0  #: points given as the birthday reward (0 = none)

    def category_multiplier(self, category: str) -> int:
        """The multiplier of a category (x1 for categories the config does not name)."""
        return self.category_multipliers.get(category, ONE_X)


@dataclass(frozen=True)
class EarnLine:
    """What a sale line means to loyalty: its amount (negative on a return) and category."""

    amount_cents: int
    category: str = ""


@dataclass(frozen=True)
class PointsMove:
    """One ledger row to write for a sale: signed points and why."""

    kind: PointsKind
    points: int


@dataclass(frozen=True)
class PointsSummary:
    """What a receipt shows about points: earned (negative if reversed), redeemed, balance."""

    earned: int
    redeemed: int
    balance: int


def _truncate(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded toward zero (integers only)."""
    quotient = abs(numerator) // denominator
    return quotient if numerator >= 0 else -quotient


def earn_points(
    lines: Sequence[EarnLine],
    rules: LoyaltyRules,
    tier_multiplier: int = ONE_X,
    points_paid_cents: int = 0,
) -> int:
    """Points a sale earns (negative for a return): per line, amount x points per unit x
    category multiplier, the sum x tier multiplier, truncated toward zero once.

    The part of the sale paid with points earns nothing: ``points_paid_cents`` is taken off
    the positive lines in proportion to their amounts.
    """
    amounts = [ln.amount_cents for ln in lines]
    if points_paid_cents > 0:
        positive = [max(a, 0) for a in amounts]
        paid = min(points_paid_cents, sum(positive))
        if paid:
            shares = allocate(paid, positive)
            amounts = [a - s for a, s in zip(amounts, shares, strict=True)]
    numerator = sum(
        amount * rules.points_per_unit * rules.category_multiplier(ln.category)
        for amount, ln in zip(amounts, lines, strict=True)
    )
    # amount in cents (/100), category multiplier (/100), tier multiplier (/100)
    return _truncate(numerator * tier_multiplier, 100 * ONE_X * ONE_X)


def sale_moves(
    lines: Sequence[EarnLine],
    points_payments: Sequence[tuple[int, int]],
    rules: LoyaltyRules,
    tier_multiplier: int = ONE_X,
) -> list[PointsMove]:
    """The ledger rows of one sale or return.

    ``points_payments`` are (amount_cents, points) of its payments in points: a positive
    amount redeemed points (a negative row), a negative one (a refund in points) gives
    them back. Then the earn row, or a ``reversal`` row when the sale is a return.
    """
    moves: list[PointsMove] = []
    paid_with_points = 0
    for amount, points in points_payments:
        if amount >= 0:
            moves.append(PointsMove("redeem", -points))
            paid_with_points += amount
        else:
            moves.append(PointsMove("reversal", points))
    earned = earn_points(lines, rules, tier_multiplier, paid_with_points)
    if earned > 0:
        moves.append(PointsMove("earn", earned))
    elif earned < 0:
        moves.append(PointsMove("reversal", earned))
    return moves


def tier_for(spend_cents: int, tiers: Sequence[Tier]) -> Tier | None:
    """The highest tier whose threshold the 12-month spend reaches (None below all)."""
    reached = [t for t in tiers if spend_cents >= t.min_spend_cents]
    return max(reached, key=lambda t: t.min_spend_cents) if reached else None


def tier_window_start(now: datetime) -> datetime:
    """The start of the rolling 12 months that decide the tier at ``now``."""
    return now - TIER_WINDOW


def redeem_cap(
    balance: int,
    total_cents: int,
    remaining_cents: int,
    already_paid_with_points_cents: int,
    rules: LoyaltyRules,
) -> int:
    """The most points this sale may take now: the balance, the maximum share of the
    total (less what points already paid) and what is still due, whichever is least."""
    share_cents = total_cents * rules.redeem_max_share // 100 - already_paid_with_points_cents
    cap_cents = max(0, min(share_cents, remaining_cents))
    return max(0, min(balance, cap_cents // rules.point_value_cents))


def check_redeem(
    points: int,
    balance: int,
    total_cents: int,
    remaining_cents: int,
    already_paid_with_points_cents: int,
    rules: LoyaltyRules,
) -> int:
    """Check a redemption of ``points``; returns the cents they pay. Raises LoyaltyError."""
    if not rules.enabled:
        raise LoyaltyError("Loyalty points are not enabled at this store")
    if points <= 0:
        raise LoyaltyError("Type a number of points more than 0")
    if balance < rules.redeem_min_points or points > balance:
        minimum = rules.redeem_min_points
        least = f" (at least {minimum} to redeem)" if balance < minimum else ""
        raise LoyaltyError(f"The customer has {balance} points{least}")
    if points < rules.redeem_min_points:
        raise LoyaltyError(f"Redeem at least {rules.redeem_min_points} points at a time")
    cap = redeem_cap(balance, total_cents, remaining_cents, already_paid_with_points_cents, rules)
    if points > cap:
        share = f"{rules.redeem_max_share}% of the sale"
        raise LoyaltyError(
            f"At most {cap} points ({format_money(cap * rules.point_value_cents)}) on this sale:"
            f" points pay up to {share} and no more than is due"
        )
    return points * rules.point_value_cents


def parse_points(text: str) -> int:
    """A number of points typed by the cashier (``250`` or ``1,000``)."""
    cleaned = text.strip().replace(",", "").replace(" ", "")
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 9:
        raise LoyaltyError(f"Not a number of points: {text.strip()!r}")
    return int(cleaned)


def points_reference(points: int) -> str:
    """The reference a points payment carries: the number of points it used."""
    return str(points)


def points_of_reference(reference: str) -> int:
    """The points a points payment used (see :func:`points_reference`)."""
    if not reference.isascii() or not reference.isdigit():
        raise LoyaltyError(f"A points payment has a bad reference {reference!r}")
    return int(reference)


def birthday_on(year: int, birthday: date) -> date:
    """The customer's birthday in ``year`` (29 February is the 28th in other years)."""
    try:
        return birthday.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return date(year, 2, 28)


def birthday_occurrence(birthday: date, today: date, window_days: int) -> date | None:
    """The birthday whose window (``window_days`` before to after) holds ``today``, or None.

    Looks at last year's, this year's and next year's birthdays, so a window that crosses
    the new year works (a 2 January birthday is in the window on 30 December).
    """
    for year in (today.year, today.year + 1, today.year - 1):
        occurrence = birthday_on(year, birthday)
        if abs((today - occurrence).days) <= window_days:
            return occurrence
    return None
