"""Text that came from people or data, shown as text: never parsed as markup.

Names, codes, reasons, config values and error messages may hold ``[`` and ``]``. Given
to a widget as a ``str`` they would be read as Rich/Textual markup: ``[/]`` crashes the
register, ``[drawer]`` disappears. Every such string goes through one of these three:

- :func:`plain` for a DataTable or Rich Table cell (a ``Text``, shown as it is);
- :func:`styled` when our own markup wraps data: ``styled("[b]$name[/b]", name=...)``
  puts the data in ``$`` slots, where it is never parsed;
- ``Static(..., markup=False)`` / ``Label(..., markup=False)`` for a line of plain text.

Notifications are made plain once, in :meth:`tui_pos.app.PosApp.notify`.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import JustifyMethod
from rich.text import Text
from textual.content import Content

__all__ = ["plain", "plain_row", "styled"]


def plain(value: object, style: str = "", justify: JustifyMethod | None = None) -> Text:
    """``value`` as literal text (a renderable is returned as it is)."""
    if isinstance(value, Text):
        return value
    return Text(str(value), style=style, justify=justify)


def plain_row(values: Iterable[object]) -> list[Text]:
    """A table row: every cell as literal text (a ``Text`` cell is kept as it is)."""
    return [plain(v) for v in values]


def styled(template: str, **values: object) -> Content:
    """Our markup ``template`` with ``values`` in its ``$name`` slots, taken literally."""
    return Content.from_markup(template, **{k: str(v) for k, v in values.items()})
