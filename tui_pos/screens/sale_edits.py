"""The register's keys that change the open sale: weight, discounts, price, voids,
park and unpark.

Each key that asks something runs a flow (``@work(group=FLOW_GROUP)``) that reads top to
bottom: the dialog's answer, the approval (``approval_for``), then the register.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from functools import partial

from textual import work

from tui_pos.domain.errors import StorageError, WeightNeeded
from tui_pos.domain.money import format_money
from tui_pos.domain.receipt import sale_number
from tui_pos.domain.staff import Action, Approval
from tui_pos.screens.authorize import approval_for, staff_of
from tui_pos.screens.dialogs import FLOW_GROUP, ConfirmScreen, PromptScreen, ask
from tui_pos.screens.sale_view import SaleView


@dataclass(frozen=True)
class _OverLimit:
    """A discount above the limit: it needs an approval before it is given."""

    text: str


class SaleEdits(SaleView):
    """Adding by weight, discounts, price override, voids, park and unpark."""

    def _sell(self, text: str) -> None:
        """Add the item; one sold by weight without a weight asks for it."""
        self.attempt(partial(self._enter, text), select_last=True)

    def _enter(self, text: str) -> str:
        try:
            return self.register.enter(text).message
        except WeightNeeded as need:
            self._ask_weight(need)
            return f"{need.name} is sold by weight: type the weight"

    @work(group=FLOW_GROUP)
    async def _ask_weight(self, need: WeightNeeded) -> None:
        """The weight of an item sold by weight (its PLU was typed without one)."""
        message = await self.app.push_screen_wait(
            PromptScreen(
                f"Weight of {need.name}",
                "In kg, e.g. 0.350 (Esc: nothing is added)",
                lambda text: self.register.enter(f"{text.strip()}*{need.code}").message,
                scan_aware=False,
            )
        )
        self._after_prompt(message, select_last=True)

    # -- discounts ----------------------------------------------------------------------
    def action_line_discount(self) -> None:
        """Discount the selected line."""
        index = self.cart_table.selected_index
        if index < 0:
            return
        name = self.register.cart.lines[index].name
        self._discount(f"Discount on {name}", "10% or 1.50 (empty removes it)", index)

    def action_cart_discount(self) -> None:
        """Discount the whole sale."""
        self._discount("Discount on the whole sale", "10% or 5.00 (empty removes it)", None)

    def _discount(self, title: str, hint: str, index: int | None) -> None:
        prompt = PromptScreen(title, hint, partial(self._give_within_limit, index))
        self._discount_given(ask(self.app, prompt), title, index)

    def _give_within_limit(self, index: int | None, text: str) -> str | _OverLimit:
        share = self.register.discount_share_bp(text, index)
        if staff_of(self).discount_over_limit(share):
            return _OverLimit(text)
        return self._give_discount(index, text, None)

    @work(group=FLOW_GROUP)
    async def _discount_given(
        self, answer: Awaitable[str | _OverLimit | None], title: str, index: int | None
    ) -> None:
        """A discount up to the limit is given at once; above it, the approval is collected
        first (the prompt closes; the approval modal opens unless the employee's own role
        may), then the register applies it with that approval."""
        result = await answer
        if not isinstance(result, _OverLimit):
            self._after_prompt(result)
            return
        what = f"{title}: {result.text.strip()}"
        approval = await approval_for(self, Action.DISCOUNT_OVER_LIMIT, what)
        if approval is not None:
            self.attempt(partial(self._give_discount, index, result.text, approval))

    def _give_discount(self, index: int | None, text: str, approval: Approval | None) -> str:
        """Set the discount of line ``index`` (None: of the whole sale), above the limit
        with ``approval`` (the register checks it); what to say."""
        if index is None:
            self.register.set_cart_discount(text, approval)
            return f"Sale discount: {text.strip() or 'removed'}"
        name = self.register.cart.lines[index].name
        self.register.set_line_discount(index, text, approval)
        return f"Discount on {name}: {text.strip() or 'removed'}"

    # -- price and voids ----------------------------------------------------------------
    def action_price_override(self) -> None:
        """Change the selected line's unit price (needs PRICE_OVERRIDE)."""
        index = self.cart_table.selected_index
        if index < 0:
            return
        name = self.register.cart.lines[index].name
        self._override_price(approval_for(self, Action.PRICE_OVERRIDE, f"Price of {name}"), index)

    @work(group=FLOW_GROUP)
    async def _override_price(self, approved: Awaitable[Approval | None], index: int) -> None:
        line = self.register.cart.lines[index]
        approval = await approved
        if approval is None:
            return

        def apply(text: str) -> str:
            self.register.set_line_price(index, text, approval)
            return f"Price of {line.name} set to {text.strip()}"

        message = await self.app.push_screen_wait(
            PromptScreen(
                f"New price for {line.name}",
                f"Now {format_money(line.unit_price_cents)} per {line.unit}",
                apply,
                scan_aware=False,
            )
        )
        self._after_prompt(message)

    def action_void_line(self) -> None:
        """Remove the selected line."""
        index = self.cart_table.selected_index
        if index < 0:
            return
        name = self.register.cart.lines[index].name
        self._void_line(approval_for(self, Action.VOID_LINE, f"Void {name}"), index)

    @work(group=FLOW_GROUP)
    async def _void_line(self, approved: Awaitable[Approval | None], index: int) -> None:
        approval = await approved
        if approval is not None:
            self.attempt(lambda: f"Voided {self.register.void_line(index, approval).name}")

    def action_void_sale(self) -> None:
        """Abandon the whole sale (asks first)."""
        self._void_sale_if(ask(self.app, ConfirmScreen("Void the whole sale?")))

    @work(group=FLOW_GROUP)
    async def _void_sale_if(self, confirmed: Awaitable[bool]) -> None:
        if not await confirmed:
            return
        total = format_money(self.register.totals().total_cents)
        approval = await approval_for(self, Action.VOID_SALE, f"Void the sale of {total}")
        if approval is not None:
            self.attempt(partial(self._void_sale, approval))

    def _void_sale(self, approval: Approval) -> str:
        doc = self.register.void_sale(approval)
        return f"Sale voided ({sale_number(doc)})" if doc else "Sale voided"

    # -- park and unpark ----------------------------------------------------------------
    def action_suspend(self) -> None:
        """Park the sale, optionally with a label."""
        self._said(
            ask(
                self.app,
                PromptScreen(
                    "Suspend this sale",
                    "A label, e.g. the customer's name (optional)",
                    self._park,
                ),
            )
        )

    def _park(self, label: str) -> str:
        number = self.register.suspend(label)
        return f"Sale suspended (#{number}): F7 resumes it"

    def action_resume(self) -> None:
        """Pick a parked sale and bring it back."""
        try:
            parked = self.register.suspended()
        except StorageError as exc:
            self.say(str(exc), error=True)
            return
        if not parked:
            self.say("No suspended sales", error=True)
            return
        from tui_pos.screens.resume import ResumeScreen  # loaded on first use

        self._unpark_picked(ask(self.app, ResumeScreen(parked)))

    @work(group=FLOW_GROUP)
    async def _unpark_picked(self, picked: Awaitable[int | None]) -> None:
        suspended_id = await picked
        if suspended_id is not None:
            self.attempt(partial(self._unpark, suspended_id), select_last=True)

    def _unpark(self, suspended_id: int) -> str:
        self.register.resume(suspended_id)
        return "Sale resumed"
