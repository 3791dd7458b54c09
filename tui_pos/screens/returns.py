"""Returns: find the sale (scan its receipt or type its number), pick lines and quantities.

The return lines go into the open sale (negative lines); back on the sale screen the
cashier may scan new items for an exchange, then F10 pays the difference or refunds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui_pos.domain.errors import PosError
from tui_pos.domain.money import format_money
from tui_pos.domain.quantity import format_quantity
from tui_pos.domain.returns import ReturnableLine
from tui_pos.domain.staff import Action, Approval
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.screens.dialogs import FLOW_GROUP, PromptScreen, ask
from tui_pos.services.online_orders import OnlineOrders
from tui_pos.services.remote_returns import ClaimedLine, RemoteDocument, RemoteReturns
from tui_pos.services.returns import Returns, ReturnView
from tui_pos.services.stock import Stock
from tui_pos.widgets.fitted_table import FitColumn, FittedTable
from tui_pos.widgets.keys_bar import KeysBar

#: Collects the approval of an action in a flow (``approval_for``: the logged-in employee's
#: own right, or someone's PIN); None when refused or cancelled. The service checks it.
Permit = Callable[[Action, str], Awaitable[Approval | None]]


async def permit_all(action: Action, _what: str) -> Approval:
    """No staff: nobody to ask (the services allow everything on a till without staff)."""
    return Approval(action, None)


@dataclass(frozen=True)
class StoreServices:
    """The register screen's ways into returns, stock and online orders."""

    returns: Returns
    stock: Stock
    online_orders: OnlineOrders
    permit: Permit = permit_all
    #: Sales of other tills and stores and web orders, through the store server.
    remote: RemoteReturns | None = None


#: The return table: the item, then what was sold, returned, left and paid.
RETURN_COLUMNS = (
    FitColumn("Item"),
    FitColumn("Sold", numeric=True),
    FitColumn("Returned", numeric=True),
    FitColumn("Left", numeric=True),
    FitColumn("Paid", numeric=True),
)


