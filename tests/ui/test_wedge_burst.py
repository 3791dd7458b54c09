"""1,000 back-to-back scans through the keyboard-wedge path: exactly 1,000 lines, in order.

A wedge scanner types a code and Enter faster than the app handles messages, so all keys
of a burst are queued before the first Enter is handled. Here every key of 1,000 entries
(EAN-13s, ``QTY*CODE``, ``0.250*PLU`` weights and in-store weight/price labels) is posted
at once, the way the terminal driver delivers a fast burst; then the cart must hold one
line per entry, in order, none merged, split or dropped. A terminal may also hand a fast
burst over as one bracketed paste: each pasted line is one scan.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from textual import events

from tui_pos.app import build_app
from tui_pos.bootstrap import Till
from tui_pos.demo.catalog import demo_products
from tui_pos.domain.barcode import gtin_check_digit

SCANS = 1_000
#: Key names a terminal gives these characters (digits are their own name).
KEY_NAMES = {"*": "asterisk", ".": "full_stop", ",": "comma"}
#: Enter as a scanner sends it: CR (most), or LF (``ctrl+j``) when configured so.
TERMINATORS = [events.Key("enter", "\r")] * 9 + [events.Key("ctrl+j", "\n")]
#: How long to wait for the burst (about 30 s here: each scan redraws the whole cart table).
DEADLINE_SECONDS = 90.0


@dataclass(frozen=True)
class Scan:
    """One entry typed by the scanner and the line it must give."""

    keys: str
    terminator: events.Key
    name: str
    qty_milli: int
    code: str


def _label(prefix: str, item: str, value: int) -> str:
    body = f"{prefix}{item}{value:05d}"
    return body + str(gtin_check_digit(body))


def _burst(rng: random.Random) -> list[Scan]:
    products = demo_products()
    pieces = [p for p in products if p["unit"] == "each" and p["barcode"][:1] == "5"]
    by_plu = [p for p in products if p["plu"]]
    weighed = [p for p in products if p["barcode"].startswith("21")]
    priced = [p for p in products if p["barcode"].startswith("23")]
    assert pieces and by_plu and weighed and priced, "the demo catalog changed"
    scans = []
    for _ in range(SCANS):
        roll, end = rng.random(), rng.choice(TERMINATORS)
        if roll < 0.55:  # a plain EAN-13
            p = rng.choice(pieces)
            scans.append(Scan(p["barcode"], end, p["name"], 1000, p["barcode"]))
        elif roll < 0.70:  # quantity typed before the scan
            p, qty = rng.choice(pieces), rng.randint(2, 12)
            scans.append(Scan(f"{qty}*{p['barcode']}", end, p["name"], qty * 1000, p["barcode"]))
        elif roll < 0.85:  # weight typed fast before a produce PLU
            p, grams = rng.choice(by_plu), rng.randint(1, 2500)
            kg = f"{grams // 1000}.{grams % 1000:03d}"
            scans.append(Scan(f"{kg}*{p['plu']}", end, p["name"], grams, p["plu"]))
        elif roll < 0.95:  # a scale's weight label (prefix 21, value in grams)
            p, grams = rng.choice(weighed), rng.randint(1, 1500)
            code = _label("21", p["barcode"][2:7], grams)
            scans.append(Scan(code, end, p["name"], grams, code))
        else:  # a price label (prefix 23, value in cents)
            p, cents = rng.choice(priced), rng.randint(1, 2500)
            code = _label("23", p["barcode"][2:7], cents)
            scans.append(Scan(code, end, p["name"], 1000, code))
    return scans


async def test_thousand_queued_scans_give_exactly_a_thousand_lines(demo_till: Till) -> None:
    scans = _burst(random.Random(20261125))
    app = build_app(demo_till)
    cart = demo_till.register.cart
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        started = time.monotonic()
        # Every key of the burst is queued before the app handles the first Enter.
        for scan in scans:
            for char in scan.keys:
                app.post_message(events.Key(KEY_NAMES.get(char, char), char))
            app.post_message(events.Key(scan.terminator.key, scan.terminator.character))
        await _wait_for_lines(pilot, cart, SCANS)
        elapsed = time.monotonic() - started
        message = str(app.screen.query_one("#message").render())
        entry_left = app.screen.query_one("#entry").value  # type: ignore[attr-defined]

    assert demo_till.register.cart is cart, "the sale was reset during the burst"
    got = [(ln.name, ln.qty_milli, ln.code) for ln in cart.lines]
    want = [(s.name, s.qty_milli, s.code) for s in scans]
    assert len(got) == SCANS, f"{len(got)} lines after {elapsed:.1f} s (last message: {message!r})"
    first_wrong = next((i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w), None)
    assert first_wrong is None, (
        f"entry {first_wrong} ({scans[first_wrong].keys!r}) gave {got[first_wrong]}"
    )
    assert demo_till.register.pending_qty is None
    assert entry_left == ""
    assert "Added" in message


async def _wait_for_lines(pilot, cart, count: int) -> float:  # type: ignore[no-untyped-def]
    """Wait until the cart has ``count`` lines, or stops growing for 2 s; return the time."""
    started = last_change = time.monotonic()
    seen = len(cart.lines)
    while len(cart.lines) < count and time.monotonic() - started < DEADLINE_SECONDS:
        await pilot.pause(0.05)
        if len(cart.lines) != seen:
            seen, last_change = len(cart.lines), time.monotonic()
        elif time.monotonic() - last_change > 2.0:
            break
    await pilot.pause()
    return time.monotonic() - started


async def test_a_burst_pasted_by_the_terminal_gives_one_line_per_code(demo_till: Till) -> None:
    """Some terminals deliver fast input as a bracketed paste: each line is one scan."""
    scans = _burst(random.Random(7))[:6]
    text = "".join(
        scan.keys + end for scan, end in zip(scans, ["\r", "\n", "\r\n"] * 2, strict=True)
    )
    app = build_app(demo_till)
    cart = demo_till.register.cart
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.post_message(events.Paste(text))
        await _wait_for_lines(pilot, cart, len(scans))
        entry_left = app.screen.query_one("#entry").value  # type: ignore[attr-defined]
        assert entry_left == "", "a pasted scan was left in the entry line"
        # The next scan arrives as keys.
        for char in scans[0].keys:
            app.post_message(events.Key(KEY_NAMES.get(char, char), char))
        app.post_message(events.Key("enter", "\r"))
        await _wait_for_lines(pilot, cart, len(scans) + 1)
    assert [(ln.name, ln.qty_milli, ln.code) for ln in cart.lines] == [
        (s.name, s.qty_milli, s.code) for s in [*scans, scans[0]]
    ]
