"""The store server's test parts: a real PostgreSQL per module, an empty database per
test (its schema made by ``tui-pos server init``), the API as a process, the CLI as a
process, enrollment codes and tokens, a till's pushed chain (:func:`chain`). Test
modules import the fixtures they use (``cluster``, ``url``, ``api``) from here; the sync
bench uses the same parts."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.pg_cluster import Cluster

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "tui_pos"]


def tui_pos(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, input=stdin, timeout=60, cwd=ROOT
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    pg = Cluster(Path(tempfile.mkdtemp(prefix="tui-pos-pg-")))
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        pg.stop("immediate")
        shutil.rmtree(pg.root, ignore_errors=True)


@pytest.fixture
def url(cluster: Cluster) -> str:
    """An empty database per test, its schema made by ``tui-pos server init``."""
    name = f"t{time.monotonic_ns()}"
    import psycopg

    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    db_url = cluster.url.replace("/postgres?", f"/{name}?")
    done = tui_pos("server", "init", "--url", db_url)
    assert done.returncode == 0, done.stderr
    return db_url


class Api:
    def __init__(self, url: str, pin_key: Path | None = None, args: tuple[str, ...] = ()) -> None:
        self.db_url = url
        self.pin_key = pin_key  #: the organisation's PIN key file (--pin-key), if any
        self.args = args  #: more options of ``server run`` (``--claim-lease 2``)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                *CLI, "server", "run", "--url", self.db_url, "--port", str(self.port),
                *(["--pin-key", str(self.pin_key)] if self.pin_key else []), *self.args,
            ],
            cwd=ROOT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.base}/v1/info", timeout=1).read()
                return
            except OSError:
                assert self.proc.poll() is None, "the API process ended"
                time.sleep(0.1)
        raise AssertionError("the API did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def call(
        self, method: str, path: str, body: Any = None, token: str = "", raw: bytes | None = None
    ) -> tuple[int, dict[str, Any]]:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())


@pytest.fixture
def api(url: str) -> Iterator[Api]:
    server = Api(url)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def enroll_code(url: str, store: str, till: str) -> str:
    done = tui_pos(
        "server", "enroll", "--url", url, "--store", store, "--till", till, "--operator", "ops"
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def token_for(api: Api, store: str, till: str) -> str:
    status, answer = api.call("POST", "/v1/enroll", {"code": enroll_code(api.db_url, store, till)})
    assert status == 200, answer
    return str(answer["token"])


def _row(table: str, row_id: int, **values: Any) -> str:
    from tui_pos.domain.chain import row_text
    from tui_pos.models.chain_tables import CHAINED

    return row_text(table, row_id, [values.get(c) for c in CHAINED[table].columns])


def chain(n: int, start: tuple[int, str] = (0, "0" * 64), tag: str = "a") -> list[dict[str, Any]]:
    """``n`` well-linked chain entries, each one cash sale of two teas with its line,
    payment, tax and stock movement (the server checks links and digests, not the key)."""
    import hashlib

    docs, (seq, prev) = [], start
    for _ in range(n):
        seq += 1
        at = f"2026-12-0{1 + seq % 2} 06:00:00"
        texts = [
            _row(
                "payment",
                seq,
                uuid=f"{tag}p{seq}",
                till="T",
                seq=seq,
                sale_id=seq,
                kind="cash",
                amount_cents=100,
                tendered_cents=100,
                change_cents=0,
            ),
            _row(
                "sale",
                seq,
                uuid=f"{tag}s{seq}",
                till="T",
                seq=seq,
                status="completed",
                created_at=at,
                cashier="E1",
                subtotal_cents=100,
                discount_cents=0,
                tax_cents=17,
                total_cents=100,
            ),
            _row(
                "sale_line",
                seq,
                sale_id=seq,
                position=1,
                product_id=1,
                name="Tea",
                code="5900000000017",
                unit="each",
                qty_milli=2000,
                unit_price_cents=50,
                amount_cents=100,
                tax_code="A",
            ),
            _row("sale_tax", seq, sale_id=seq, code="A", rate_bp=2000, base_cents=83, tax_cents=17),
            _row(
                "stock_movement",
                seq,
                uuid=f"{tag}m{seq}",
                till="T",
                seq=seq,
                product_id=1,
                qty_milli=-2000,
                kind="sale",
                created_at=at,
            ),
        ]
        digest = hashlib.sha256("".join(t + "\n" for t in texts).encode()).hexdigest()
        mac = hashlib.sha256(f"{prev}{tag}{seq}".encode()).hexdigest()
        docs.append(
            {
                "seq": seq,
                "marks": json.dumps({"sale": seq}),
                "rows": len(texts),
                "digest": digest,
                "amount_cents": 100,
                "grand_total_cents": 100 * seq,
                "prev_mac": prev,
                "mac": mac,
                "row_texts": texts,
                "codes": {"1": "5900000000017"},
            }
        )
        prev = mac
    return docs
