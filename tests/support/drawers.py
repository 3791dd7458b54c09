"""A cash drawer for tests of the drawer use cases: it records kicks and fails on demand
(the real kick goes through the receipt printer, tested with the fake network printer)."""

from __future__ import annotations

from tui_pos.domain.errors import DeviceError


class FakeDrawer:
    """Records kicks; fails on demand."""

    def __init__(self) -> None:
        self.kicks: list[tuple[int, int]] = []
        self.fail: str | None = None

    def kick(self, pin: int, pulse_ms: int) -> None:
        if self.fail:
            raise DeviceError(self.fail)
        self.kicks.append((pin, pulse_ms))
