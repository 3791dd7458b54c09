"""The web shop's topics: ``web_order`` (an order the server booked becomes a local online
order) and ``web_order_collected`` (another till handed it over), both applied and sealed
by :mod:`tui_pos.sync.web_orders`, registered with the puller."""

from __future__ import annotations

from tui_pos.sync.topics import topic
from tui_pos.sync.web_orders import apply_collected, apply_web_order

topic("web_order")(apply_web_order)
topic("web_order_collected")(apply_collected)
