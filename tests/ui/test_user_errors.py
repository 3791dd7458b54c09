"""One catch of PosError for the whole UI (tui_pos/safe_app.py).

A PosError raised by a key's action, by a worker, by a screen's event handler or by a
callback reaches the user once, as plain text (markup in it is shown, not parsed), on
the screen where it happened: its message line when it has one, else a toast. The app
runs on, and the next key works. Anything else is still a crash.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from tui_pos.domain.errors import DomainError, StorageError
from tui_pos.safe_app import SafeApp, ShowsUserErrors

MARKUP = "[b]No[/b] such item [/]"  # would crash, or lose the brackets, as markup


class Probe(ShowsUserErrors, Screen[None]):
    """Raises a PosError from every kind of place a screen runs code."""

    BINDINGS = [
        Binding("f1", "fail", "Fail"),
        Binding("f2", "fail_in_worker", "Fail in a worker"),
        Binding("f3", "fail_in_thread", "Fail in a thread"),
        Binding("f4", "fail_in_callback", "Fail in a callback"),
        Binding("f5", "count", "Count"),
        Binding("f6", "fail_in_app_worker", "Fail in the App's worker (a flow)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.counted = 0

    def compose(self) -> ComposeResult:
        yield Input(id="entry")
        yield Static("", id="message", markup=False)

    def action_fail(self) -> None:
        raise DomainError(MARKUP)

    def action_fail_in_worker(self) -> None:
        async def work() -> None:
            raise StorageError(MARKUP)

        self.run_worker(work())

    def action_fail_in_thread(self) -> None:
        def work() -> None:
            raise StorageError(MARKUP)

        self.run_worker(work, thread=True)

    def action_fail_in_callback(self) -> None:
        def later() -> None:
            raise DomainError(MARKUP)

        self.call_later(later)

    def action_fail_in_app_worker(self) -> None:
        async def flow() -> None:
            raise StorageError(f"flow: {MARKUP}")

        self.app.run_worker(flow())

    def action_count(self) -> None:
        self.counted += 1

    def on_input_submitted(self, event: Input.Submitted) -> None:
        raise DomainError(f"{event.value}: {MARKUP}")


class SayingProbe(Probe):
    """The same on a screen with a message line (as the register has)."""

    def say(self, text: str, *, error: bool = False) -> None:
        self.query_one("#message", Static).update(text)
        self.set_class(error, "failed")
        self.said.append(text)

    said: list[str]

    def on_mount(self) -> None:
        self.said = []


class ProbeApp(SafeApp[None]):
    def __init__(self, screen: Probe) -> None:
        super().__init__()
        self.probe = screen

    def on_mount(self) -> None:
        self.push_screen(self.probe)


def toasts(app: ProbeApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_every_kind_of_place_shows_the_message_once_as_a_toast() -> None:
    probe = Probe()
    app = ProbeApp(probe)
    async with app.run_test() as pilot:
        await pilot.pause()
        for key, count in (("f1", 1), ("f2", 2), ("f3", 3), ("f4", 4)):
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert toasts(app) == [MARKUP] * count, key  # once each, the text as it is
        await pilot.click("#entry")
        await pilot.press("x", "enter")
        await pilot.pause()
        assert toasts(app)[-1] == f"x: {MARKUP}"
        await pilot.press("f5")  # the screen runs on: its keys still work
        await pilot.pause()
        assert probe.counted == 1 and app.screen is probe
        assert app.return_code is None and app.is_running


async def test_a_screen_with_a_message_line_shows_it_there() -> None:
    probe = SayingProbe()
    app = ProbeApp(probe)
    async with app.run_test() as pilot:
        await pilot.pause()
        for key in ("f1", "f2", "f3", "f4"):
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert probe.said == [MARKUP] * 4 and toasts(app) == []
        assert str(probe.query_one("#message", Static).render()) == MARKUP
        await pilot.press("f6")  # a flow is the App's: a toast, as flows notify
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert toasts(app) == [f"flow: {MARKUP}"] and probe.said == [MARKUP] * 4
        assert app.return_code is None


async def test_any_other_error_is_still_a_crash() -> None:
    class Broken(Probe):
        def action_fail(self) -> None:
            raise ZeroDivisionError("a bug")

    app = ProbeApp(Broken())
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press("f1")
            await pilot.pause()
    except ZeroDivisionError:
        pass  # Pilot re-raises what crashed the app
    assert app.return_code == 1 and toasts(app) == []
