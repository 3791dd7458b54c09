"""``tui-pos staff ...``: employees, PINs and badges from the command line.

The first employee must be a manager. After that every change is signed (``--by
NUMBER``: someone whose role may do staff admin, whose PIN is asked for, hidden, or read
from stdin when it is not a terminal) and goes into the audit log under their name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from tui_pos.cli.context import Context
from tui_pos.cli.lazy import LazyGroup
from tui_pos.cli.reports import emit_analysis
from tui_pos.cli.signing import BY_OPTION, read_pin, signed
from tui_pos.domain.analysis import AnalysisReport, DateRange, parse_range
from tui_pos.domain.staff import Action, Approval, Role, StaffError, parse_role
from tui_pos.services.staff import Staff
from tui_pos.services.staff_reports import audit_report, hours_report

if TYPE_CHECKING:
    from tui_pos.bootstrap import Till

_ROLES = click.Choice([r.value for r in Role])


@click.group(
    cls=LazyGroup,
    lazy={
        "reset-key": "tui_pos.cli.recovery:staff_reset_key",
        "recovery-code": "tui_pos.cli.recovery:staff_recovery_code",
    },
)
def staff() -> None:
    """Employees: add, list, PINs, badges, roles."""


@staff.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@BY_OPTION
@click.pass_obj
def staff_list(obj: Context, fmt: str, by: str | None) -> None:
    """Everyone, with role, badge and lock-out state (never PINs; signed with --by once
    the till has staff)."""
    with obj.open_till(read_only=True) as till:
        people = till.staff.employees(signed(till, by, Action.STAFF_ADMIN, "list staff"))
        now = till.register.clock()
    rows = [
        {
            "number": s.employee.code,
            "name": s.employee.name,
            "role": s.employee.role.value,
            "active": s.employee.active,
            "badge": bool(s.badge),
            "locked": bool(s.locked_until and s.locked_until > now),
        }
        for s in people
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No staff yet: tui-pos staff add --number 1 --name NAME --role manager")
        return
    for r in rows:
        flags = [
            "" if r["active"] else "inactive",
            "badge" if r["badge"] else "",
            "LOCKED" if r["locked"] else "",
        ]
        extra = ", ".join(f for f in flags if f)
        click.echo(f"{r['number']:>8}  {r['name']:<30} {r['role']:<10} {extra}")


@staff.command("add")
@click.option("--number", required=True, help="The employee number typed at log-in (digits).")
@click.option("--name", required=True)
@click.option("--role", type=_ROLES, required=True)
@click.option("--badge", help="A badge code that logs them in when scanned.")
@BY_OPTION
@click.pass_obj
def staff_add(
    obj: Context, number: str, name: str, role: str, badge: str | None, by: str | None
) -> None:
    """Add an employee; their PIN (4-8 digits) is asked for twice."""
    with obj.open_till() as till:
        first = not till.staff.has_staff()
        if first and parse_role(role) is not Role.MANAGER:
            raise StaffError("The first employee must be a manager (--role manager)")
        approval = signed(till, by, Action.STAFF_ADMIN, f"add {number} {name} ({role})")
        pin = read_pin(f"PIN for {name}", confirm=True)
        if _shared(till):
            from tui_pos.sync import managed_staff as ms

            pin_hash = ms.pin_hash_for(pin, till.staff.pepper, till.staff.settings.cost)
            click.echo(
                ms.add(till.db, number, name, parse_role(role), pin_hash, badge, approval.actor)
            )
            return
        employee = till.staff.add_employee(number, name, parse_role(role), pin, badge, approval)
    click.echo(f"Added {employee.code} {employee.name} ({employee.role.value})")


def _shared(till: Till) -> bool:
    """True when this till's staff are the store server's (sync/managed_staff.py)."""
    from tui_pos.sync.managed_staff import shared

    return shared(till.db)


@staff.command("set-pin")
@click.argument("number")
@BY_OPTION
@click.pass_obj
def staff_set_pin(obj: Context, number: str, by: str | None) -> None:
    """Give an employee a new PIN (also lifts a lock-out)."""
    with obj.open_till() as till:
        approval = signed(till, by, Action.STAFF_ADMIN, f"new PIN for {number}")
        pin = read_pin(f"New PIN for {number}", confirm=True)
        if _shared(till):
            from tui_pos.sync import managed_staff as ms

            pin_hash = ms.pin_hash_for(pin, till.staff.pepper, till.staff.settings.cost)
            click.echo(ms.change(till.db, number, {"pin_hash": pin_hash}, approval.actor))
            return
        till.staff.set_pin(number, pin, approval)
    click.echo(f"PIN of {number} changed")


@staff.command("change")
@click.argument("number")
@click.option("--role", type=_ROLES)
@click.option("--badge", help="A new badge code (empty text removes the badge).")
@click.option("--active/--inactive", default=None, help="Let them log in, or not.")
@BY_OPTION
@click.pass_obj
def staff_change(
    obj: Context,
    number: str,
    role: str | None,
    badge: str | None,
    active: bool | None,
    by: str | None,
) -> None:
    """Change an employee's role or badge, or deactivate them."""
    if role is None and badge is None and active is None:
        raise StaffError("Nothing to change: give --role, --badge or --active/--inactive")
    with obj.open_till() as till:
        approval = signed(till, by, Action.STAFF_ADMIN, f"change {number}")
        if _shared(till):
            from tui_pos.sync import managed_staff as ms

            changed: dict[str, object] = {"role": role} if role else {}
            if active is not None:
                changed["active"] = active
            if badge is not None:
                changed["badge"] = badge.strip() or None
            click.echo(ms.change(till.db, number, changed, approval.actor))
            return
        employee = till.staff.update_employee(
            number,
            role=parse_role(role) if role else None,
            active=active,
            badge=badge,
            approval=approval,
        )
    state = "active" if employee.active else "inactive"
    click.echo(f"{employee.code} {employee.name}: {employee.role.value}, {state}")


