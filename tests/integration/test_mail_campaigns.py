"""Campaigns and the outbox through a real SMTP server on 127.0.0.1 (aiosmtpd): what
arrives, to whom (consent, erasure), unsubscribing, a server down or refusing, the rate
limit, and bad input refused before anything is written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.support.approvals import approved
from tests.support.smtp_server import SmtpServer
from tests.support.tills import TEST_PIN_COST, log_in_manager
from tui_pos.bootstrap import Till, open_till
from tui_pos.cli import main
from tui_pos.config import Config
from tui_pos.config.mail import MailConfig
from tui_pos.domain.customer import CustomerDetails, CustomerError
from tui_pos.domain.mail import MailError
from tui_pos.domain.segments import SegmentRule
from tui_pos.domain.staff import Action
from tui_pos.drivers.file_printer import RecordingPrinter
from tui_pos.services.campaigns import CampaignResult, CouponOffer

TEMPLATE = """Subject: {{first_name}}, a treat from {{store}}

Hello {{name}},
your coupon {{coupon}} takes {{coupon_value}} off. Points: {{points}}.
Unsubscribe: {{unsubscribe}}
--- html ---
<p>Hello {{name}}, coupon <b>{{coupon}}</b></p>
<p><small>Unsubscribe: {{unsubscribe}}</small></p>
"""

PLAIN = """Subject: News from {{store}}

Hello {{name}}, you have {{points}} points.
Unsubscribe: {{unsubscribe}}
--- html ---
<p>Hello {{name}}</p><p>Unsubscribe: {{unsubscribe}}</p>
"""


class Clock:
    """A clock the tests move."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    smtp = SmtpServer()
    smtp.start()
    yield smtp
    smtp.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def mail_config(port: int, rate: int = 30) -> Config:
    return Config(
        mail=MailConfig(
            host="127.0.0.1",
            port=port,
            security="none",
            sender="Corner Shop <shop@example.org>",
            rate_per_minute=rate,
            retry_seconds=60,
            timeout_seconds=5,
        )
    )


def open_mail_till(path: Path, port: int, clock: Clock, rate: int = 30) -> Till:
    till = open_till(
        mail_config(port, rate),
        path,
        printer=RecordingPrinter(),
        clock=clock,
        pin_cost=TEST_PIN_COST,
    )
    log_in_manager(till)
    return till


def send_plain(till: Till, segment: str, **options: Any) -> CampaignResult:
    """The PLAIN campaign to ``segment``, sent by the till's manager."""
    options.setdefault("control_percent", 0)
    approval = approved(till, Action.CUSTOMER_ADMIN)
    return till.campaigns.send(segment, PLAIN, "t.txt", "M", approval=approval, **options)


@pytest.fixture
def shop(tmp_path: Path, server: SmtpServer, clock: Clock) -> Iterator[Till]:
    """Four customers: Ann and <Bo> agree to marketing, Cy does not, Di agreed but was
    erased; the segment "everyone" holds all of them."""
    till = open_mail_till(tmp_path / "till.db", server.port, clock)
    c = till.customers
    c.create(CustomerDetails("Ann Lee", email="ann@example.org", marketing_consent=True))
    c.create(CustomerDetails("<Bo> Smith", email="bo@example.org", marketing_consent=True))
    c.create(CustomerDetails("Cy Park", email="cy@example.org", marketing_consent=False))
    di = c.create(CustomerDetails("Di Ray", email="di@example.org", marketing_consent=True))
    admin = approved(till, Action.CUSTOMER_ADMIN)
    c.erase(str(di.id), approval=admin)
    c.save_segment("everyone", SegmentRule(), admin)
    yield till
    till.close()


