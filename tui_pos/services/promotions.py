"""Managing promotions (``tui-pos promo add|list|end``) and reading the active ones.

The register reads the promotions active today when a sale starts; the cart applies them
(:mod:`tui_pos.domain.promotions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol

from tui_pos.domain.barcode import BarcodeParser
from tui_pos.domain.errors import DomainError, StorageError
from tui_pos.domain.money import parse_money
from tui_pos.domain.promotions import PROMOTION_KINDS, Promotion, PromotionError, PromotionKind
from tui_pos.domain.staff import Action, Approval
from tui_pos.services.permissions import Authorizer
from tui_pos.services.ports import Catalog, Clock


class PromotionStore(Protocol):
    """Promotions in storage."""

    def add(self, promo: Promotion) -> int:
        """Store a new promotion; returns its id."""

    def all(self) -> list[Promotion]:
        """Every promotion, newest first."""

    def active_on(self, day: date) -> list[Promotion]:
        """Promotions whose dates include ``day``."""

    def set_end(self, promo_id: int, day: date) -> None:
        """Set a promotion's last day."""

    def category_id(self, name: str) -> int | None:
        """The id of a category by name (case-insensitive)."""

    def target_names(self) -> dict[tuple[str, int], str]:
        """("product"|"category", id) -> name, for listing."""


class Promotions:
    """Adding, listing and ending promotions; the active ones for the register."""

    def __init__(
        self,
        store: PromotionStore,
        catalog: Catalog,
        parser: BarcodeParser,
        clock: Clock,
        auth: Authorizer,
    ) -> None:
        self.store = store
        self.auth = auth  #: adding and ending promotions is product admin
        self.catalog = catalog
        self.parser = parser
        self.clock = clock

    def today(self) -> date:
        """The store's local date."""
        return self.clock().astimezone().date()

    def active(self) -> tuple[Promotion, ...]:
        """The promotions active today; none when the database cannot be read (a sale must
        still be possible: it then sells at normal prices)."""
        try:
            return tuple(self.store.active_on(self.today()))
        except StorageError:
            return ()

    def add(
        self,
        *,
        name: str,
        kind: str,
        item: str | None = None,
        category: str | None = None,
        value: str = "",
        buy: int = 0,
        pay: int = 0,
        starts_on: date | None = None,
        ends_on: date | None = None,
        tier: str = "",
        segment: str = "",
        birthday: bool = False,
        approval: Approval | None = None,
    ) -> Promotion:
        """Check and store a promotion (``value``: ``10%``/``10`` for percent, an amount
        for amount off and for "N for price"; unused for "buy N pay M"); ``approval`` must
        cover PRODUCT_ADMIN."""
        self.auth.authorize(Action.PRODUCT_ADMIN, approval, f"promotion {name.strip()}")
        if kind not in PROMOTION_KINDS:
            raise PromotionError(f"kind must be one of {', '.join(PROMOTION_KINDS)}")
        promo_kind: PromotionKind = kind
        product_id = category_id = None
        if (item is None) == (category is None):
            raise PromotionError("Give either --item CODE or --category NAME")
        if item is not None:
            scanned = self.parser.parse(item)
            product = (
                self.catalog.by_plu(scanned.code)
                if scanned.kind == "plu"
                else self.catalog.by_code(scanned.code)
            )
            if product is None:
                raise PromotionError(f"No product {item}")
            product_id = product.id
        else:
            assert category is not None
            category_id = self.store.category_id(category)
            if category_id is None:
                raise PromotionError(f"No category {category!r}")
        if ends_on is not None and ends_on < (starts_on or self.today()):
            raise PromotionError("The promotion ends before it starts")
        amount = 0
        if promo_kind not in ("multi_free", "stamp"):
            try:
                amount = parse_money(value.strip().removesuffix("%"))
            except DomainError as exc:
                raise PromotionError(f"value: {exc}") from exc
        promo = Promotion(
            id=0,
            name=name.strip(),
            kind=promo_kind,
            value=amount,
            product_id=product_id,
            category_id=category_id,
            buy_qty=buy,
            pay_qty=pay,
            starts_on=starts_on or self.today(),
            ends_on=ends_on,
            tier=tier.strip(),
            segment=segment.strip(),
            birthday=birthday,
        )
        return replace(promo, id=self.store.add(promo))

    def list(self) -> Sequence[Promotion]:
        """Every promotion, newest first."""
        return self.store.all()

    def end(self, promo_id: int, approval: Approval | None = None) -> Promotion:
        """End a promotion: yesterday becomes its last day, so it no longer applies today
        (one that has not started yet then never applies); ``approval``: PRODUCT_ADMIN."""
        self.auth.authorize(Action.PRODUCT_ADMIN, approval, f"end promotion #{promo_id}")
        found = [p for p in self.store.all() if p.id == promo_id]
        if not found:
            raise PromotionError(f"No promotion #{promo_id}")
        promo = found[0]
        last = date.fromordinal(self.today().toordinal() - 1)
        if promo.ends_on is not None and promo.ends_on <= last:
            raise PromotionError(f"Promotion #{promo_id} has ended already")
        self.store.set_end(promo_id, last)  # before its first day: it never applies
        return replace(promo, ends_on=last)

    def target_name(self, promo: Promotion) -> str:
        """What a promotion applies to, for listing."""
        names = self.store.target_names()
        if promo.product_id is not None:
            return names.get(("product", promo.product_id), f"product #{promo.product_id}")
        return "category " + names.get(
            ("category", promo.category_id or 0), f"#{promo.category_id}"
        )
