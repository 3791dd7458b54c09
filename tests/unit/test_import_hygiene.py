"""The domain and the services never load Textual, Peewee or a device library."""

from __future__ import annotations

import ast
import subprocess
import sys

FORBIDDEN = ("textual", "peewee", "escpos", "serial", "evdev", "click")


def test_domain_and_services_load_no_ui_storage_or_drivers() -> None:
    code = (
        "import sys, pkgutil, importlib\n"
        "import tui_pos.domain, tui_pos.services\n"
        "for pkg in (tui_pos.domain, tui_pos.services):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(f'{pkg.__name__}.{m.name}')\n"
        f"print(sorted(n for n in {FORBIDDEN!r} if n in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_cli_commands_other_than_run_do_not_load_textual() -> None:
    code = "import sys, tui_pos.cli, tui_pos.bootstrap\nprint('textual' in sys.modules)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_register_starts_without_the_screens_it_does_not_show() -> None:
    """Cold start (issue 17): the first frame loads the log-in screen only; the thread that
    opens the till loads the sale screen's modules; the others, and the plotting library of
    the reports screen, are loaded when first opened."""
    shown = (
        "print(sorted(m for m in sys.modules if m.startswith(('tui_pos.screens.', 'plotext',"
        " 'textual_plotext'))))\n"
    )
    code = (
        "import sys, tui_pos.cli, tui_pos.app\n"
        + shown
        + "from tui_pos.till_opening import load_register_modules\n"
        + "load_register_modules()\n"
        + shown
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    first_frame, opened = (ast.literal_eval(line) for line in result.stdout.splitlines())
    # the dialogs module: the flows' worker group and ``ask`` (issue 12's flows)
    assert first_frame == ["tui_pos.screens.authorize", "tui_pos.screens.dialogs"]
    assert opened == [
        "tui_pos.screens.authorize",
        "tui_pos.screens.dialogs",
        "tui_pos.screens.register",
        "tui_pos.screens.returns",
        "tui_pos.screens.sale_edits",  # the register screen, split (issue 12)
        "tui_pos.screens.sale_storing",
        "tui_pos.screens.sale_view",
    ]
