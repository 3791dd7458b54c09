"""No payment card number reaches the database through any free-text field, whatever
separates its digits: ONE check (domain/card_numbers.py) behind every field, at the
service level and through the CLI's imports. Each refusal changes nothing, and the
stored text (WAL checkpointed) holds no Luhn-valid 13-19 digit run afterwards.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.cli import main
from tui_pos.domain.card_numbers import CardNumberError, looks_like_card_number, luhn_valid
from tui_pos.domain.customer import CustomerDetails, CustomerError
from tui_pos.domain.errors import DomainError, TenderError
from tui_pos.domain.staff import Action

PAN = "4111111111111111"
LOAF = "5900000000015"

#: The six separators of issue 11, and the ones refused before.
SEPARATORS = ["/", "_", ",", ":", "  ", " - ", " ", "-", "."]


def spaced(pan: str, sep: str, group: int = 4) -> str:
    return sep.join(pan[i : i + group] for i in range(0, len(pan), group))


FORMATS = [spaced(PAN, sep) for sep in SEPARATORS] + [
    PAN,
    f"paid with {spaced(PAN, '/')} exp 12/27",
    spaced("378282246310005", " - ", 5),  # Amex, 15 digits
    "5500_0055_5555_5559",
]

NOT_CARDS = [
    "020 7946 0958",
    "2026-11-25 10:30, order 12345",
    "delivery 5900000000015",  # an EAN-13 that fails Luhn
    "INV-2026-000123",
    "",
]


@pytest.mark.parametrize("text", FORMATS)
def test_card_numbers_are_found_whatever_separates_them(text: str) -> None:
    assert looks_like_card_number(text)


@pytest.mark.parametrize("text", NOT_CARDS)
def test_other_numbers_are_not_cards(text: str) -> None:
    assert not looks_like_card_number(text)


@st.composite
def formatted_cards(draw: st.DrawFn) -> str:
    """A Luhn-valid 13-19 digit number split into groups by any separators, in text."""
    body = draw(st.text("0123456789", min_size=12, max_size=18))
    pan = next(body + d for d in "0123456789" if luhn_valid(body + d))
    cuts = sorted(draw(st.sets(st.integers(1, len(pan) - 1), max_size=6)))
    seps = st.text(st.sampled_from(" /_,:-.;|#*"), min_size=1, max_size=3)
    pieces, last = [], 0
    for cut in cuts:
        pieces += [pan[last:cut], draw(seps)]
        last = cut
    pieces.append(pan[last:])
    before = draw(st.sampled_from(["", "card ", "ref: ", "x "]))
    after = draw(st.sampled_from(["", " thanks", " exp 12/27", "!"]))
    return before + "".join(pieces) + after


@given(formatted_cards())
def test_every_formatted_card_number_is_found(text: str) -> None:
    assert looks_like_card_number(text)


# -- every free-text field, service level -----------------------------------------------


#: The digits of every card number above.
PANS = ("4111111111111111", "378282246310005", "5500005555555559")


def _stored_cards(till: Till) -> list[str]:
    """Text anywhere in the database holding one of the card numbers (separators dropped)."""
    till.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    found = []
    with sqlite3.connect(till.db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    digits = re.sub(r"\D", "", value) if isinstance(value, str) else ""
                    if any(pan in digits for pan in PANS):
                        found.append(f"{table}: {value[:80]}")
    return found


def _fields(till: Till) -> dict[str, Callable[[str], object]]:
    """Each free-text field, as a function storing ``text`` in it."""
    reg = till.register
    approval = till.staff.allowed(Action.CASH_IN_OUT, "test")
    customer = till.customers.create(CustomerDetails(name="Ada", phone="0123456789"))

    def with_sale(then: Callable[[], object]) -> object:
        reg.enter(LOAF)
        try:
            return then()
        finally:
            if not reg.cart.is_empty:
                reg.void_sale(approved(till, Action.VOID_SALE))

    def detail(**fields: str) -> Callable[[str], object]:
        return lambda t: till.customers.update(
            customer.id,
            CustomerDetails(**{"name": "Ada", **{k: t for k in fields}}),  # type: ignore[arg-type]
        )

    return {
        "payment reference": lambda t: with_sale(lambda: reg.pay_card("", t)),
        "suspend label": lambda t: with_sale(lambda: reg.suspend(t)),
        "cash-out reason": lambda t: till.cash.move("out", "1.00", t, approval),
        "stock reason": lambda t: till.stock.adjust(
            LOAF, "-1", t, approved(till, Action.PRODUCT_ADMIN)
        ),
        "count note": lambda t: till.stock.apply_count(
            {1: 5000}, t, approval=approved(till, Action.PRODUCT_ADMIN)
        ),
        "delivery reference": lambda t: till.stock.receive(
            t, {1: 1000}, approval=approved(till, Action.PRODUCT_ADMIN)
        ),
        "customer name": lambda t: till.customers.create(CustomerDetails(name=t)),
        "customer notes": detail(notes=""),
        "customer preferences": detail(preferences=""),
        "customer card": lambda t: till.customers.create(CustomerDetails(name="Bo", card=t)),
        "erasure note": lambda t: till.customers.erase(
            str(customer.id), t, approval=approved(till, Action.CUSTOMER_ADMIN)
        ),
        "online order card": lambda t: till.online_orders.import_text(
            _order("customer", t), approved(till, Action.PRODUCT_ADMIN)
        ),
    }


def _order(field: str, text: str) -> str:
    return json.dumps(
        [
            {
                "order_id": "WEB-1",
                "created_at": "2026-11-25T09:14:00Z",
                "paid": True,
                "customer": {"name": "Ada", "card": text},
                "lines": [{"barcode": LOAF, "qty": 1, "price": "1.49"}],
            }
        ]
    )


FIELDS = [
    "payment reference",
    "suspend label",
    "cash-out reason",
    "stock reason",
    "count note",
    "delivery reference",
    "customer name",
    "customer notes",
    "customer preferences",
    "customer card",
    "erasure note",
    "online order card",
]


@pytest.mark.parametrize("field", FIELDS)
def test_every_free_text_field_refuses_every_format(demo_till: Till, field: str) -> None:
    store = _fields(demo_till)[field]
    for text in FORMATS:
        if field == "customer card" and not re.fullmatch(r"[A-Za-z0-9-]{4,32}", text):
            continue  # not even a card's characters: refused by the card's own rule
        with pytest.raises((CardNumberError, TenderError, DomainError), match="card number"):
            store(text)
    # Numbers that are not a card, kept apart by a word (joined, they would pass Luhn).
    store("T-000123 or 020 7946 0958" if field != "customer card" else "C-0001")
    assert _stored_cards(demo_till) == []


def test_a_loyalty_card_with_a_wrong_check_digit_is_refused(demo_till: Till) -> None:
    with pytest.raises(CustomerError, match="check digit"):
        demo_till.customers.create(CustomerDetails(name="Bo", card="2400000000014"))
    made = demo_till.customers.create(CustomerDetails(name="Bo", card="2400000000013"))
    assert made.details.card == "2400000000013"


# -- the command line's imports -----------------------------------------------------------


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.mark.parametrize("text", FORMATS)
@pytest.mark.parametrize("column", ["name", "notes", "preferences"])
def test_import_customers_refuses_card_numbers(
    cli_db: Path, tmp_path: Path, column: str, text: str
) -> None:
    file = tmp_path / "customers.csv"
    row = {"name": "Ada", "notes": "", "preferences": "", column: text}
    quoted = ",".join(
        '"' + row[c].replace('"', '""') + '"' for c in ("name", "notes", "preferences")
    )
    file.write_text(f"name,notes,preferences\n{quoted}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(cli_db), "import", "customers", str(file)])
    assert result.exit_code == 1, result.output
    assert "line 2" in result.output and "card number" in result.output
    assert _count(cli_db, "customer") == 0


@pytest.mark.parametrize("text", FORMATS)
@pytest.mark.parametrize("field", ["name", "card", "phone", "email"])
def test_import_orders_refuses_card_numbers(
    cli_db: Path, tmp_path: Path, field: str, text: str
) -> None:
    file = tmp_path / "orders.json"
    file.write_text(_order("customer", "").replace('"card": ""', f'"{field}": {json.dumps(text)}'))
    result = CliRunner().invoke(main, ["--db", str(cli_db), "import", "orders", str(file)])
    assert result.exit_code == 1, result.output
    assert "card number" in result.output and "nothing imported" in result.output
    assert _count(cli_db, "online_order") == 0
