"""Bad servers as a till meets them (issue 13, "Bad input"): an unreachable address, an
HTTP server that is not a tui-pos server, a store server older than the till, a revoked
till: each a clear message, exit 1, nothing stored or changed at the till. Real parts:
the API as a process on a real PostgreSQL, Python's own ``http.server`` as the wrong
server, tills as ``tui-pos`` processes."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_store_catalog import Till
from tests.support.pg_cluster import binaries_missing
from tests.support.store_server import (
    Api,
    api,
    cluster,
    enroll_code,
    free_port,
    token_for,
    tui_pos,
    url,
)

pytestmark = pytest.mark.skipif(binaries_missing() is not None, reason=str(binaries_missing()))
psycopg = pytest.importorskip("psycopg", reason="the server extra (psycopg) is not installed")

__all__ = ["api", "cluster", "url"]  # the fixtures this module uses


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[str]:
    """Some other HTTP server (not a store server) on a free port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base, timeout=1).read()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "no web server"
                time.sleep(0.1)
        yield base
    finally:
        proc.kill()
        proc.wait(10)


def test_enrolling_with_a_bad_server_stores_nothing(
    api: Api, web_server: str, tmp_path: Path
) -> None:
    till = Till(tmp_path, "T1")
    code = enroll_code(api.db_url, "S01", "T1")
    nowhere = f"http://127.0.0.1:{free_port()}"
    for address, message in (
        (nowhere, f"server {nowhere} not reachable"),
        (web_server, f"{web_server} does not answer like a tui-pos server with API v1"),
        ("ftp://example", "is not a server address like http://host:8740"),
    ):
        done = till.run("sync", "enroll", address, code)
        assert done.returncode == 1 and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""
        assert till.query("SELECT count(*) FROM sync_state") == [(0,)]
    done = till.run("sync", "enroll", api.base, code)  # the code was not used up
    assert done.returncode == 0, done.stderr


def test_an_enrolled_till_meets_a_dead_older_or_revoked_server(api: Api, tmp_path: Path) -> None:
    till = Till(tmp_path, "T1")
    assert (
        till.run("sync", "enroll", api.base, enroll_code(api.db_url, "S01", "T1")).returncode == 0
    )
    token = token_for(api, "S01", "T9")
    status, answer = api.call("POST", "/v1/teleport", {}, token)
    assert status == 404 and answer["error"] == "version"
    assert "has no /v1/teleport: it is older than the till" in answer["message"]

    api.kill()
    dead = till.run("sync", "now")
    assert dead.returncode == 1 and f"server {api.base} not reachable" in dead.stderr
    status_now = till.run("sync", "status")
    assert status_now.returncode == 0 and "offline since" in status_now.stdout
    api.start()
    assert till.run("sync", "now").returncode == 0
    revoked = tui_pos(
        "server", "revoke", "--url", api.db_url, "--store", "S01", "--till", "T1",
        "--operator", "ops",
    )  # fmt: skip
    assert revoked.returncode == 0, revoked.stderr
    refused = till.run("sync", "now")
    assert refused.returncode == 1 and "revoked" in refused.stderr
    assert "Traceback" not in refused.stderr
