"""E-mail receipts: F10 on the payment screen queues the stored sale's receipt in the mail
outbox (to the attached customer who asked for them, or a typed address); a bad address is
refused and nothing is queued; the till delivers it to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_mail_campaigns import Clock, open_mail_till
from tests.support.settle import settle
from tests.support.smtp_server import SmtpServer
from tui_pos.app import build_app
from tui_pos.demo import ensure_demo_catalog
from tui_pos.domain.customer import CustomerDetails
from tui_pos.domain.mail import MailError
from tui_pos.domain.receipt_mail import check_receipt_address, wants_email_receipts
from tui_pos.screens.dialogs import PromptScreen
from tui_pos.screens.tender import TenderScreen

LOAF = "5900000000015"  # White Loaf 800g, 1.49


def test_who_asked_for_email_receipts() -> None:
    assert wants_email_receipts("E-mail receipts please")
    assert wants_email_receipts("no paper; email receipt")
    assert not wants_email_receipts("likes receipts; mailing list no")
    assert check_receipt_address("  ann@example.org ") == "ann@example.org"
    for bad in ("", "ann", "ann@example", "a b@example.org"):
        with pytest.raises(MailError):
            check_receipt_address(bad)


async def test_f10_mails_the_receipt_to_the_customer_who_asked(tmp_path: Path) -> None:
    server = SmtpServer()
    server.start()
    till = open_mail_till(tmp_path / "till.db", server.port, Clock())
    ensure_demo_catalog(till)
    ann = till.customers.create(
        CustomerDetails("Ann <b>Lee</b>", email="ann@example.org", preferences="e-mail receipts")
    )
    app = build_app(till)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            till.customers.attach(till.register, ann.id)
            await pilot.press(*LOAF, "enter", "f10")
            await pilot.pause()
            assert isinstance(app.screen, TenderScreen)
            shown = {b.binding.id for b in app.screen.active_bindings.values() if b.binding.show}
            assert "tender-email-receipt" in shown  # in the footer
            await pilot.press("f10")
            await pilot.pause()
            prompt = app.screen
            assert isinstance(prompt, PromptScreen)
            assert prompt.query_one("#prompt-input").value == "ann@example.org"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, TenderScreen)
            assert till.outbox.log() == []  # queued only once the sale is stored
            await pilot.press("enter")  # exact cash
            await settle(pilot)
            await pilot.pause()
            await settle(pilot)
            [entry] = till.outbox.log()
            assert (entry.kind, entry.recipient, entry.status) == (
                "receipt",
                "ann@example.org",
                "queued",
            )
            assert "receipt e-mailed to ann@example.org" in str(
                app.screen.query_one("#message").render()
            )
            app.links.deliver_mail()
            await settle(pilot)
        [message] = server.messages
        assert message["To"] == "ann@example.org"
        assert message["Subject"].startswith("Your receipt T1-")
        body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "White Loaf" in body and "1.49" in body
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert "<pre>" in html
        assert till.outbox.log()[0].status == "sent"
    finally:
        server.stop()
        till.close()


async def test_a_bad_address_is_refused_and_nothing_is_queued(tmp_path: Path) -> None:
    till = open_mail_till(tmp_path / "till.db", 1, Clock())
    ensure_demo_catalog(till)
    app = build_app(till)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press(*LOAF, "enter", "f10", "f10")
            await pilot.pause()
            assert isinstance(app.screen, PromptScreen)
            assert app.screen.query_one("#prompt-input").value == ""  # type: ignore[attr-defined]
            await pilot.press(*"bob@nowhere", "enter")
            await pilot.pause()
            assert isinstance(app.screen, PromptScreen)  # stays open with the message
            assert "not an e-mail address" in str(app.screen.query_one("#prompt-error").render())
            await pilot.press("escape", "enter")  # back to payment; exact cash
            await settle(pilot)
            await pilot.pause()
            await settle(pilot)
        assert till.outbox.log() == []
    finally:
        till.close()
