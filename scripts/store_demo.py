"""``make store-demo``: a store with two tills and a server on one machine.

Starts (or reuses) a PostgreSQL cluster in ``var/store-demo/pg`` (socket there, no TCP),
creates the server schema, and opens a private tmux server ``tui-pos-store`` with three
windows: the store server's API on 127.0.0.1:8740 and tills T1 and T2 on the demo store,
each enrolled with the server the first time. The server keeps the organisation's PIN key
(``var/store-demo/pin.key``) and the demo's staff, so they log in at both tills with the
same PINs and a cashier added at one till logs in at the other. ``make store-demo-stop``
ends it all.

Usage: ``.venv/bin/python scripts/store_demo.py [start|stop]``
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.pg_cluster import Cluster, binaries_missing  # noqa: E402
from tui_pos.demo.store import DEMO_STAFF  # noqa: E402

HOME = ROOT / "var" / "store-demo"
TMUX = ["tmux", "-L", "tui-pos-store"]
PORT = 8740
API = f"http://127.0.0.1:{PORT}"
TUI_POS = str(ROOT / ".venv" / "bin" / "tui-pos")


PIN_KEY = HOME / "pin.key"


def run(*args: str, stdin: str | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, input=stdin)
    if done.returncode != 0:
        sys.exit(f"store-demo: {' '.join(args[:4])}...: {done.stderr.strip()}")
    return done.stdout.strip()


def wait_for_api() -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{API}/v1/info", timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"store-demo: the server did not answer at {API} (tmux -L tui-pos-store attach)")


def start() -> None:
    missing = binaries_missing() or (None if shutil.which("tmux") else "tmux is not installed")
    if missing:
        sys.exit(f"store-demo: {missing}")
    pg = Cluster(HOME / "pg")
    if not pg.data.exists():
        pg.init()
    if not (pg.data / "postmaster.pid").exists():
        pg.start()
    run(TUI_POS, "server", "init", "--url", pg.url)
    subprocess.run([*TMUX, "kill-server"], capture_output=True)
    server = (
        f"{TUI_POS} server run --url {shlex.quote(pg.url)} --port {PORT}"
        f" --pin-key {shlex.quote(str(PIN_KEY))}"
    )
    run(*TMUX, "new-session", "-d", "-s", "store", "-n", "server", "-x", "100", "-y", "30", server)
    wait_for_api()
    add_demo_staff(pg.url)
    for till in ("T1", "T2"):
        db, config = HOME / f"{till}.db", HOME / f"{till}.toml"
        config.write_text(f'[store]\nname = "Demo store, till {till}"\ntill = "{till}"\n')
        if not db.exists():
            code = run(
                TUI_POS, "server", "enroll", "--url", pg.url, "--store", "S01", "--till", till,
                "--operator", "store-demo",
            )  # fmt: skip
            run(TUI_POS, "--config", str(config), "--db", str(db), "sync", "enroll", API, code)
        command = f"{TUI_POS} --config {shlex.quote(str(config))} demo --db {shlex.quote(str(db))}"
        run(*TMUX, "new-window", "-t", "store", "-n", till, command)
    print(
        f"store-demo: server {API} (database {pg.url}), tills T1 and T2 in tmux.\n"
        "  tmux -L tui-pos-store attach      (Ctrl+B N: next window, Ctrl+B D: leave)\n"
        f"  {TUI_POS} server report till --url '{pg.url}' --operator you\n"
        "  make store-demo-stop              (stops the tills, the server and PostgreSQL)"
    )


def add_demo_staff(url: str) -> None:
    """The demo's staff, added once at the server (before the tills enroll, so each till
    pulls them at enrollment instead of making its own)."""
    done = HOME / "staff-added"
    if done.exists():
        return
    for number, name, role, pin in DEMO_STAFF:
        run(
            TUI_POS, "server", "staff-add", "--url", url, "--pin-key", str(PIN_KEY),
            "--number", number, "--name", name, "--role", role.value, "--operator", "store-demo",
            stdin=pin + "\n",
        )  # fmt: skip
    done.touch()


def stop() -> None:
    subprocess.run([*TMUX, "kill-server"], capture_output=True)
    Cluster(HOME / "pg").stop()
    print("store-demo: stopped (var/store-demo keeps the databases; delete it to start afresh)")


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1] if len(sys.argv) > 1 else "start"]()
