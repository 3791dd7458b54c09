"""Tax rates and the one tax algorithm of the till: per receipt, per tax code.

Tax is computed on the sum of the (discounted) line amounts of each code, then rounded
once per code. With prices that include tax the total is the sum of the lines and the tax
is the part of it that is tax; with prices that exclude tax the tax is added on top.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_pos.domain.money import div_round


@dataclass(frozen=True)
class TaxRate:
    """A tax code as configured: ``rate_bp`` in basis points (2000 = 20 %)."""

    code: str
    name: str
    rate_bp: int

    @property
    def label(self) -> str:
        """The rate as shown on screen and receipt, e.g. ``20%`` or ``5.5%``."""
        whole, frac = divmod(self.rate_bp, 100)
        return f"{whole}%" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0") + "%"


@dataclass(frozen=True)
class TaxLine:
    """The tax of one code on one receipt.

    ``base_cents`` is the amount the tax was computed on: the gross amount when prices
    include tax, the net amount otherwise.
    """

    code: str
    rate_bp: int
    base_cents: int
    tax_cents: int


def tax_of(base_cents: int, rate_bp: int, *, included: bool) -> int:
    """Tax on ``base_cents``: the included part of a gross amount, or the amount to add."""
    if included:
        return div_round(base_cents * rate_bp, 10_000 + rate_bp)
    return div_round(base_cents * rate_bp, 10_000)
