"""``python -m tui_pos`` runs the ``tui-pos`` command."""

from tui_pos.entry import main

main()