def count(till: Till, table: str) -> int:
    return int(till.db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def token_of(message: object) -> str:
    found = re.search(r"Unsubscribe: (U[A-Z0-9]{20})", str(message))
    assert found is not None
    return found.group(1)


def test_campaign_reaches_consenting_customers_only(shop: Till, server: SmtpServer) -> None:
    offer = CouponOffer("percent", 10, shop.register.clock().date() + timedelta(days=30))
    result = shop.campaigns.send(
        "everyone",
        TEMPLATE,
        "t.txt",
        "Test Manager",
        control_percent=0,
        coupon=offer,
        approval=approved(shop, Action.CUSTOMER_ADMIN),
    )
    assert (result.mailed, result.control, result.skipped_no_consent) == (2, 0, 1)
    delivered = shop.outbox.deliver_due()
    assert delivered.sent == 2 and delivered.waiting == 0
    by_to = {m["To"]: m for m in server.messages}
    assert sorted(by_to) == ["ann@example.org", "bo@example.org"]  # not Cy, not erased Di
    ann = by_to["ann@example.org"]
    assert ann["From"] == "Corner Shop <shop@example.org>"
    assert ann["Subject"] == "Ann, a treat from tui-pos demo store"
    token = ann["X-Unsubscribe-Token"]
    assert re.fullmatch(r"U[A-Z2-9]{20}", token)
    assert (
        ann["List-Unsubscribe"].strip()
        == f"<mailto:shop@example.org?subject=unsubscribe%20{token}>"
    )
    assert ann["Message-ID"] and ann["Date"]
    text = ann.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"Unsubscribe: {token}" in text and "10% off" in text
    code = re.search(r"coupon (CP[A-Z2-9]{10})", text)
    assert code is not None
    stored = shop.db.execute_sql(
        "SELECT c.name, q.kind, q.value FROM coupon q JOIN customer c ON c.id = q.customer_id"
        " WHERE q.code = ?",
        (code.group(1),),
    ).fetchone()
    assert stored == ("Ann Lee", "percent", 10)
    bo_html = by_to["bo@example.org"].get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "&lt;Bo&gt; Smith" in bo_html and "<Bo>" not in bo_html  # a name is never markup
    assert [e for e in shop.outbox.log() if e.status == "sent"] and count(shop, "coupon") == 2


def test_unsubscribe_token_records_consent_and_stops_mail(
    shop: Till, server: SmtpServer, tmp_path: Path
) -> None:
    send_plain(shop, "everyone")
    shop.outbox.deliver_due()
    ann = next(m for m in server.messages if m["To"] == "ann@example.org")
    token = token_of(ann)
    db = str(tmp_path / "till.db")
    runner = CliRunner()
    done = runner.invoke(main, ["--db", db, "customer", "unsubscribe", token.lower()])
    assert done.exit_code == 0, done.output
    assert "unsubscribed (recorded in the consent log)" in done.output
    # the profiles' consent was logged when they were created; the opt-out follows it
    log = shop.db.execute_sql(
        "SELECT consent, source FROM consent_event WHERE customer_id = ? ORDER BY id",
        (shop.customers.search("ann@example.org")[0].id,),
    ).fetchall()
    assert log == [(1, "profile"), (0, "unsubscribe")]
    logged = count(shop, "consent_event")
    again = runner.invoke(main, ["--db", db, "customer", "unsubscribe", token])
    assert again.exit_code == 0 and "already unsubscribed" in again.output
    assert count(shop, "consent_event") == logged
    for bad, says in (("hello", "not an unsubscribe token"), ("U" + "A" * 20, "No mail was sent")):
        refused = runner.invoke(main, ["--db", db, "customer", "unsubscribe", bad])
        assert refused.exit_code == 1 and says in refused.output
    assert count(shop, "consent_event") == logged
    server.messages.clear()
    send_plain(shop, "everyone", name="second")
    shop.outbox.deliver_due()
    assert [m["To"] for m in server.messages] == ["bo@example.org"]


def test_unsubscribed_or_erased_before_sending_gets_nothing(shop: Till, server: SmtpServer) -> None:
    send_plain(shop, "everyone")
    tokens = shop.db.execute_sql(
        "SELECT t.token, c.name FROM unsubscribe_token t JOIN customer c ON c.id = t.customer_id"
    ).fetchall()
    ann_token = next(t for t, name in tokens if name == "Ann Lee")
    shop.campaigns.unsubscribe(ann_token)
    bo = shop.customers.search("Smith")[0]
    shop.customers.erase(str(bo.id), approval=approved(shop, Action.CUSTOMER_ADMIN))
    result = shop.outbox.deliver_due()
    assert server.messages == [] and result.sent == 0 and result.waiting == 0
    recipients = shop.db.execute_sql("SELECT recipient FROM mail_outbox").fetchall()
    assert ("bo@example.org",) not in recipients  # erasure reached the outbox


def test_server_down_then_refusing_then_up(
    tmp_path: Path, server: SmtpServer, clock: Clock
) -> None:
    server.stop()
    till = open_mail_till(tmp_path / "till.db", server.port, clock)
    till.customers.create(
        CustomerDetails("Ann Lee", email="ann@example.org", marketing_consent=True)
    )
    send_plain(till, "newsletter")
    first = till.outbox.deliver_due()
    assert (first.sent, first.retry_later, first.waiting) == (0, 1, 1)
    entry = till.outbox.log()[0]
    assert entry.status == "queued" and "cannot reach" in entry.last_error
    server.start()
    assert till.outbox.deliver_due().sent == 0  # not due yet: the retry waits 60 s
    server.recorder.refuse = "451 4.3.0 try again later"
    clock.now += timedelta(seconds=61)
    refused = till.outbox.deliver_due()
    assert (refused.sent, refused.waiting) == (0, 1)
    assert "451" in till.outbox.log()[0].last_error
    server.recorder.refuse = None
    clock.now += timedelta(seconds=121)  # the delay doubles
    assert till.outbox.deliver_due().sent == 1
    assert [m["To"] for m in server.messages] == ["ann@example.org"]
    assert till.outbox.log()[0].attempts == 2
    till.close()


def test_permanent_refusal_gives_the_mail_up(shop: Till, server: SmtpServer) -> None:
    server.recorder.refuse = "550 5.7.1 no thanks"
    send_plain(shop, "everyone")
    result = shop.outbox.deliver_due()
    assert (result.failed, result.waiting) == (2, 0)


def test_rate_limit_leaves_the_rest_queued(
    tmp_path: Path, server: SmtpServer, clock: Clock
) -> None:
    till = open_mail_till(tmp_path / "till.db", server.port, clock, rate=2)
    for n in range(3):
        till.customers.create(
            CustomerDetails(f"C{n} X", email=f"c{n}@example.org", marketing_consent=True)
        )
    send_plain(till, "newsletter")
    assert till.outbox.deliver_due().sent == 2
    assert till.outbox.deliver_due().sent == 0
    clock.now += timedelta(seconds=61)
    last = till.outbox.deliver_due()
    assert (last.sent, last.waiting) == (1, 0)
    assert len(server.messages) == 3
    till.close()


def test_control_group_is_held_out(shop: Till) -> None:
    for n in range(8):
        shop.customers.create(
            CustomerDetails(f"P{n} Q", email=f"p{n}@example.org", marketing_consent=True)
        )
    result = send_plain(shop, "newsletter", control_percent=50)
    assert (result.mailed, result.control) == (5, 5)
    groups = dict(
        shop.db.execute_sql("SELECT grp, COUNT(*) FROM campaign_member GROUP BY grp").fetchall()
    )
    assert groups == {"mail": 5, "control": 5} and count(shop, "mail_outbox") == 5
    report = shop.loyalty_analytics.report("offers", _today(shop))
    row = dict(zip([c.key for c in report.columns], report.rows[0], strict=True))
    assert (row["kind"], row["targeted"], row["control"]) == ("campaign", 5, 5)


def _today(till: Till):
    from tui_pos.domain.analysis import DateRange

    today = till.loyalty_analytics.today()
    return DateRange(today, today)


@pytest.mark.parametrize(
    ("segment", "template", "coupon", "says"),
    [
        (
            "everyone",
            TEMPLATE.replace("{{points}}", "{{pionts}}"),
            True,
            "unknown field {{pionts}}",
        ),
        ("nobody", TEMPLATE, True, "No segment named 'nobody'"),
        ("everyone", TEMPLATE, False, "give --coupon-percent or --coupon-amount"),
        (
            "everyone",
            TEMPLATE.replace("Unsubscribe: {{unsubscribe}}\n--", "--"),
            True,
            "plain-text body must hold {{unsubscribe}}",
        ),
        ("everyone", "Hello {{name}}", True, "line 1: the first line must be 'Subject: ...'"),
        (
            "everyone",
            PLAIN.replace("points.", "{{coupon_value}} off."),
            False,
            "no value for {{coupon_value}}; nothing was sent",
        ),
    ],
)
def test_bad_campaign_input_changes_nothing(
    shop: Till, server: SmtpServer, segment: str, template: str, coupon: bool, says: str
) -> None:
    offer = CouponOffer("amount", 500, shop.register.clock().date()) if coupon else None
    with pytest.raises((MailError, CustomerError), match=re.escape(says)):
        shop.campaigns.send(
            segment,
            template,
            "t.txt",
            "M",
            control_percent=0,
            coupon=offer,
            approval=approved(shop, Action.CUSTOMER_ADMIN),
        )
    for table in ("campaign", "campaign_member", "coupon", "unsubscribe_token", "mail_outbox"):
        assert count(shop, table) == 0
    assert shop.outbox.deliver_due().sent == 0 and server.messages == []


def test_cli_campaign_send_and_log(shop: Till, server: SmtpServer, tmp_path: Path) -> None:
    template = tmp_path / "offer.txt"
    template.write_text(TEMPLATE, encoding="utf-8")
    db = str(tmp_path / "till.db")
    runner = CliRunner()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\n'
        'sender = "shop@example.org"\n',
        encoding="utf-8",
    )
    base = ["--config", str(config), "--db", db]
    sent = runner.invoke(
        main,
        [
            *base,
            "campaign",
            "send",
            "--segment",
            "everyone",
            "--template",
            str(template),
            "--coupon-amount",
            "5.00",
            "--control-percent",
            "0",
            "--by",
            "1",
        ],
        input="2468\n",
    )
    assert sent.exit_code == 0, sent.output
    assert "2 mails queued" in sent.output and "sent 2" in sent.output
    assert len(server.messages) == 2
    assert "5.00 off" in server.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    log = runner.invoke(
        main, [*base, "mail", "log", "--format", "json", "--by", "1"], input="2468\n"
    )
    assert log.exit_code == 0 and '"status": "sent"' in log.output
    unsigned = runner.invoke(main, [*base, "mail", "log"])
    assert unsigned.exit_code == 1 and "--by" in unsigned.output
    bad = runner.invoke(
        main,
        [
            *base,
            "campaign",
            "send",
            "--segment",
            "nope",
            "--template",
            str(template),
            "--coupon-amount",
            "5.00",
            "--by",
            "1",
        ],
        input="2468\n",
    )
    assert bad.exit_code == 1 and "No segment named 'nope'" in bad.output


