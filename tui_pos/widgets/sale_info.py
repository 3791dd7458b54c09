"""The sale's one-line summary above the cart: customer, promotions, pending quantity."""

from __future__ import annotations

from rich.text import Text

from tui_pos.domain.cart_totals import CartTotals
from tui_pos.domain.money import format_money
from tui_pos.services.customer_views import CustomerBadge


def sale_info(
    badge: CustomerBadge | None,
    totals: CartTotals,
    pending_qty: str | None,
    problem: str = "",
) -> Text | None:
    """What the cashier should see about the sale besides its lines, in one row
    (None: nothing to show). Names are plain text, never markup."""
    parts: list[Text] = []
    if problem:
        parts.append(Text(problem, style="bold"))
    if badge is not None:
        who = Text("Customer ", style="dim")
        who.append(badge.name, style="bold")
        if badge.tier:
            who.append(f" · {badge.tier}")
        who.append(f" · Points {badge.balance:,}")
        if badge.birthday_offer:
            who.append(" · birthday!", style="bold magenta")
        parts.append(who)
    promos = {lt.promotion for lt in totals.lines if lt.promotion and lt.promo_discount_cents}
    saved = sum(lt.promo_discount_cents for lt in totals.lines)
    if promos:
        word = "promotion" if len(promos) == 1 else "promotions"
        parts.append(Text(f"{len(promos)} {word} -{format_money(saved)}", style="green"))
    if pending_qty:
        parts.append(Text(f"Next item x {pending_qty}", style="bold cyan"))
    if not parts:
        return None
    line = Text("  ·  ").join(parts)
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line
