"""The till's side of the store server: enrollment, the sender, sync state.

Standard library only (urllib): a till without the server extra can still sync. The
outbox is the chain (``chain`` table): every write transaction that stores documents or
ledger rows seals them there in that transaction, so pushing the chain in ``seq`` order,
each entry with its rows, is pushing the outbox.
"""

import tui_pos.models  # noqa: F401,E402  (peewee without its server-driver probe: see there)
