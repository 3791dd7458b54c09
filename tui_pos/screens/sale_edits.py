"""The register's keys that change the open sale: weight, discounts, price, voids,
park and unpark."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tui_pos.domain.errors import StorageError, WeightNeeded
from tui_pos.domain.money import format_money
from tui_pos.domain.receipt import sale_number
from tui_pos.domain.staff import Action, Approval
from tui_pos.screens.authorize import staff_of, with_permission
from tui_pos.screens.dialogs import ConfirmScreen, PromptScreen
from tui_pos.screens.sale_view import SaleView


@dataclass(frozen=True)
class _OverLimit:
    """A discount above the limit: it needs an approval before it is given."""

    text: str


class SaleEdits(SaleView):
    """Adding by weight, discounts, price override, voids, park and unpark."""

    def _sell(self, text: str) -> None:
        """Add the item; one sold by weight without a weight asks for it."""

        def add() -> str:
            try:
                return self.register.enter(text).message
            except WeightNeeded as need:
                self.call_after_refresh(self._ask_weight, need)
                return f"{need.name} is sold by weight: type the weight"

        self.attempt(add, select_last=True)

    def _ask_weight(self, need: WeightNeeded) -> None:
        """The weight of an item sold by weight (its PLU was typed without one)."""

        def apply(text: str) -> str:
            return self.register.enter(f"{text.strip()}*{need.code}").message

        def after(message: str | None) -> None:
            if message:
                self.say(message)
            self.refresh_sale(select_last=True)

        self.app.push_screen(
            PromptScreen(
                f"Weight of {need.name}",
                "In kg, e.g. 0.350 (Esc: nothing is added)",
                apply,
                scan_aware=False,
            ),
            after,
        )

    def action_line_discount(self) -> None:
        """Discount the selected line."""
        index = self.cart_table.selected_index
        if index < 0:
            return
        name = self.register.cart.lines[index].name

        def give(text: str, approval: Approval | None) -> str:
            self.register.set_line_discount(index, text, approval)
            return f"Discount on {name}: {text.strip() or 'removed'}"

        self._ask_discount(f"Discount on {name}", "10% or 1.50 (empty removes it)", index, give)

    def action_cart_discount(self) -> None:
        """Discount the whole sale."""

        def give(text: str, approval: Approval | None) -> str:
            self.register.set_cart_discount(text, approval)
            return f"Sale discount: {text.strip() or 'removed'}"

        self._ask_discount(
            "Discount on the whole sale", "10% or 5.00 (empty removes it)", None, give
        )

    def _ask_discount(
        self, title: str, hint: str, index: int | None, give: Callable[[str, Approval | None], str]
    ) -> None:
        """A discount up to the limit is given at once; above it, the approval is collected
        first (the prompt closes; the approval modal opens unless the employee's own role
        may), then the register applies it with that approval."""
        staff = staff_of(self)

        def apply(text: str) -> str | _OverLimit:
            share = self.register.discount_share_bp(text, index)
            if staff.discount_over_limit(share):
                return _OverLimit(text)
            return give(text, None)

        def after(result: str | _OverLimit | None) -> None:
            if isinstance(result, _OverLimit):
                what = f"{title}: {result.text.strip()}"
                with_permission(
                    self,
                    Action.DISCOUNT_OVER_LIMIT,
                    what,
                    lambda approval: self.attempt(lambda: give(result.text, approval)),
                )
                return
            self._after_prompt(result)

        self.app.push_screen(PromptScreen(title, hint, apply), after)

    def action_price_override(self) -> None:
        """Change the selected line's unit price (needs PRICE_OVERRIDE)."""
        index = self.cart_table.selected_index
        if index < 0:
            return
        line = self.register.cart.lines[index]

        def allowed(approval: Approval) -> None:
            def apply(text: str) -> str:
                self.register.set_line_price(index, text, approval)
                return f"Price of {line.name} set to {text.strip()}"

            self.app.push_screen(
                PromptScreen(
                    f"New price for {line.name}",
                    f"Now {format_money(line.unit_price_cents)} per {line.unit}",
                    apply,
                    scan_aware=False,
                ),
                self._after_prompt,
            )

        with_permission(self, Action.PRICE_OVERRIDE, f"Price of {line.name}", allowed)

    def action_void_line(self) -> None:
        """Remove the selected line."""
        index = self.cart_table.selected_index
        if index < 0:
            return
        name = self.register.cart.lines[index].name
        with_permission(
            self,
            Action.VOID_LINE,
            f"Void {name}",
            lambda approval: self.attempt(
                lambda: f"Voided {self.register.void_line(index, approval).name}"
            ),
        )

    def action_void_sale(self) -> None:
        """Abandon the whole sale (asks first)."""

        def answered(yes: bool | None) -> None:
            if yes:
                total = format_money(self.register.totals().total_cents)
                with_permission(
                    self,
                    Action.VOID_SALE,
                    f"Void the sale of {total}",
                    lambda approval: self.attempt(lambda: self._void_sale(approval)),
                )

        self.app.push_screen(ConfirmScreen("Void the whole sale?"), answered)

    def _void_sale(self, approval: Approval) -> str:
        doc = self.register.void_sale(approval)
        return f"Sale voided ({sale_number(doc)})" if doc else "Sale voided"

    def action_suspend(self) -> None:
        """Park the sale, optionally with a label."""

        def apply(label: str) -> str:
            number = self.register.suspend(label)
            return f"Sale suspended (#{number}): F7 resumes it"

        self.app.push_screen(
            PromptScreen(
                "Suspend this sale", "A label, e.g. the customer's name (optional)", apply
            ),
            self._after_prompt,
        )

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

        def chosen(suspended_id: int | None) -> None:
            if suspended_id is not None:
                self.attempt(lambda: self._resume(suspended_id), select_last=True)

        from tui_pos.screens.resume import ResumeScreen  # loaded on first use

        self.app.push_screen(ResumeScreen(parked), chosen)

    def _resume(self, suspended_id: int) -> str:
        self.register.resume(suspended_id)
        return "Sale resumed"
