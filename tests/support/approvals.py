"""Approvals for tests that call gated use cases directly (void sale, Z close, cash,
staff, customer data, products): the demo's own helper, a till's first active manager."""

from __future__ import annotations

from tui_pos.demo.store import manager_approval as approved

__all__ = ["approved"]