class ReturnScreen(ShowsUserErrors, ModalScreen[None]):
    """Result: None; the return lines are in the register's open sale."""

    BINDINGS = [
        Binding("f4", "return_line(True)", "Return", id="return-line"),
        Binding("f5", "return_line(False)", "Damaged", id="return-damaged"),
        Binding("f6", "return_all", "All", id="return-all"),
        Binding("f7", "no_receipt", "No receipt", id="return-no-receipt"),
        Binding("up", "move(-1)", "Up", show=False, id="return-up"),
        Binding("down", "move(1)", "Down", show=False, id="return-down"),
        Binding("escape", "done", "Done", id="return-done"),
    ]

    def __init__(self, services: StoreServices, initial: str = "") -> None:
        super().__init__()
        self.services = services
        self.returns = services.returns
        self.initial = initial
        self.view: ReturnView | None = None
        #: A document the store server holds (another till's, a web order), when open.
        self.remote_doc: RemoteDocument | None = None

    def compose(self) -> ComposeResult:
        """The sale number field, the sale's lines, a message line."""
        with Vertical(classes="dialog wide"):
            yield Label("Return / exchange", classes="dialog-title")
            yield Static(
                "Scan the receipt or type the sale number (42 or T1-000042; another till's"
                " or a web order's number asks the store server), Enter",
                id="return-hint",
                classes="dialog-hint",
                markup=False,
            )
            yield Input(placeholder="Receipt number", id="return-input")
            table = FittedTable(id="return-table", cursor_type="row")
            table.can_focus = False
            yield table
            yield Static("", id="return-message", markup=False)
        yield KeysBar()

    def on_mount(self) -> None:
        """Open the sale given (a scanned receipt) or wait for its number."""
        self.query_one("#return-input", Input).focus()
        if self.initial:
            self.open_sale(self.initial)

    def accept_scan(self, code: str) -> None:
        """A scanner device read a code: a receipt opens its sale."""
        self.open_sale(code)

    def say(self, text: str, *, error: bool = False) -> None:
        """Show a message (errors ring the bell)."""
        message = self.query_one("#return-message", Static)
        message.update(text)
        message.set_class(error, "error")
        if error:
            self.app.bell()

    def open_sale(self, text: str) -> None:
        """Show the sale ``text`` names, with what may still be returned: this till's own,
        else (enrolled) the store server's document in a worker."""
        try:
            view = self.returns.open_sale(text)
        except PosError as exc:  # (not the one catch: a sale not ours may be the server's)
            remote = self.services.remote
            if remote is None or not text.strip() or not remote.available():
                self.say(str(exc), error=True)
                return
            self.say(f"Asking the store server for {text.strip()}...")
            self.app.run_worker(lambda: self._ask_server(remote, text), thread=True)
            return
        self.view, self.remote_doc = view, None
        kinds = ", ".join(k.replace("_", " ") for k in self.view.tender_kinds) or "-"
        self.query_one("#return-hint", Static).update(
            f"Sale {self.view.number} ({self.view.sale.created_at.astimezone():%Y-%m-%d %H:%M}), "
            f"paid by {kinds}. F4 returns the selected line, F5 as damaged, F6 all."
        )
        self.say(f"Sale {self.view.number}: choose the lines to return")
        self.refresh_lines()

    # -- a document the store server holds ------------------------------------------
    def _ask_server(self, remote: RemoteReturns, text: str) -> None:
        """(Worker thread) what is left of the document ``text`` names."""
        try:
            doc = remote.open(text)
        except PosError as exc:
            self.app.call_from_thread(self.say, str(exc), error=True)
            return
        self.app.call_from_thread(self.show_remote, doc, "")

    def show_remote(self, doc: RemoteDocument, message: str) -> None:
        """Show a document of another till or the web shop, as the server told it."""
        if not self.is_attached:
            return
        self.view, self.remote_doc = None, doc
        what = "Web order" if doc.channel == "web" else "Sale"
        self.query_one("#return-hint", Static).update(
            f"{what} {doc.asked} (store server). F4 returns the selected line, F5 as "
            "damaged, F6 all."
        )
        self.say(message or f"{what} {doc.asked}: choose the lines to return")
        rows = [
            (
                ln.name,
                format_quantity(ln.qty_milli, "each"),
                format_quantity(ln.qty_milli - ln.left_milli, "each"),
                format_quantity(ln.left_milli, "each"),
                format_money(ln.amount_cents),
            )
            for ln in doc.lines
        ]
        self.query_one("#return-table", FittedTable).set_data(RETURN_COLUMNS, rows)

    def _take_back_remote(self, positions: list[int], qty_text: str, to_stock: bool) -> None:
        """Claim lines of the server's document in a worker, add them here."""
        remote, doc = self.services.remote, self.remote_doc
        if remote is None or doc is None:
            return

        def claim() -> None:
            claimed: list[ClaimedLine] = []
            error = ""
            try:
                for position in positions:
                    claimed.append(remote.claim(doc, position, qty_text, to_stock=to_stock))
            except PosError as exc:
                error = str(exc)
            try:
                fresh = remote.lines_of(doc.asked)
            except PosError:
                fresh = doc
            self.app.call_from_thread(self._claimed, remote, claimed, fresh, error)

        self.say(f"Asking the store server to take back {doc.asked}...")
        self.app.run_worker(claim, thread=True)

    def _claimed(
        self, remote: RemoteReturns, claimed: list[ClaimedLine], doc: RemoteDocument, error: str
    ) -> None:
        """(UI thread) the claimed lines into the open sale, then the new state."""
        said = [remote.add(line) for line in claimed]  # claimed at the server: never dropped
        if error:
            self.app.bell()
        message = error or (
            said[-1] + ". Esc: back to the sale"
            if len(said) == 1
            else f"{len(said)} line(s) returned"
        )
        self.show_remote(doc, message)
        if error and self.is_attached:
            self.query_one("#return-message", Static).set_class(True, "error")

    def refresh_lines(self) -> None:
        """Redraw the sale's lines (what is left counts the open sale's return lines)."""
        if self.view is None:
            return
        self.view = self.returns.view(self.view.sale)
        rows = [
            (
                ln.name,
                format_quantity(ln.qty_milli, ln.unit),
                format_quantity(ln.returned_milli, ln.unit),
                format_quantity(ln.remaining_milli, ln.unit),
                format_money(ln.amount_cents),
            )
            for ln in self.view.lines
        ]
        # the name is cut with an ellipsis so Sold/Returned/Left/Paid always show
        self.query_one("#return-table", FittedTable).set_data(RETURN_COLUMNS, rows)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Open the typed sale number."""
        event.stop()
        event.input.clear()
        self.open_sale(event.value)

    def action_move(self, step: int) -> None:
        """Select the line above or below."""
        table = self.query_one("#return-table", FittedTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_return_line(self, to_stock: bool) -> None:
        """Return the selected line: asks how many (Enter = all that is left)."""
        if self.remote_doc is not None:
            self._return_remote_line(to_stock)
            return
        if self.view is None or not self.view.lines:
            self.say("Open a sale first: scan its receipt or type its number", error=True)
            return
        table = self.query_one("#return-table", FittedTable)
        self._return_line(self.view.lines[table.cursor_row], to_stock)

    def _return_line(self, line: ReturnableLine, to_stock: bool) -> None:
        left = format_quantity(line.remaining_milli, line.unit)
        where = "to stock" if to_stock else "as damaged"
        prompt = PromptScreen(
            f"Return {line.name} {where}",
            f"Quantity to return (Enter = all {left} left)",
            lambda text: self.returns.return_line(line, text, to_stock=to_stock),
            scan_aware=False,
        )
        self._said(ask(self.app, prompt))

    @work(group=FLOW_GROUP)
    async def _said(self, answer: Awaitable[str | None]) -> None:
        self._after_prompt(await answer)

    def _return_remote_line(self, to_stock: bool) -> None:
        doc = self.remote_doc
        assert doc is not None
        table = self.query_one("#return-table", FittedTable)
        line = doc.lines[table.cursor_row]
        left = format_quantity(line.left_milli, "each")
        where = "to stock" if to_stock else "as damaged"

        def asked(text: str | None) -> None:
            if text is not None:
                self._take_back_remote([line.position], text, to_stock)

        self.app.push_screen(
            PromptScreen(
                f"Return {line.name} {where}",
                f"Quantity to return (Enter = all {left} left)",
                str,
                scan_aware=False,
            ),
            asked,
        )

    def action_return_all(self) -> None:
        """Return every line's remaining quantity to stock."""
        if self.remote_doc is not None:
            left = [ln.position for ln in self.remote_doc.lines if ln.left_milli > 0]
            if left:
                self._take_back_remote(left, "", True)
            else:
                self.say("Nothing left to return")
            return
        if self.view is None:
            self.say("Open a sale first: scan its receipt or type its number", error=True)
            return
        done = 0
        try:
            for line in self.view.lines:
                if line.remaining_milli > 0:
                    self.returns.return_line(line)
                    done += 1
        except PosError as exc:  # what was returned before it stays: shown below
            self.say(str(exc), error=True)
        else:
            self.say(f"{done} line(s) returned" if done else "Nothing left to return")
        self.refresh_lines()

    def action_no_receipt(self) -> None:
        """Return an item without receipt (needs a manager's permission)."""
        permit = self.services.permit
        self._no_receipt(permit(Action.RETURN_WITHOUT_RECEIPT, "return without receipt"))

    @work(group=FLOW_GROUP)
    async def _no_receipt(self, approved: Awaitable[Approval | None]) -> None:
        approval = await approved
        if approval is None:
            return
        message = await self.app.push_screen_wait(
            PromptScreen(
                "Return without receipt",
                "Scan or type the item (2*code for two); refunded at today's price",
                lambda text: self.returns.return_without_receipt(text, approval),
                scan_aware=False,
            )
        )
        self._after_prompt(message)

    def _after_prompt(self, message: str | None) -> None:
        if message:
            self.say(message + ". Esc: back to the sale (scan new items for an exchange)")
        self.refresh_lines()

    def action_done(self) -> None:
        """Back to the sale screen."""
        self.dismiss(None)