@staff.command("unlock")
@click.argument("number")
@BY_OPTION
@click.pass_obj
def staff_unlock(obj: Context, number: str, by: str | None) -> None:
    """Lift a lock-out after too many wrong PINs."""
    with obj.open_till() as till:
        till.staff.unlock(number, signed(till, by, Action.STAFF_ADMIN, f"unlock {number}"))
    click.echo(f"{number} unlocked")


def _staff_report(
    name: str,
    make: Callable[[Staff, DateRange, Approval | None], AnalysisReport],
    action: Action,
    doc: str,
) -> click.Command:
    """A ``report`` subcommand over local calendar days (default: today)."""

    @click.command(name, help=doc)
    @click.option("--date", "day", help="One day (YYYY-MM-DD).")
    @click.option("--from", "first", help="First day (YYYY-MM-DD), included.")
    @click.option("--to", "last", help="Last day (YYYY-MM-DD), included.")
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
    @BY_OPTION
    @click.pass_obj
    def command(
        obj: Context, day: str | None, first: str | None, last: str | None, fmt: str, by: str | None
    ) -> None:
        with obj.open_till(read_only=True) as till:
            approval = signed(till, by, action, f"{name} report")
            period = parse_range(till.analysis.today(), day=day, first=first, last=last)
            result = make(till.staff, period, approval)
        emit_analysis(result, fmt)

    return command


report_hours = _staff_report(
    "hours",
    hours_report,
    Action.REPORTS,
    "Hours worked per employee from the time clock (default: today; signed with --by).",
)
report_audit = _staff_report(
    "audit",
    audit_report,
    Action.AUDIT_READ,
    "The audit log: log-ins, approvals, refusals, cash, Z closes (default: today; signed "
    "with --by).",
)
