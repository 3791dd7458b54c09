"""The App's flows, each written top to bottom in a worker (``await push_screen_wait``).

- ``session``: log-in, idle lock, badge hand-over (who is at the till).
- ``cash``: the cash menu, opening float, cash in/out, no-sale, X report, Z close.
- ``records``: clock in/out, hours worked, the audit log.
- ``links``: customer mail delivery and the store server link (background, no screens).

A flow gets the App and the till; it calls services, opens dialogs and waits for their
answers, and leaves devices to the hub (:mod:`tui_pos.devices.hub`). The screens write
their own dialogs the same way (:mod:`tui_pos.screens.dialogs`, ``FLOW_GROUP``).
"""
