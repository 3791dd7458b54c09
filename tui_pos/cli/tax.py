"""``tui-pos tax list|set``: the tax codes in force, and changing one.

On a till of its own, ``tax set`` writes the code at this till (it then wins over the
config's ``[[tax]]``). On a till enrolled with a store server the tax codes are the
server's: ``tax set`` sends the signed change there (the server checks the role, audits
and publishes it) and every till, this one too, applies it from the feed. Either way a
sale already open keeps the rate it was rung up at; the next sale uses the new one.
"""

from __future__ import annotations

from typing import Any

import click

from tui_pos.cli.signing import BY_OPTION, signed
from tui_pos.config.schema import parse_rate
from tui_pos.domain.errors import DomainError
from tui_pos.domain.staff import Action


def _obj() -> Any:
    return click.get_current_context().find_root().obj


@click.group()
def tax() -> None:
    """Tax codes and their rates (the store server's when the till is enrolled)."""


@tax.command("list")
def tax_list() -> None:
    """The tax codes new sales use, with where each comes from."""
    from tui_pos.models.tax_codes import tax_sources

    with _obj().open_till(read_only=True) as till:
        rates, sources = till.register.tax_rates(), tax_sources(till.db)
    for code, rate in rates.items():
        click.echo(f"{code}  {rate.label}  {rate.name}  ({sources.get(code, 'config')})")


@tax.command("set")
@click.argument("code")
@click.option("--rate", required=True, help="Percent with up to 2 decimals, e.g. 20 or 5.5.")
@click.option("--name", help="Shown on reports (default: the code's name now, or the code).")
@BY_OPTION
def tax_set(code: str, rate: str, name: str | None, by: str | None) -> None:
    """Add a tax code or change its rate (signed with --by once the till has staff); on
    an enrolled till the change is made at the store server and reaches every till."""
    from tui_pos.sync import managed

    try:
        rate_bp = parse_rate(rate)
    except ValueError as exc:
        raise DomainError(f"--rate: {exc}") from None
    with _obj().open_till() as till:
        wanted = till.tax_codes.wanted(code, rate_bp, name)
        approval = signed(till, by, Action.PRODUCT_ADMIN, f"tax {code} {wanted.label}")
        if managed.enrolled(till.db):
            item = {"key": code, "body": {"name": wanted.name, "rate_bp": rate_bp}}
            managed.send(till.db, "tax", [item], approval.actor)
            here = managed.pulled(
                till.db,
                "SELECT 1 FROM tax_code WHERE code = ? AND source = 'server' "
                f"AND rate_bp = {rate_bp}",
                code,
            )
            later = "" if here else "; this till applies it when it syncs"
            click.echo(f"tax {code} {wanted.label} sent to the store server{later}")
            return
        done = till.tax_codes.set(code, rate_bp, name, approval)
    click.echo(f"tax {code} {done.label} ({done.name}) is in force for new sales")
