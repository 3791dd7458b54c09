"""Subtotal, discounts, tax per code and the total, always in view."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui_pos.domain.cart_totals import CartTotals
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


def totals_compact(
    totals: CartTotals,
    *,
    prices_include_tax: bool,
    currency: str,
    paid_cents: int = 0,
) -> RenderableType:
    """The totals in two rows for a narrow console (80 columns): the figures, then the
    TOTAL and what is still due. The tax breakdown by code is on the receipt."""
    figures = Text(f"Subtotal {format_money(totals.subtotal_cents)}")
    if totals.discount_cents:
        figures.append(f"  Disc. {format_money(-totals.discount_cents)}")
    word = "incl." if prices_include_tax else "added"
    figures.append(f"  Tax {format_money(totals.tax_cents)} {word}")
    big = Text(f" TOTAL {format_money(totals.total_cents)} {currency} ", style="bold reverse")
    if paid_cents:
        big.append(f"  Paid {format_money(paid_cents)}", style="green")
        due = totals.total_cents - paid_cents
        big.append(f"  Due {format_money(due)}", style="bold yellow")
    figures.no_wrap = big.no_wrap = True
    figures.overflow = big.overflow = "ellipsis"
    return Group(figures, big)
