"""Edit a customer's profile: one field per line, Ctrl+S saves, Esc cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui_pos.domain.customer import Customer, CustomerDetails, CustomerError, parse_birthday
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.services.customers import Customers
from tui_pos.widgets.keys_bar import KeysBar

#: (field id, label) in the order they are shown.
FIELDS = (
    ("name", "Name"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("birthday", "Birthday (YYYY-MM-DD)"),
    ("card", "Loyalty card"),
    ("preferences", "Preferences"),
    ("notes", "Notes"),
    ("consent", "Marketing consent (y/n)"),
)


class EditCustomerScreen(ShowsUserErrors, ModalScreen[Customer | None]):
    """Result: the saved profile, or None when cancelled. Enter moves to the next field."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="customer-edit-save", priority=True),
        Binding("escape", "cancel", "Cancel", id="customer-edit-cancel"),
    ]

    def __init__(self, customers: Customers, customer: Customer) -> None:
        super().__init__()
        self.customers = customers
        self.customer = customer

    def compose(self) -> ComposeResult:
        """A labelled input per field and an error line."""
        d = self.customer.details
        values = {
            "name": d.name,
            "phone": d.phone,
            "email": d.email,
            "birthday": d.birthday.isoformat() if d.birthday else "",
            "card": d.card or "",
            "preferences": d.preferences,
            "notes": d.notes,
            "consent": "y" if d.marketing_consent else "n",
        }
        with Vertical(classes="dialog wide", id="customer-edit"):
            yield Label(f"Edit customer #{self.customer.id}", classes="dialog-title")
            for key, label in FIELDS:
                yield Static(label, classes="dialog-hint")
                yield Input(value=values[key], id=f"edit-{key}")
            yield Static("", id="edit-error", classes="error", markup=False)
        yield KeysBar()

    def _value(self, key: str) -> str:
        return self.query_one(f"#edit-{key}", Input).value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: the next field (Ctrl+S saves from anywhere)."""
        event.stop()
        self.focus_next()

    def say(self, text: str, *, error: bool = False) -> None:
        """The dialog's message line: a refusal is shown there and the dialog stays open."""
        if error:
            self.app.bell()
        self.query_one("#edit-error", Static).update(text)

    def action_save(self) -> None:
        """Check and store the profile; stay open with the reason on a refusal."""
        consent = self._value("consent").strip().lower()
        if consent not in ("y", "yes", "n", "no", ""):
            raise CustomerError("Marketing consent: type y or n")
        details = CustomerDetails(
            name=self._value("name"),
            phone=self._value("phone"),
            email=self._value("email"),
            birthday=parse_birthday(self._value("birthday")),
            notes=self._value("notes"),
            preferences=self._value("preferences"),
            marketing_consent=consent in ("y", "yes"),
            card=self._value("card").strip() or None,
        )
        self.dismiss(self.customers.update(self.customer.id, details))

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
