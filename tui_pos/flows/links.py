"""The till's links to the outside, in the background: customer mail, the store server
and the release of return claims the cashier abandoned.

Both run in threads (a slow SMTP server or network never holds the till); the store
server's state is read in a thread worker and shown on the top bar.
"""

from __future__ import annotations

import contextlib
from functools import partial
from typing import TYPE_CHECKING

from tui_pos.domain.errors import StorageError

if TYPE_CHECKING:
    from tui_pos.app import PosApp
    from tui_pos.sync.link import SyncLink

#: How often queued customer mail is looked at (delivery honours [mail] rate_per_minute).
MAIL_POLL_SECONDS = 30.0
#: How often the top bar reads the store server link's state.
SYNC_STATUS_SECONDS = 2.0


class Links:
    """Customer mail delivery and the store server link of ``app``."""

    def __init__(self, app: PosApp) -> None:
        self.app = app
        self.till = app.till
        self.sync_link: SyncLink | None = None
        if self.till.remote_returns is not None:
            self.till.register.on_claims_dropped = self.release_claims

    def start(self) -> None:
        """Deliver mail now and then; push and pull when the till is enrolled (the sync
        package is loaded here, after the first frame: see the App's ``on_mount``)."""
        from tui_pos.sync.link import open_link

        if self.till.outbox.configured:
            self.app.set_interval(MAIL_POLL_SECONDS, self.deliver_mail)
        self.sync_link = open_link(self.till.db)
        if self.sync_link is not None:
            self.app.register_screen.selling_blocked = self.sync_link.first_block
            self.sync_link.start()
            self.app.set_interval(SYNC_STATUS_SECONDS, self._poll_sync)
            self._poll_sync()

    def stop(self) -> None:
        """Stop the store server link's thread."""
        if self.sync_link is not None:
            self.sync_link.stop()

    def deliver_mail(self) -> None:
        """Send the customer mail that is due (outbox rate limit and retries), in a thread."""
        self.app.run_worker(self._deliver_mail, thread=True, group="mail", exit_on_error=False)

    def release_claims(self, claims: tuple[str, ...]) -> None:
        """Tell the store server, in a thread, that return lines claimed there left the sale
        unstored (voided): another till may return them now. Not reached: the claim ends
        with its lease, or when the voided sale is pushed."""
        remote = self.till.remote_returns
        if remote is not None:
            self.app.run_worker(
                partial(remote.release, claims), thread=True, group="claims", exit_on_error=False
            )

    def _deliver_mail(self) -> None:
        # A busy or failing database: the mail waits for the next round.
        with contextlib.suppress(StorageError):
            self.till.outbox.deliver_due()

    def _poll_sync(self) -> None:
        self.app.run_worker(self._sync_status, thread=True, exclusive=True, group="sync-status")

    def _sync_status(self) -> None:
        if self.sync_link is not None:
            text, blocked = self.sync_link.status(), self.sync_link.blocked()
            self.app.call_from_thread(self.app.register_screen.set_sync_status, text, blocked)
