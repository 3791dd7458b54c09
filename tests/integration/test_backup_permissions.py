"""Who may back the database up and who may restore over it, decided by the use case
(``services/backups.py``), however it is called: a backup to a place of one's choosing
is DATABASE_ADMIN, a restore over the database DATABASE_RESTORE (both managers' by
default, separable in ``[staff.permissions]``); the backup after a Z is the Z's own.
A refusal is audited in the database as it is and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.approvals import approved
from tests.support.audit import last_audit, rows
from tui_pos.bootstrap import Till
from tui_pos.cli import main
from tui_pos.domain.staff import Action, Approval, Employee, Permissions, Role
from tui_pos.services.permissions import PermissionDenied

LOAF = "5900000000015"


def _sell(till: Till) -> None:
    till.register.enter(LOAF)
    till.register.pay_cash("")


def _sales(till: Till) -> int:
    """How many sales the till's database holds (read from the side)."""
    ((count,),) = rows(till, "SELECT COUNT(*) FROM sale")
    assert isinstance(count, int)
    return count


def test_a_backup_needs_database_admin(
    demo_till: Till, supervisor: Employee, tmp_path: Path
) -> None:
    backups, dest = demo_till.backups, tmp_path / "copies"
    with pytest.raises(PermissionDenied, match="Sam Supervisor may not do this: Database backup"):
        backups.back_up(dest, Approval(Action.DATABASE_ADMIN, supervisor))
    assert last_audit(demo_till)[:3] == ("database_admin", "refused", supervisor.name)
    assert f"backup to {dest}" in str(last_audit(demo_till)[4])
    assert not dest.exists()  # nothing written
    manager = approved(demo_till, Action.DATABASE_ADMIN)
    made = [backups.back_up(dest, manager, keep=2) for _ in range(3)]
    assert [m.path.parent for m in made] == [dest] * 3
    assert made[2].removed == (made[0].path,)  # the oldest beyond the newest two
    assert sorted(dest.glob("till-*.db")) == sorted([made[1].path, made[2].path])


def test_an_owner_may_let_supervisors_back_up_but_not_restore(
    demo_till: Till, supervisor: Employee, tmp_path: Path
) -> None:
    staff = demo_till.staff
    grants = Permissions.default().grants
    more = {**grants, Role.SUPERVISOR: grants[Role.SUPERVISOR] | {Action.DATABASE_ADMIN}}
    staff.settings = replace(staff.settings, permissions=Permissions(more))
    made = demo_till.backups.back_up(tmp_path, Approval(Action.DATABASE_ADMIN, supervisor))
    assert made.path.is_file()
    with pytest.raises(PermissionDenied, match="Database restore"):
        demo_till.backups.restore(made.path, Approval(Action.DATABASE_RESTORE, supervisor))
    assert last_audit(demo_till)[:3] == ("database_restore", "refused", supervisor.name)


def test_the_backup_after_a_z_is_covered_by_the_zs_own_approval(
    demo_till: Till, supervisor: Employee
) -> None:
    """A supervisor may close the day (and so make its backup) without database admin."""
    z = Approval(Action.Z_CLOSE, supervisor)
    demo_till.reports.close_day(z)
    made = demo_till.backups.after_z(z)
    assert made is not None and made.path.parent == demo_till.db_path.parent / "backups"
    with pytest.raises(PermissionDenied):  # another action's approval does not cover it
        demo_till.backups.after_z(Approval(Action.REPORTS, supervisor))
    assert last_audit(demo_till)[:3] == ("z_close", "refused", supervisor.name)
    assert sorted(made.path.parent.glob("till-*.db")) == [made.path]


def test_a_refused_restore_is_audited_in_the_database_that_stays(
    demo_till: Till, supervisor: Employee, tmp_path: Path
) -> None:
    backups = demo_till.backups
    older = backups.back_up(tmp_path, approved(demo_till, Action.DATABASE_ADMIN)).path
    _sell(demo_till)  # after the backup: a restore would lose it
    sold = _sales(demo_till)
    for asked in (Approval(Action.DATABASE_RESTORE, supervisor), None):
        with pytest.raises(PermissionDenied, match="Database restore"):
            backups.restore(older, asked)
    assert last_audit(demo_till)[:2] == ("database_restore", "refused")
    assert f"restore {older.name} over it" in str(last_audit(demo_till)[4])
    assert _sales(demo_till) == sold  # nothing replaced
    backups.restore(older, approved(demo_till, Action.DATABASE_RESTORE))
    assert _sales(demo_till) == sold - 1  # the backup's database now


def test_a_refused_restore_from_the_command_line_leaves_the_database_as_it_was(
    demo_till: Till, supervisor: Employee, tmp_path: Path
) -> None:
    older = demo_till.backups.back_up(tmp_path, approved(demo_till, Action.DATABASE_ADMIN)).path
    _sell(demo_till)
    sold = _sales(demo_till)
    demo_till.close()
    db = demo_till.db_path
    result = CliRunner().invoke(
        main,
        ["--db", str(db), "db", "restore", str(older), str(db), "--replace", "--by", "2"],
        input="1357\n",
    )
    assert result.exit_code == 1, result.output
    assert "Sam Supervisor may not do this: Database restore" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert last_audit(demo_till)[:3] == ("database_restore", "refused", supervisor.name)
    assert _sales(demo_till) == sold  # the sale after the backup is still there
    result = CliRunner().invoke(
        main,
        ["--db", str(db), "db", "restore", str(older), str(db), "--replace", "--by", "1"],
        input="2468\n",
    )
    assert result.exit_code == 0, result.stderr
    assert _sales(demo_till) == sold - 1  # replaced by the backup
