"""Subtotal, discounts, tax per code and the total, always in view."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui_pos.domain.cart import CartTotals
from tui_pos.domain.money import format_money
from tui_pos.domain.tax import TaxRate
from tui_pos.widgets.plain import plain


def totals_renderable(
    totals: CartTotals,
    taxes: dict[str, TaxRate],
    *,
    prices_include_tax: bool,
    currency: str,
    paid_cents: int = 0,
    pending_qty: str | None = None,
) -> RenderableType:
    """The totals block as a Rich renderable (also used by the payment screen)."""
    table = Table.grid(expand=True)
    table.add_column()
    table.add_column(justify="right")
    table.add_row("Subtotal", format_money(totals.subtotal_cents))
    if totals.discount_cents:
        table.add_row("Discounts", format_money(-totals.discount_cents))
    word = "incl." if prices_include_tax else "+"
    for tax in totals.taxes:
        label = taxes[tax.code].label if tax.code in taxes else tax.code
        table.add_row(plain(f"Tax {tax.code} {label} {word}"), format_money(tax.tax_cents))
    big = Text(f"TOTAL {format_money(totals.total_cents)} {currency}", style="bold reverse")
    parts: list[RenderableType] = [table, Text(""), big]
    if paid_cents:
        parts.append(Text(f"Paid {format_money(paid_cents)}", style="green"))
        due = totals.total_cents - paid_cents
        parts.append(Text(f"Due  {format_money(due)}", style="bold yellow"))
    if pending_qty:
        parts.append(Text(f"Next item quantity: {pending_qty}", style="bold cyan"))
    return Group(*parts)


class TotalsPanel(Static):
    """Shows :func:`totals_renderable` for the open sale."""
