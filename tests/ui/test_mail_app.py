"""The till delivers queued customer mail from a thread: it arrives at a real SMTP server
on 127.0.0.1, and a server that is down leaves the till selling and the mail queued."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.integration.test_mail_campaigns import Clock, open_mail_till, send_plain
from tests.support.settle import settle
from tests.support.smtp_server import SmtpServer
from tui_pos.app import build_app
from tui_pos.domain.customer import CustomerDetails


async def test_the_till_sends_queued_mail_in_a_thread(tmp_path: Path) -> None:
    server = SmtpServer()
    clock = Clock()
    till = open_mail_till(tmp_path / "till.db", server.port, clock)
    till.customers.create(
        CustomerDetails("Ann Lee", email="ann@example.org", marketing_consent=True)
    )
    send_plain(till, "newsletter")
    app = build_app(till)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.links.deliver_mail()  # server down: the attempt fails in its thread
            await settle(pilot)
            entry = till.outbox.log()[0]
            assert entry.status == "queued" and "cannot reach" in entry.last_error
            server.start()
            clock.now += timedelta(minutes=2)  # the retry is due
            app.links.deliver_mail()
            await settle(pilot)
            await pilot.pause()
        assert [m["To"] for m in server.messages] == ["ann@example.org"]
        assert till.outbox.log()[0].status == "sent"
    finally:
        server.stop()
        till.close()
