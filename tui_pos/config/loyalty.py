"""``[loyalty]``: points, tiers and the birthday reward.

Each key is declared once with :func:`~tui_pos.config.keys.setting`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_pos.config.keys import setting
from tui_pos.config.schema import Table, describe, parse_rate


@dataclass(frozen=True)
class TierConfig:
    """One entry of ``loyalty.tiers``: reached by spending ``min_spend`` in 12 months."""

    name: str  #: shown at the till, e.g. "Gold"
    min_spend: int  #: rolling 12-month spend to reach it, in minor units
    multiplier: int  #: points multiplier in hundredths, written "1.25" in the file


DEFAULT_TIERS = (
    TierConfig("Bronze", 0, 100),
    TierConfig("Silver", 30_000, 125),
    TierConfig("Gold", 100_000, 150),
)
"""The tiers used when ``loyalty.tiers`` is not given."""


def _multiplier(t: Table, key: str | int, value: object) -> int:
    how = 'write it as a string, like "1.5" (x1.5) or "0" (earns nothing)'
    if isinstance(value, str):
        try:
            return parse_rate(value)  # the same grammar as a tax rate: up to 2 decimals
        except ValueError:
            pass
    raise t.error(key, f"expected a multiplier from 0 to 100, got {describe(value)}; {how}")


def _tiers(t: Table) -> tuple[TierConfig, ...]:
    items = t.array("tiers", max_items=10)
    if items is None:
        return DEFAULT_TIERS
    tiers: list[TierConfig] = []
    for index, item in enumerate(items):
        hint = '{ name = "Gold", min_spend = 100000, multiplier = "1.5" }'
        allowed = ("name", "min_spend", "multiplier")
        tier = Table(t.source, ("loyalty", "tiers", index), item, allowed, hint)
        name = tier.string("name", None, r"[^\x00-\x1f]{1,20}", "a name of 1-20 characters")
        if any(other.name.lower() == name.lower() for other in tiers):
            raise tier.error("name", f'duplicate tier name "{name}"')
        min_spend = tier.integer("min_spend", None, 0)
        if tiers and min_spend <= tiers[-1].min_spend:
            raise tier.error("min_spend", "tiers must be listed from the lowest spend up")
        if "multiplier" not in tier.data:
            raise tier.missing("multiplier")
        multiplier = _multiplier(tier, "multiplier", tier.data["multiplier"])
        tiers.append(TierConfig(name, min_spend, multiplier))
    return tuple(tiers)


def _category_multipliers(t: Table) -> tuple[tuple[str, int], ...]:
    if "category_multipliers" not in t.data:
        return ()
    table = Table(
        t.source,
        ("loyalty", "category_multipliers"),
        t.data["category_multipliers"],
        None,
        '{ "Wine" = "2" }',
    )
    return tuple((str(k), _multiplier(table, k, v)) for k, v in table.data.items())


@dataclass(frozen=True)
class LoyaltyConfig:
    """``[loyalty]``: points for known customers."""

    enabled: bool = setting(
        True,
        help="true to collect loyalty points for customers (attached to a sale with Ctrl+U).",
    )
    points_per_unit: int = setting(
        1, help="Points earned per whole currency unit spent (0-1000).", low=0, high=1000
    )
    point_value: int = setting(
        1,
        help="What one point pays when redeemed at the payment screen, in minor units (1 = 0.01).",
        low=1,
        high=10_000,
    )
    redeem_min_points: int = setting(
        100,
        help="A redemption uses at least this many points (and the customer must have them).",
        low=0,
        high=1_000_000,
    )
    redeem_max_share: int = setting(
        50, help="Points may pay at most this percent of a sale's total (1-100).", low=1, high=100
    )
    category_multipliers: tuple[tuple[str, int], ...] = setting(
        (),
        help='Points multiplier per product category, written as a string: "2" = double'
        ' points,\n"0" = no points, e.g. { "Wine & spirits" = "0", "Fruit & veg" = "2" }.\n'
        "Categories not listed earn x1.",
        read=_category_multipliers,
        example="category_multipliers = {}",
        allowed='category = "multiplier" pairs',
    )
    tiers: tuple[TierConfig, ...] = setting(
        DEFAULT_TIERS,
        help="Tiers, lowest spend first. A customer is in the highest tier whose min_spend"
        " (minor\nunits, over the last 12 months, rolling) they reach; the tier multiplies the"
        " points.\nCustomers move up and down by themselves as their 12-month spend changes.",
        read=_tiers,
        example="tiers = [\n"
        '    { name = "Bronze", min_spend = 0, multiplier = "1" },\n'
        '    { name = "Silver", min_spend = 30000, multiplier = "1.25" },\n'
        '    { name = "Gold", min_spend = 100000, multiplier = "1.5" },\n'
        "]",
        allowed="up to 10 { name, min_spend, multiplier }",
    )
    birthday_window_days: int = setting(
        7,
        help="The birthday reward is offered at the till this many days before and after the"
        "\nbirthday (0-60), once a year, when the customer is attached to a sale.",
        low=0,
        high=60,
    )
    birthday_points: int = setting(
        200,
        help="Points given as the birthday reward (0 = no birthday reward).",
        low=0,
        high=1_000_000,
    )
    offline_redeem: str = setting(
        "cap",
        help="Points redeemed while the store server cannot be reached (an enrolled till;"
        ' online the\nbalance is the organisation\'s, asked from the server): "refuse" ='
        ' no redemption offline,\n"cap" = at most offline_redeem_cap_points and the balance'
        " this till knows. An overdraw\nfound when the tills sync is an alert at the server;"
        " both sales are kept.",
        choices=("refuse", "cap"),
    )
    offline_redeem_cap_points: int = setting(
        500,
        help='The most points one sale may redeem offline when offline_redeem = "cap".',
        low=0,
        high=1_000_000,
    )
