"""The ``unsubscribe`` topic: a customer's opt-out made through the store server
(:func:`tui_pos.sync.coupons.apply_unsubscribe`), registered with the puller."""

from __future__ import annotations

from tui_pos.sync.coupons import apply_unsubscribe
from tui_pos.sync.topics import topic

topic("unsubscribe")(apply_unsubscribe)