def test_mail_config_errors() -> None:
    from tui_pos.config import parse_config
    from tui_pos.domain.errors import ConfigError

    with pytest.raises(ConfigError, match="mail.sender: not an e-mail address"):
        parse_config('[mail]\nhost = "x"\nsender = "nobody"\n')
    with pytest.raises(ConfigError, match="needs a sender"):
        parse_config('[mail]\nhost = "x"\n')


def test_no_mail_without_a_valid_address(shop: Till, server: SmtpServer) -> None:
    before = count(shop, "customer")
    with pytest.raises(CustomerError, match=re.escape("Not an email address: 'eve@'")):
        shop.customers.create(CustomerDetails("Eve Dunn", email="eve@", marketing_consent=True))
    assert count(shop, "customer") == before  # refused: nothing stored
    shop.customers.create(CustomerDetails("Fay Ng", marketing_consent=True))  # no address
    gus = shop.customers.create(
        CustomerDetails("Gus Orr", email="gus@example.org", marketing_consent=True)
    )
    # an address stored before addresses were checked (an old import): skipped, not sent
    shop.db.execute_sql("UPDATE customer SET email = 'gus at example' WHERE id = ?", (gus.id,))
    result = send_plain(shop, "everyone")
    assert (result.mailed, result.skipped_no_consent, result.skipped_no_address) == (2, 1, 2)
    assert count(shop, "mail_outbox") == 2
    assert shop.outbox.deliver_due().sent == 2
    assert sorted(m["To"] for m in server.messages) == ["ann@example.org", "bo@example.org"]
