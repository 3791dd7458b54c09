"""Display width: receipts and screens measure names in terminal cells, not characters."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from tests.unit.test_receipt import TAXES, cart_line, document, paid_in_cash
from tui_pos.domain.cart import Cart
from tui_pos.domain.receipt import ReceiptStyle, render_receipt
from tui_pos.domain.text_width import cell_width, fit, pad


def test_receipt_with_wide_characters_is_measured_in_cells() -> None:
    cart = Cart(TAXES)
    cart.add(cart_line("緑茶ティーバッグ 抹茶入り 二十袋", 459))  # 16 wide chars + spaces
    cart.add(cart_line("Café crème ＬＡＲＧＥ", 320))  # full-width Latin
    cart.add(cart_line("寿司", 1250))
    doc = document(cart, paid_in_cash(cart))
    lines = render_receipt(doc, ReceiptStyle(store_name="東京ストア", width=32))
    for line in lines:
        assert cell_len(line) <= 32, line  # rich's own measure: nothing past the paper
    tea = next(ln for ln in lines if ln.startswith("緑茶"))
    assert tea.endswith(" 4.59") and cell_len(tea) == 32  # the amount at the edge
    assert "…" in tea  # a cut name says it was cut
    sushi = next(ln for ln in lines if ln.startswith("寿司"))
    assert cell_len(sushi) == 32 and sushi.endswith(" 12.50")
    assert lines[0] == " " * 11 + "東京ストア"  # centred in cells: (32 - 10) // 2


@given(st.text(max_size=40), st.integers(min_value=0, max_value=40))
def test_fit_and_pad_agree_with_rich(text: str, width: int) -> None:
    printable = "".join(c for c in text if c.isprintable())
    assert cell_width(printable) == cell_len(printable)
    fitted = fit(printable, width)
    assert cell_len(fitted) <= width
    if cell_len(printable) > width and width:
        assert fitted.endswith("…")
    assert cell_len(pad(printable, width)) == width
