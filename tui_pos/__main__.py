"""``python -m tui_pos`` runs the ``tui-pos`` command."""

from tui_pos.cli import main

main()
