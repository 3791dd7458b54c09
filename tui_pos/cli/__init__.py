"""The ``tui-pos`` command line: ``root`` holds the root group (``main``, the entry point)
and adds the command groups, one module each; ``context`` is what they share (``Context``
with ``open_till()``, ``user_errors``, used once by the root group); ``output`` renders reports."""

from tui_pos.cli.root import main

__all__ = ["main"]
