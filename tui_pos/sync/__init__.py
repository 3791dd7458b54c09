"""The till's side of the store server: enrollment, the sender, sync state.

Standard library only (urllib): a till without the server extra can still sync. The
outbox is the journal (``journal`` table): every document is chained there in the
transaction that stores it, so pushing the journal in ``seq`` order is pushing the outbox.
"""
