"""The cyclic garbage collector held off while the register starts.

Starting the register imports about 440 modules and builds the log-in screen: hundreds of
thousands of objects that all live on, and none of them garbage. The collector walks them
again and again while they are made (about 100 collections, 21-28 ms before the first
frame, counted with ``gc.callbacks``). ``tui-pos run`` holds it off from the first import until the
first frame is on the screen; the App releases it then (``PosApp.on_mount``), before the
till opens behind the log-in screen. Every other command releases it as soon as the
command line is read. Reference counting frees memory as always meanwhile; only cycles
wait, and the first collection after the release finds them.
"""

from __future__ import annotations

import gc

_held = False


def hold() -> None:
    """Turn the collector off, unless it is off already (then it stays as it was)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """Turn the collector back on if :func:`hold` turned it off; otherwise nothing."""
    global _held
    if _held:
        _held = False
        gc.enable()
