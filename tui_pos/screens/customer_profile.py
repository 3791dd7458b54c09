"""A customer's profile at the till: visits, basket, favourites, suggestions, points, tier."""

from __future__ import annotations

from collections.abc import Awaitable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui_pos.domain.customer import Customer
from tui_pos.domain.money import format_money
from tui_pos.safe_app import ShowsUserErrors
from tui_pos.screens.customer_edit import EditCustomerScreen
from tui_pos.screens.dialogs import FLOW_GROUP, ask
from tui_pos.services.customer_views import CustomerProfile
from tui_pos.services.customers import Customers
from tui_pos.widgets.keys_bar import KeysBar
from tui_pos.widgets.plain import plain_row


def _when(profile: CustomerProfile) -> str:
    last = profile.stats.last_visit
    return last.astimezone().strftime("%Y-%m-%d") if last else "never"


def profile_renderable(profile: CustomerProfile) -> RenderableType:
    """The profile as Rich tables (also what the Pilot tests read)."""
    c, s = profile.customer, profile.stats
    d = c.details
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    _add(head, "Name", Text.assemble(c.name, ("  (erased)", "red") if c.erased else ""))
    _add(head, "Phone / email", " / ".join(x for x in (d.phone, d.email) if x) or "-")
    _add(head, "Card", d.card or "-")
    birthday = Text(d.birthday.isoformat() if d.birthday else "-")
    if profile.birthday_offer:
        birthday.append("  birthday reward due (F5)", "b magenta")
    _add(head, "Birthday", birthday)
    _add(head, "Tier", profile.tier or "-")
    _add(head, "Points", f"{s.balance:,}")
    _add(head, "Visits", str(s.visits))
    _add(head, "Average basket", format_money(s.average_basket_cents))
    _add(head, "Last visit", _when(profile))
    _add(head, "12-month spend", format_money(s.spend_12m_cents))
    if d.preferences or d.notes:
        _add(head, "Notes", " · ".join(x for x in (d.preferences, d.notes) if x))
    _add(head, "Marketing", "agreed" if d.marketing_consent else "no")

    favs = Table(title="Favourites", expand=True, show_edge=False)
    favs.add_column("Item")
    favs.add_column("Visits", justify="right")
    for name, count in profile.favourites:
        _add(favs, name, str(count))

    ideas = Table(title="Not in today's basket", expand=True, show_edge=False)
    ideas.add_column("Item")
    ideas.add_column("Why")
    for name, s_ in profile.suggestions:
        why = f"in {s_.score}% of visits" if s_.reason == "usual" else f"goes with ({s_.score}%)"
        _add(ideas, name, why)

    title = "Recent sales and online orders"
    if profile.source:  # the store server's too, or why not
        title += f" ({profile.source})"
    visits = Table(title=title, expand=True, show_edge=False)
    visits.add_column("Sale / order")
    visits.add_column("Channel")
    visits.add_column("Date")
    visits.add_column("Lines", justify="right")
    visits.add_column("Total", justify="right")
    for v in profile.visits[:10]:
        _add(
            visits,
            v.number,
            v.channel,
            v.created_at.astimezone().strftime("%Y-%m-%d"),
            str(v.items),
            format_money(v.total_cents),
        )

    ledger = Table(title="Points ledger", expand=True, show_edge=False)
    ledger.add_column("Date")
    ledger.add_column("Kind")
    ledger.add_column("Sale")
    ledger.add_column("Points", justify="right")
    for row in profile.ledger[:10]:
        _add(
            ledger,
            row.created_at.astimezone().strftime("%Y-%m-%d"),
            row.kind,
            row.sale_number,
            f"{row.points:+,}",
        )
    return Group(head, "", favs, "", ideas, "", visits, "", ledger)


def _add(table: Table, *cells: object) -> None:
    """A row of names, notes and codes, shown as text (never as markup)."""
    table.add_row(*plain_row(cells))


class ProfileScreen(ShowsUserErrors, ModalScreen[None]):
    """Esc closes; F5 gives the birthday reward when it is due."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="profile-close"),
        Binding("f2", "edit", "Edit", id="profile-edit"),
        Binding("f5", "birthday", "Birthday reward", id="profile-birthday"),
    ]

    def __init__(self, customers: Customers, customer_id: int, basket: list[int]) -> None:
        super().__init__()
        self.customers = customers
        self.customer_id = customer_id
        self.basket = basket
        self.profile: CustomerProfile | None = None

    def compose(self) -> ComposeResult:
        """The profile, loaded in a worker."""
        with VerticalScroll(classes="dialog wide", id="profile"):
            yield Label("Customer profile", classes="dialog-title")
            yield Static("Loading...", id="profile-body")
            yield Static("", id="profile-error", classes="error", markup=False)
        yield KeysBar()

    def on_mount(self) -> None:
        """Load the profile."""
        self.load()

    @work(thread=True, exclusive=True, group="profile")
    def load(self) -> None:
        """Read the profile off the UI thread (a refusal is shown by the app's catch):
        this till's at once, then (enrolled) with the customer's documents at every store
        and web shop, or saying that only this till's are shown."""
        profile = self.customers.profile(self.customer_id, self.basket)
        self.app.call_from_thread(self._show, profile)
        elsewhere = self.customers.elsewhere(self.customer_id)
        if elsewhere is not None:
            profile = self.customers.profile(self.customer_id, self.basket, elsewhere)
            self.app.call_from_thread(self._show, profile)

    def _show(self, profile: CustomerProfile) -> None:
        if not self.is_attached:  # closed while the store server was asked
            return
        self.profile = profile
        self.query_one("#profile-body", Static).update(profile_renderable(profile))
        self.refresh_bindings()

    def say(self, text: str, *, error: bool = False) -> None:
        """The profile's message line (where a refusal is shown; it rings the bell)."""
        if error:
            self.app.bell()
        self.query_one("#profile-error", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The birthday key only when the reward is due."""
        if action == "birthday":
            return True if self.profile and self.profile.birthday_offer else None
        if action == "edit":
            return True if self.profile and not self.profile.customer.erased else None
        return True

    def action_edit(self) -> None:
        """Edit the profile's fields."""
        if self.profile is not None:
            edit = EditCustomerScreen(self.customers, self.profile.customer)
            self._saved(ask(self.app, edit))

    @work(group=FLOW_GROUP)
    async def _saved(self, saved: Awaitable[Customer | None]) -> None:
        customer = await saved
        if customer is not None:
            self.app.notify(f"Saved {customer.name}")
            self.load()

    def action_birthday(self) -> None:
        """Give the birthday reward (once per birthday)."""
        points = self.customers.grant_birthday(self.customer_id)
        self.app.notify(f"Birthday reward: {points} points added")
        self.load()

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)
