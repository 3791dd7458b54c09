"""Customers at the till and behind it: find, create, attach, profile, points, privacy.

Every method raises a DomainError (the message is for the user) or StorageError and
changes nothing on bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from tui_pos.domain.barcode import BarcodeParser
from tui_pos.domain.customer import (
    Customer,
    CustomerDetails,
    CustomerError,
    CustomerStats,
    check_details,
    parse_quick_customer,
    phone_digits,
)
from tui_pos.domain.customer_visits import OrganisationHistory, merge_visits
from tui_pos.domain.loyalty import (
    ONE_X,
    EarnLine,
    LoyaltyError,
    LoyaltyRules,
    Tier,
    birthday_occurrence,
    check_redeem,
    earn_points,
    parse_points,
    redeem_cap,
    tier_for,
)
from tui_pos.domain.promotions import BIRTHDAY_AUDIENCE, birthday_month, stamp_completes
from tui_pos.domain.sale import SaleDocument
from tui_pos.domain.staff import Action, Approval
from tui_pos.domain.suggestions import favourites, suggest
from tui_pos.services.customer_privacy import CustomerPrivacy
from tui_pos.services.customer_segments import CustomerSegments
from tui_pos.services.customer_views import CustomerBadge, CustomerProfile
from tui_pos.services.online_orders import OnlineOrder
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import Clock, CustomerHistory, CustomerStore, LoyaltyLedger
from tui_pos.services.register import Register

if TYPE_CHECKING:
    from tui_pos.services.customer_import import CustomerImportSummary

#: How many past visits the profile and the suggestions look at.
HISTORY_VISITS = 50


class Customers(CustomerSegments, CustomerPrivacy):
    """The customer use cases."""

    def __init__(
        self,
        store: CustomerStore,
        history: CustomerHistory,
        ledger: LoyaltyLedger,
        rules: LoyaltyRules,
        till: str,
        clock: Clock,
        auth: Authorizer,
    ) -> None:
        self.store = store
        self.history = history
        self.ledger = ledger
        self.rules = rules
        self.till = till
        self.clock = clock
        self.auth = auth  #: refuses customer data admin (exports, erasure, import) to roles
        #: Decides the balance a redemption may spend, from ``(customer id, this till's
        #: balance)``: set by the bootstrap to the store server's check (LoyaltyError:
        #: refused offline). None: this till's ledger alone.
        self.points_authority: Callable[[int, int], int] | None = None
        #: A card's sales and web orders in every store (the store server, asked when a
        #: profile opens; blocking). None: this till's history alone.
        self.organisation_history: Callable[[str], OrganisationHistory | None] | None = None

    def import_csv(
        self,
        rows: Iterable[str],
        parser: BarcodeParser,
        approval: Approval | None,
        *,
        dry_run: bool = False,
    ) -> CustomerImportSummary:
        """Import the customers CSV (see services/customer_import.py); ``approval`` must
        cover CUSTOMER_ADMIN, a dry run too (it tells who is a customer already)."""
        from tui_pos.services.customer_import import import_customers  # (the CSV reader)

        self.auth.authorize(Action.CUSTOMER_ADMIN, approval, "import customers")
        return import_customers(rows, self.store, parser, now=self.clock(), dry_run=dry_run)

    # -- finding and creating ------------------------------------------------------------
    def search(self, text: str, limit: int = 30) -> list[Customer]:
        """Customers by phone, name words or card, as the cashier types."""
        return self.store.search(text, limit)

    def find(self, key: str) -> Customer:
        """A customer by card number, else by id (``42`` or ``#42``)."""
        cleaned = key.strip()
        found = self.store.by_card(cleaned) if cleaned else None
        number = cleaned.removeprefix("#")
        if found is None and number.isascii() and number.isdigit() and len(number) <= 9:
            found = self.store.get(int(number))
        if found is None:
            raise CustomerError(f"No customer with card or id {cleaned!r}")
        return found

    def credit_online_order(self, order: OnlineOrder) -> int:
        """Points for a paid online order, to the customer it names (card, else phone, else
        email), by the same earn rules as at the till; once per order id. Returns the points
        (0 when loyalty is off or no customer matches)."""
        if not self.rules.enabled:
            return 0
        customer = self._customer_of(order)
        if customer is None:
            return 0
        categories = self.ledger.categories([ln.product_id for ln in order.lines])
        lines = [EarnLine(ln.amount_cents, categories.get(ln.product_id, "")) for ln in order.lines]
        tier = self.ledger.tier(customer.id, order.created_at)
        points = earn_points(lines, self.rules, tier.multiplier if tier else ONE_X)
        note = f"online order {order.order_id}"
        if points <= 0 or not self.ledger.grant_once(
            customer.id, "earn", points, note, self.till, self.clock()
        ):
            return 0
        return points

    def match_order(self, order: OnlineOrder) -> int | None:
        """The id of the customer an online order names (card, else phone, else e-mail)."""
        customer = self._customer_of(order)
        return customer.id if customer is not None else None

    def _customer_of(self, order: OnlineOrder) -> Customer | None:
        if order.customer_card.strip():
            found = self.by_card(order.customer_card.strip())
            if found is not None:
                return found
        phone = phone_digits(order.customer_phone)
        email = order.customer_email.strip().lower()
        for key in (phone, email):
            if not key:
                continue
            for candidate in self.store.search(key, 5):
                details = candidate.details
                if candidate.erased:
                    continue
                if phone and phone_digits(details.phone) == phone:
                    return candidate
                if email and details.email.strip().lower() == email:
                    return candidate
        return None

    def by_card(self, card: str) -> Customer | None:
        """The (not erased) customer holding a scanned loyalty card."""
        found = self.store.by_card(card)
        return found if found is not None and not found.erased else None

    def get(self, customer_id: int) -> Customer:
        """A profile by id."""
        found = self.store.get(customer_id)
        if found is None:
            raise CustomerError("That customer does not exist")
        return found

    def create_quick(self, text: str) -> Customer:
        """A new customer from ``name, phone`` typed during a sale."""
        return self.store.create(parse_quick_customer(text), self.clock())

    def create(self, details: CustomerDetails) -> Customer:
        """A new customer with a full profile."""
        return self.store.create(check_details(details), self.clock())

    def update(self, customer_id: int, details: CustomerDetails) -> Customer:
        """Change a profile."""
        if self.get(customer_id).erased:
            raise CustomerError("That customer was erased")
        return self.store.update(customer_id, check_details(details), self.clock())

    # -- at the till -----------------------------------------------------------------------
    def attach(self, register: Register, customer_id: int) -> Customer:
        """Attach a customer to the open sale."""
        customer = self.get(customer_id)
        if customer.erased:
            raise CustomerError("That customer was erased")
        register.set_customer(customer.id, self.audiences(register, customer.id))
        return customer

    def attach_card(self, register: Register, card: str) -> Customer:
        """Attach the customer of a scanned loyalty card."""
        customer = self.by_card(card)
        if customer is None:
            raise CustomerError(f"Card {card} belongs to no customer: Ctrl+U to find or add one")
        register.set_customer(customer.id, self.audiences(register, customer.id))
        return customer

    def audiences(self, register: Register, customer_id: int) -> frozenset[str]:
        """The customer's tier and the saved segments named by today's targeted promotions
        that hold them (``tier:Gold``, ``segment:lapsed``)."""
        found: set[str] = set()
        tier = self.ledger.tier(customer_id, self.clock()) if self.rules.enabled else None
        if tier is not None:
            found.add(f"tier:{tier.name}")
        customer = self.get(customer_id)
        if birthday_month(customer.details.birthday, self.clock().astimezone().date()):
            found.add(BIRTHDAY_AUDIENCE)
        for promo in register.cart.promotions:
            if promo.kind == "stamp" and stamp_completes(
                self.history.stamp_tally(customer_id, promo), promo.buy_qty
            ):
                found.add(promo.audience)  # this visit completes the card
        for name in sorted({p.segment for p in register.cart.promotions if p.segment}):
            try:
                rule = self.segment(name)
            except CustomerError:
                continue  # a promotion for a segment since deleted reaches nobody
            if any(m.customer.id == customer_id for m in self.members(rule)):
                found.add(f"segment:{name}")
        return frozenset(found)

    def badge(self, customer_id: int) -> CustomerBadge:
        """Name, tier, points and birthday offer of a customer, for the register."""
        customer = self.get(customer_id)
        now = self.clock()
        tier = self.ledger.tier(customer_id, now) if self.rules.enabled else None
        return CustomerBadge(
            customer_id,
            customer.name,
            tier.name if tier else "",
            self.ledger.balance(customer_id) if self.rules.enabled else 0,
            self.birthday_offer(customer),
        )

    def birthday_offer(self, customer: Customer) -> date | None:
        """The birthday whose reward can be given now (in its window, not given yet)."""
        if not self.rules.enabled or not self.rules.birthday_points:
            return None
        birthday = customer.details.birthday
        if birthday is None or customer.erased:
            return None
        occurrence = birthday_occurrence(
            birthday, self.clock().date(), self.rules.birthday_window_days
        )
        if occurrence is None:
            return None
        if self.ledger.has_entry(customer.id, "birthday", occurrence.isoformat()):
            return None
        return occurrence

    def grant_birthday(self, customer_id: int) -> int:
        """Give the birthday reward (once per birthday); returns the points given."""
        occurrence = self.birthday_offer(self.get(customer_id))
        if occurrence is None:
            raise LoyaltyError("No birthday reward is due for this customer now")
        granted = self.ledger.grant_once(
            customer_id,
            "birthday",
            self.rules.birthday_points,
            occurrence.isoformat(),
            self.till,
            self.clock(),
        )
        if not granted:
            raise LoyaltyError("The birthday reward was already given")
        return self.rules.birthday_points

    def redeem_balance(self, register: Register) -> int:
        """The balance the attached customer may redeem from now: this till's ledger, or
        what :attr:`points_authority` decides (the organisation's balance online, the
        offline policy otherwise; it may ask the store server: call from a worker)."""
        customer_id = self._attached(register)
        local = self.ledger.balance(customer_id)
        if self.points_authority is None:
            return local
        return self.points_authority(customer_id, local)

    def redeem_hint(self, register: Register, balance: int | None = None) -> str:
        """What the points prompt says: balance and the most this sale can take
        (``balance``: from :meth:`redeem_balance`; None = this till's ledger)."""
        customer_id = self._attached(register)
        if balance is None:
            balance = self.ledger.balance(customer_id)
        state = register.tender_state()
        paid = sum(p.amount_cents for p in state.payments if p.kind == "points")
        cap = redeem_cap(balance, state.total_cents, state.remaining_cents, paid, self.rules)
        if balance < self.rules.redeem_min_points:
            cap = 0
        return f"Balance {balance:,} points; this sale can take up to {cap:,} (Enter = {cap})"

    def redeem(
        self, register: Register, text: str, balance: int | None = None
    ) -> SaleDocument | None:
        """Pay with points (empty text = as many as allowed); the sale once fully paid.
        ``balance``: from :meth:`redeem_balance` (None = this till's ledger)."""
        customer_id = self._attached(register)
        if balance is None:
            balance = self.ledger.balance(customer_id)
        state = register.tender_state()
        paid = sum(p.amount_cents for p in state.payments if p.kind == "points")
        if text.strip():
            points = parse_points(text)
        else:
            points = redeem_cap(balance, state.total_cents, state.remaining_cents, paid, self.rules)
        cents = check_redeem(
            points, balance, state.total_cents, state.remaining_cents, paid, self.rules
        )
        return register.pay_points(points, cents)

    def _attached(self, register: Register) -> int:
        if not self.rules.enabled:
            raise LoyaltyError("Loyalty points are not enabled at this store")
        customer_id = register.cart.customer_id
        if customer_id is None:
            raise LoyaltyError("No customer on this sale: Ctrl+U attaches one")
        return customer_id

    # -- the profile -----------------------------------------------------------------------
    def profile(
        self,
        customer_id: int,
        basket: list[int] | None = None,
        elsewhere: OrganisationHistory | None = None,
    ) -> CustomerProfile:
        """History, visits, average basket, favourites, suggestions, points and tier;
        with ``elsewhere`` (:meth:`elsewhere`) the visits, favourites and suggestions
        include the customer's documents at other tills and stores and web shops."""
        customer = self.get(customer_id)
        now = self.clock()
        stats = self.history.stats([customer_id], now)[0]
        remote = elsewhere.visits if elsewhere else ()
        baskets = self.history.baskets(customer_id, HISTORY_VISITS)
        baskets += [r.product_ids for r in remote if r.product_ids]
        basket_ids = list(basket or [])
        pairs, item_sales = self.history.pair_counts(basket_ids)
        found = suggest(baskets, basket_ids, pairs, item_sales)
        favs = favourites(baskets)
        names = self.history.product_names([pid for pid, _ in favs] + [s.product_id for s in found])
        return CustomerProfile(
            customer=customer,
            stats=stats,
            tier=self._tier_name(stats),
            visits=merge_visits(self.history.visits(customer_id, 20), remote, 20),
            favourites=[(names.get(pid, f"#{pid}"), n) for pid, n in favs],
            suggestions=[(names.get(s.product_id, f"#{s.product_id}"), s) for s in found],
            ledger=self.history.ledger(customer_id),
            birthday_offer=self.birthday_offer(customer),
            source=elsewhere.source if elsewhere else "",
        )

    def elsewhere(self, customer_id: int) -> OrganisationHistory | None:
        """The customer's documents the store server holds and this till does not (asks
        the server: a worker's job); None on a till alone or for a customer without card."""
        card = self.get(customer_id).details.card
        if self.organisation_history is None or not card:
            return None
        return self.organisation_history(card)

    def _tier_name(self, stats: CustomerStats) -> str:
        tier: Tier | None = tier_for(stats.spend_12m_cents, self.rules.tiers)
        return tier.name if tier and self.rules.enabled else ""
