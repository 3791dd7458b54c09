"""Waiting in Pilot tests for the work the till does in workers, not for the cashier.

A flow (``tui_pos/flows``, a screen's dialogs) runs in a worker that waits for its
dialogs' answers, so ``app.workers.wait_for_complete()`` would wait forever while a dialog
is open. ``settle`` waits for every other worker (searches, reports, printing, PIN
checks), then lets the flows take the results in.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.pilot import Pilot

from tui_pos.screens.dialogs import FLOW_GROUP


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until only flows waiting for the cashier are left running."""
    app: App[Any] = pilot.app
    for _ in range(20):  # a flow may start more work once its last one is done
        await pilot.pause()  # (and a flow whose dialog just closed takes its answer)
        work = [w for w in app.workers if w.group != FLOW_GROUP and w.is_running]
        if not work:
            break
        await app.workers.wait_for_complete(work)
    await pilot.pause()
