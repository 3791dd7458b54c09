"""``tui-pos import customers``, ``export customers`` and ``tui-pos customer ...``.

Commands that hand out or destroy personal data (exports, erasure) are signed, once the
till has staff, by an employee whose role may do "customer data admin": ``--by NUMBER``,
whose PIN is asked for (hidden; read from stdin when it is not a terminal) and recorded
in the audit log.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from tui_pos.bootstrap import Till
from tui_pos.cli.context import Context, read_csv
from tui_pos.cli.lazy import LazyGroup
from tui_pos.cli.signing import BY_OPTION, signed
from tui_pos.domain.staff import Action, Approval, StaffError


def _signed(till: Till, by: str | None, what: str) -> Approval:
    """Check that ``by`` (with their PIN) may handle customer data; record it."""
    return signed(till, by, Action.CUSTOMER_ADMIN, what)


@click.command("customers")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
@BY_OPTION
@click.pass_obj
def import_customers_cmd(obj: Context, file: Path, dry_run: bool, by: str | None) -> None:
    """Import customers from FILE.csv (name; card,phone,email,birthday,notes,preferences,
    consent): all rows valid or nothing written; matched by card, else phone (signed,
    a dry run too: it tells who is a customer already)."""
    lines = read_csv(file)
    with obj.open_till() as till:
        approval = _signed(
            till, by, f"import customers {file.name}{' (dry run)' if dry_run else ''}"
        )
        summary = till.customers.import_csv(lines, till.parser, approval, dry_run=dry_run)
    verb = "would create" if dry_run else "created"
    click.echo(f"{file}: {verb} {summary.created}, updated {summary.updated} customers")


@click.command("customers")
@click.option("--segment", help="Only the customers of this saved segment.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option(
    "--purpose",
    default="",
    help="Why: 'marketing' exports only customers who agreed to marketing; any other"
    " purpose is recorded with the export.",
)
@BY_OPTION
@click.pass_obj
def export_customers_cmd(
    obj: Context, segment: str | None, fmt: str, purpose: str, by: str | None
) -> None:
    """Customers (all, or a saved segment) with tier, points, visits and spend."""
    from tui_pos.services.customer_export import rows_csv, rows_json

    marketing = purpose.strip().lower() == "marketing"
    why = purpose.strip() or "an unstated purpose"
    with obj.open_till() as till:
        approval = _signed(till, by, f"export customers {segment or 'all'} for {why}")
        rows = till.customers.export_rows(segment, consent_only=marketing, approval=approval)
    click.echo(rows_csv(rows) if fmt == "csv" else rows_json(rows), nl=fmt == "json")


@click.group(cls=LazyGroup, lazy={"unsubscribe": "tui_pos.cli.mail:unsubscribe_cmd"})
def customer() -> None:
    """One customer's data: export everything held, erase (anonymise), segments."""


@customer.command("export")
@click.argument("key")
@BY_OPTION
@click.pass_obj
def customer_export_cmd(obj: Context, key: str, by: str | None) -> None:
    """Everything held about the customer with card or id KEY, as JSON (recorded)."""
    with obj.open_till() as till:
        data = till.customers.export_data(key, _signed(till, by, f"export customer {key}"))
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@customer.command("erase")
@click.argument("key")
@click.option("--yes", is_flag=True, help="Really erase (it cannot be undone).")
@click.option("--note", default="", help="Why (e.g. the request's reference); recorded.")
@BY_OPTION
@click.pass_obj
def customer_erase_cmd(obj: Context, key: str, yes: bool, note: str, by: str | None) -> None:
    """Anonymise the customer with card or id KEY: personal data cleared, card removed;
    the sales and the points ledger are kept for the books. Needs --yes."""
    if not yes:
        raise StaffError("Erasing cannot be undone: add --yes to do it")
    with obj.open_till() as till:
        erased = till.customers.erase(key, note, _signed(till, by, f"erase customer {key}"))
    click.echo(f"customer #{erased.id} erased (sales and points ledger kept)")


@customer.command("segment")
@click.argument("name")
@click.option("--tier", help="Current tier name, e.g. Gold.")
@click.option("--not-seen-days", type=click.IntRange(0, 100_000), help="Not seen in N days.")
@click.option("--seen-within-days", type=click.IntRange(0, 100_000), help="Last visit in N days.")
@click.option("--rfm", "rfm_group", help="RFM group: Champions, Loyal, New, At risk, Lost, Others.")
@click.option("--min-visits", type=click.IntRange(0, 100_000), help="At least N visits.")
@click.option("--consent", is_flag=True, help="Only customers who agreed to marketing.")
@BY_OPTION
@click.pass_obj
def customer_segment_cmd(
    obj: Context,
    name: str,
    tier: str | None,
    not_seen_days: int | None,
    seen_within_days: int | None,
    rfm_group: str | None,
    min_visits: int | None,
    consent: bool,
    by: str | None,
) -> None:
    """Save (or replace) the segment NAME; list it with the segments screen or export it."""
    from tui_pos.domain.segments import SegmentRule

    rule = SegmentRule(tier, not_seen_days, seen_within_days, rfm_group, min_visits, consent)
    with obj.open_till() as till:
        till.customers.save_segment(name, rule, _signed(till, by, f"save segment {name}"))
        count = len(till.customers.members(rule))
    click.echo(f"segment {name!r} saved: {rule.describe()} ({count} customers now)")
