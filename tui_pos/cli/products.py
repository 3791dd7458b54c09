"""``tui-pos import products``: the catalog from a CSV file, all rows or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from tui_pos.bootstrap import Till
from tui_pos.cli.context import Context, stream_lines
from tui_pos.cli.signing import BY_OPTION, signed
from tui_pos.domain.staff import Action, Employee


@click.command("products")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
@BY_OPTION
@click.pass_obj
def import_products_cmd(obj: Context, file: Path, dry_run: bool, by: str | None) -> None:
    """Import products from FILE.csv: all rows valid or nothing written (signed with --by
    once the till has staff)."""
    lines = stream_lines(file)  # read as it is imported: never all in memory
    with obj.open_till() as till:
        approval = None
        if not dry_run:
            approval = signed(till, by, Action.PRODUCT_ADMIN, f"import products {file.name}")
            if _import_at_server(till, lines, approval.actor, file):
                return
        summary = till.import_products(lines, approval, dry_run=dry_run)
    verb = "would create" if dry_run else "created"
    click.echo(f"{file}: {verb} {summary.created}, updated {summary.updated} products")


def _import_at_server(
    till: Till, lines: Iterator[str], signer: Employee | None, file: Path
) -> bool:
    """An enrolled till's import goes to the store server (False: not enrolled)."""
    from tui_pos.services.product_import import parse_products
    from tui_pos.sync import managed

    if not managed.enrolled(till.db):
        return False
    records = parse_products(lines, list(till.register.tax_rates()), till.parser)
    sent = managed.send(till.db, "product", managed.product_items(records), signer)
    click.echo(f"{file}: sent {sent} products to the store server; every till applies them")
    return True
