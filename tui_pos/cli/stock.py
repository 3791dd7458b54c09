"""Command-line commands for stock, promotions and online orders (added to ``tui-pos``
by :mod:`tui_pos.cli`): ``import orders``, ``export stock``, ``promo add|list|end``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from tui_pos.cli.context import parse_date_option
from tui_pos.cli.signing import BY_OPTION, signed
from tui_pos.domain.barcode import display_gtin
from tui_pos.domain.csv_export import csv_text
from tui_pos.domain.errors import DomainError
from tui_pos.domain.money import format_money
from tui_pos.domain.outputs import STOCK_CSV, STOCK_JSON
from tui_pos.domain.promotions import PROMOTION_KINDS
from tui_pos.domain.quantity import format_quantity
from tui_pos.domain.staff import Action
from tui_pos.services.stock import StockLevel
from tui_pos.sync.managed import promotions_for


def _obj() -> Any:
    return click.get_current_context().find_root().obj


def _qty(milli: int) -> int | float:
    """Thousandths as a JSON number in the unit (``12``, ``0.512``)."""
    return milli // 1000 if milli % 1000 == 0 else milli / 1000


def stock_record(level: StockLevel, fmt: str) -> dict[str, Any]:
    """One product of the stock feed in its documented shape (:data:`STOCK_CSV`, a
    products file that imports back, or :data:`STOCK_JSON`); the barcode in the short
    form it was imported in (EAN-13, EAN-8), not the 14-digit lookup key."""
    common: dict[str, Any] = {
        "barcode": display_gtin(level.barcode) if len(level.barcode) == 14 else level.barcode,
        "plu": level.plu,
        "name": level.name,
        "tax": level.tax,
        "category": level.category,
        "unit": level.unit,
        "low": level.low,
    }
    if fmt == "json":
        return STOCK_JSON.record(
            **common,
            price_cents=level.price_cents,
            stock=_qty(level.level_milli),
            reorder_level=_qty(level.reorder_level_milli),
            damaged=_qty(level.damaged_milli),
        )
    return STOCK_CSV.record(
        **common,
        price=format_money(level.price_cents).replace(",", ""),
        stock=format_quantity(level.level_milli, "each"),
        reorder_level=format_quantity(level.reorder_level_milli, "each"),
        damaged=format_quantity(level.damaged_milli, "each"),
    )


def render_stock(levels: list[StockLevel], fmt: str) -> str:
    """The stock feed as CSV (header row) or JSON (a list of objects)."""
    records = [stock_record(lv, fmt) for lv in levels]
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    return csv_text(STOCK_CSV.csv_header(), (STOCK_CSV.csv_row(r) for r in records))


@click.command("stock")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--low", is_flag=True, help="Only products at or below their reorder level.")
@BY_OPTION
def export_stock(fmt: str, low: bool, by: str | None) -> None:
    """The stock feed: every product with its level (from the ledger) and reorder level
    (signed with --by once the till has staff)."""
    with _obj().open_till(read_only=True) as till:
        signed(till, by, Action.REPORTS, "export stock")
        levels = till.stock.levels(low_only=low)
    click.echo(render_stock(levels, fmt), nl=False)


@click.command("orders")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@BY_OPTION
def import_orders(file: Path, by: str | None) -> None:
    """Import paid online orders from FILE.json (each order once, by its order_id;
    signed with --by once the till has staff)."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(f"{file}: not UTF-8 text ({exc.reason})") from exc
    with _obj().open_till() as till:
        approval = signed(till, by, Action.PRODUCT_ADMIN, f"import orders {file.name}")
        result = till.online_orders.import_text(text, approval)
    collection = sum(1 for o in result.imported if o.collection)
    click.echo(
        f"{file}: imported {len(result.imported)} order(s) ({collection} for collection), "
        f"{len(result.skipped)} already imported"
    )


@click.group("promo")
def promo() -> None:
    """Promotions applied automatically at the till."""


@promo.command("add")
@click.option("--name", required=True, help="Shown on the cart line and the receipt.")
@click.option("--kind", type=click.Choice(PROMOTION_KINDS), required=True)
@click.option("--item", help="Barcode or PLU of the item.")
@click.option("--category", help="Category name (instead of --item).")
@click.option("--value", default="", help="10% (percent), 0.50 (amount), 5.00 (multi_price).")
@click.option("--buy", type=int, default=0, help="N of 'N for price' / 'buy N pay M'.")
@click.option("--pay", type=int, default=0, help="M of 'buy N pay M'.")
@click.option("--from", "starts_on", callback=parse_date_option, help="First day (default today).")
@click.option("--to", "ends_on", callback=parse_date_option, help="Last day (default: open-ended).")
@click.option("--tier", default="", help="Only for customers of this tier (e.g. Gold).")
@click.option("--segment", default="", help="Only for members of this saved segment.")
@click.option("--birthday", is_flag=True, help="Only for customers in their birthday month.")
@BY_OPTION
def promo_add(
    name: str,
    kind: str,
    item: str | None,
    category: str | None,
    value: str,
    buy: int,
    pay: int,
    starts_on: date | None,
    ends_on: date | None,
    tier: str,
    segment: str,
    birthday: bool,
    by: str | None,
) -> None:
    """Add a promotion (signed with --by once the till has staff); --tier or --segment
    keeps it for those customers (it applies once such a customer is attached)."""
    with _obj().open_till() as till:
        approval = signed(till, by, Action.PRODUCT_ADMIN, f"promotion {name}")
        made = promotions_for(till.promotions, till.db, approval.actor).add(
            name=name,
            kind=kind,
            item=item,
            category=category,
            value=value,
            buy=buy,
            pay=pay,
            starts_on=starts_on,
            ends_on=ends_on,
            tier=tier,
            segment=segment,
            birthday=birthday,
            approval=approval,
        )
        target = till.promotions.target_name(made)
    audience = f" for {made.reason.removeprefix(made.name).strip(' ()')}" if made.audience else ""
    click.echo(f"promotion #{made.id} {made.name}: {made.label} on {target}{audience}")


@promo.command("list")
def promo_list() -> None:
    """Every promotion with its dates (active ones marked *)."""
    with _obj().open_till(read_only=True) as till:
        today = till.promotions.today()
        rows = [(p, till.promotions.target_name(p)) for p in till.promotions.list()]
    if not rows:
        click.echo("no promotions")
    for p, target in rows:
        mark = "*" if p.active_on(today) else " "
        ends = p.ends_on.isoformat() if p.ends_on else "open"
        click.echo(
            f"{mark} #{p.id}  {p.name}  {p.label}  on {target}  {p.starts_on.isoformat()}..{ends}"
        )


@promo.command("end")
@click.argument("promo_id", type=int)
@BY_OPTION
def promo_end(promo_id: int, by: str | None) -> None:
    """End a promotion today (it no longer applies to new sales)."""
    with _obj().open_till() as till:
        approval = signed(till, by, Action.PRODUCT_ADMIN, f"end promotion #{promo_id}")
        ended = promotions_for(till.promotions, till.db, approval.actor).end(promo_id, approval)
    last = ended.ends_on.isoformat() if ended.ends_on else "-"
    click.echo(f"promotion #{ended.id} {ended.name} ended (last day {last})")
