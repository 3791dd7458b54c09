"""The ``tui-pos`` command line: ``root`` holds the root group (``main``, the entry point)
and adds the command groups, one module each; ``context`` is what they share (``Context``
with ``open_till()``); ``console`` is the click-free part (stderr, user errors, the global
options read by hand); ``start`` the register's process; ``output`` renders reports.

``main`` is imported from ``root`` when first asked for, so that the lean report start
(``tui_pos.lean_report``) can use ``output`` without loading click.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui_pos.cli.root import main

__all__ = ["main"]


def __getattr__(name: str) -> Any:
    if name == "main":
        from tui_pos.cli.root import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
