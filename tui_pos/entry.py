"""The ``tui-pos`` console script: the lean start of the two read-only reports measured
as whole processes (:mod:`tui_pos.lean_report`) and of the register
(:func:`tui_pos.cli.start.lean_run`), else the full command line (click).

Nothing is imported here before the command line has been looked at: ``report x`` and
``report sales --by hour`` never load click, Peewee's models, the config package or the
services they do not use; a plain ``tui-pos [run]`` on an existing till never loads
click; every other command runs exactly as before.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run ``tui-pos`` with ``sys.argv``."""
    if "report" in sys.argv[1:6]:  # (every other command skips even this module)
        from tui_pos.lean_report import run

        status = run(sys.argv[1:])
        if status is not None:
            sys.exit(status)
    from tui_pos.startup_gc import hold

    hold()  # until the register's first frame, or until the command line is read
    from tui_pos.cli.start import lean_run

    lean_run(sys.argv[1:])  # a plain start of an existing till ends there
    from tui_pos.cli.root import main as command_line

    command_line()
