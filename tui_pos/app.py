"""The Textual application: one register screen, printing in worker threads."""

from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches
from functools import partial
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from tui_pos.bootstrap import Till
from tui_pos.domain.errors import ConfigError
from tui_pos.domain.receipt import sale_number
from tui_pos.domain.sale import SaleDocument
from tui_pos.screens.dialogs import ConfirmScreen, PromptScreen
from tui_pos.screens.receipt import ReceiptScreen
from tui_pos.screens.register import RegisterScreen, ScreenSettings
from tui_pos.screens.resume import ResumeScreen
from tui_pos.screens.search import SearchScreen
from tui_pos.screens.tender import TenderScreen
from tui_pos.services.ports import DeviceError

STYLES = Path(__file__).parent / "styles" / "app.tcss"


class PosApp(App[None]):
    """The till. It receives its services from :func:`build_app`."""

    CSS_PATH = STYLES
    TITLE = "tui-pos"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit", priority=True)]

    def __init__(self, till: Till) -> None:
        super().__init__()
        self.till = till

    def on_mount(self) -> None:
        """Apply the key map from the config and open the register."""
        self.set_keymap(dict(self.till.config.keymap))
        store = self.till.config.store
        settings = ScreenSettings(
            store_name=store.name,
            till=store.till,
            currency=store.currency,
            quick_cash=tuple(store.quick_cash),
            printer_note=self.till.printer_note,
        )
        self.push_screen(
            RegisterScreen(self.till.register, settings, self.print_receipt, self.preview)
        )

    def preview(self, doc: SaleDocument) -> None:
        """Show a sale's receipt on screen."""
        self.push_screen(ReceiptScreen(self.till.receipts.lines(doc)))

    def print_receipt(self, doc: SaleDocument, copy: bool = False) -> None:
        """Print in a worker thread owned by the App, so closing a screen never kills it."""
        self.run_worker(
            partial(self._print_receipt_blocking, doc, copy),
            thread=True,
            group="print",
            name=f"print {sale_number(doc)}",
            exit_on_error=False,
        )

    def _print_receipt_blocking(self, doc: SaleDocument, copy: bool) -> None:
        # Runs in a worker thread: only call_from_thread touches the UI.
        try:
            self.till.receipts.print_sale(doc, copy=copy)
        except DeviceError as exc:
            self.call_from_thread(
                self.notify,
                f"{exc}. Sale {sale_number(doc)} is stored; F12 reprints, F11 shows it.",
                title="Receipt not printed",
                severity="error",
                timeout=30,
            )


_SCREENS = (
    RegisterScreen,
    TenderScreen,
    SearchScreen,
    ResumeScreen,
    ReceiptScreen,
    PromptScreen,
    ConfirmScreen,
)


def binding_ids() -> set[str]:
    """Every binding id a ``[keymap]`` entry may name."""
    bindings = [*PosApp.BINDINGS]
    for screen in _SCREENS:
        bindings += screen.BINDINGS
    return {b.id for b in bindings if isinstance(b, Binding) and b.id}


def check_keymap(keymap: Mapping[str, str]) -> None:
    """Refuse a ``[keymap]`` entry that names no binding (a typo would silently do nothing)."""
    known = binding_ids()
    for name in keymap:
        if name not in known:
            close = get_close_matches(name, sorted(known), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise ConfigError(f"keymap.{name}: no key has this id{hint}")


def build_app(till: Till) -> PosApp:
    """The app for a till built by :func:`tui_pos.bootstrap.open_till`."""
    check_keymap(till.config.keymap)
    return PosApp(till)
