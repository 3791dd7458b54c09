"""Staff and the organisation's PIN key managed at the store server (issue 13).

The server hands its PIN key over with the enrollment code, so a PIN hashed at one till
works at every till; ``staff add``, ``set-pin`` and ``change`` on such a till are signed
there and made at the server, and every till applies the record from the feed: a cashier
added once logs in everywhere, a deactivated one is refused everywhere once the feed
arrives, an offline till keeps working with what it has. Real PostgreSQL, the API as a
process (with its key file), tills as ``tui-pos`` processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_store_catalog import Till
from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import Api, cluster, enroll_code, token_for, tui_pos, url

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["cluster", "url"]  # the fixtures this module uses

ANN, CY = "2468", "9024"


@pytest.fixture
def keyed_api(url: str, tmp_path: Path) -> Iterator[Api]:
    server = Api(url, pin_key=tmp_path / "server" / "pin.key")
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _enroll(api: Api, till: Till) -> str:
    done = till.run("sync", "enroll", api.base, enroll_code(api.db_url, "S01", till.name))
    assert done.returncode == 0, done.stderr
    return str(done.stdout)


def _x_report(till: Till, number: str, pin: str) -> tuple[int, str]:
    done = till.run("report", "x", "--by", number, stdin=f"{pin}\n")
    return done.returncode, str(done.stderr)


def test_staff_added_once_work_at_every_till(keyed_api: Api, tmp_path: Path) -> None:
    api = keyed_api
    first = tui_pos(
        "server", "staff-add", "--url", api.db_url, "--pin-key", str(api.pin_key),
        "--number", "1", "--name", "Ann", "--role", "manager", "--operator", "ops",
        stdin=f"{ANN}\n",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    t1, t2 = Till(tmp_path, "T1"), Till(tmp_path, "T2")
    for till in (t1, t2):
        _enroll(api, till)
        assert till.query("SELECT code, name, role, active FROM employee") == [
            ("1", "Ann", "manager", 1)
        ]  # pulled at enrollment
        key = (till.db.parent / "pin.key").read_text().strip()
        assert key == api.pin_key.read_text().strip()  # type: ignore[union-attr]
        assert oct((till.db.parent / "pin.key").stat().st_mode & 0o777) == "0o600"

    added = t1.run(
        "staff", "add", "--number", "3", "--name", "Cy", "--role", "cashier", "--by", "1",
        stdin=f"{ANN}\n{CY}\n{CY}\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "sent to the store server" in added.stdout
    assert t2.run("sync", "now").returncode == 0
    assert _x_report(t2, "3", CY)[0] == 0  # the PIN set at T1 works at T2

    off = t2.run("staff", "change", "3", "--inactive", "--by", "1", stdin=f"{ANN}\n")
    assert off.returncode == 0, off.stderr
    api.kill()  # T1 is offline: it works with what it has (Cy still active there)
    assert _x_report(t1, "3", CY)[0] == 0
    api.start()
    assert t1.run("sync", "now").returncode == 0
    code, err = _x_report(t1, "3", CY)
    assert code == 1 and "Unknown employee number or wrong PIN" in err

    back = t1.run("staff", "change", "3", "--active", "--role", "supervisor", "--by", "1",
                  stdin=f"{ANN}\n")  # fmt: skip
    assert back.returncode == 0, back.stderr
    new_pin = t1.run("staff", "set-pin", "3", "--by", "1", stdin=f"{ANN}\n1470\n1470\n")
    assert new_pin.returncode == 0, new_pin.stderr
    assert t2.run("sync", "now").returncode == 0
    assert t2.query("SELECT role, active FROM employee WHERE code = '3'") == [("supervisor", 1)]
    assert _x_report(t2, "3", CY)[0] == 1
    assert _x_report(t2, "3", "1470")[0] == 0

    lacking = t2.run(
        "staff", "add", "--number", "4", "--name", "Di", "--role", "cashier", "--by", "3",
        stdin="1470\n4826\n4826\n",
    )  # fmt: skip
    assert lacking.returncode == 1 and "may not do this" in lacking.stderr
    reset = t1.run("staff", "reset-key", "--recovery-code", "X", "--manager", "1", stdin="2580\n")
    assert reset.returncode == 1 and "organisation's PIN key" in reset.stderr
    with psycopg.connect(api.db_url) as conn:
        audit = conn.execute("SELECT actor, action FROM audit WHERE action LIKE '%staff%'")
        assert audit.fetchall() == [
            ("ops", "staff-add"),
            ("Ann (#1, manager)", "catalog staff"),
            ("Ann (#1, manager)", "catalog staff"),
            ("Ann (#1, manager)", "catalog staff"),
            ("Ann (#1, manager)", "catalog staff"),
        ]
        [(body,)] = conn.execute("SELECT body FROM catalog WHERE key = '3'").fetchall()
        assert body["role"] == "supervisor" and body["pin_hash"].startswith("scrypt$")


def test_enrolling_a_till_with_its_own_staff(keyed_api: Api, tmp_path: Path) -> None:
    api = keyed_api
    till = Till(tmp_path, "T3")
    made = till.run(
        "staff", "add", "--number", "5", "--name", "Bo", "--role", "manager", stdin="3579\n3579\n"
    )
    assert made.returncode == 0, made.stderr
    said = _enroll(api, till)
    assert "1 PIN(s) made under this till's own key were cleared" in said
    assert till.query("SELECT code, pin_hash FROM employee") == [("5", "")]
    code, err = _x_report(till, "5", "3579")
    assert code == 1 and "has no PIN since the PIN key was replaced" in err
    token = token_for(api, "S01", "T9")  # a change of a number the server does not hold
    manager = {"id": 1, "name": "Ann", "role": "manager"}
    item = {"key": "9", "body": {"active": False}}
    status, answer = api.call(
        "POST", "/v1/catalog", {"topic": "staff", "by": manager, "items": [item]}, token
    )
    assert status == 400 and "no employee 9 at the store server" in answer["message"]
    bad = {"key": "9", "body": {"name": "Ed", "role": "cashier", "pin_hash": "1234"}}
    status, answer = api.call(
        "POST", "/v1/catalog", {"topic": "staff", "by": manager, "items": [bad]}, token
    )
    assert status == 400 and "'pin_hash'" in answer["message"]  # never a PIN in clear
