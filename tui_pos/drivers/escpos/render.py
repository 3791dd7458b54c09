"""A :class:`~tui_pos.domain.receipt.Receipt` as standard ESC/POS bytes. Pure: no I/O.

The bytes are written here by hand, command by command (the same bytes python-escpos's
``Dummy`` printer produces for ``hw("INIT")``, ``charcode()``, ``set()``, ``cut()`` and
``cashdraw()``; the tests compare them). python-escpos is used for what it knows best: the
printer profiles of the escpos-printer-db, which give the ``ESC t n`` number of a code
page (CP858 is 19 on Epson-compatible profiles but 4 on Star, 53 on many 58 mm clones)
and say whether the printer can cut and print Code 128. It is not used to build the job
because its ``barcode()`` ``print()``s to stdout (garbling a TUI) and its MagicEncode
switches code pages per character.

``escpos`` is imported lazily, on the first render, with the root logging handler its
import installs (``logging.basicConfig()`` in ``escpos.capabilities``) removed again.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tui_pos.domain.errors import ConfigError
from tui_pos.domain.receipt import Receipt
from tui_pos.drivers.escpos.encoding import encode_line, fit_line, fold_for_codepage

ESC = b"\x1b"
GS = b"\x1d"
DLE = b"\x10"
LF = b"\n"

INIT = ESC + b"@"  #: ESC @: reset the printer (styles, and the code page back to page 0)
ALIGN_LEFT = ESC + b"a\x00"
ALIGN_CENTER = ESC + b"a\x01"
BOLD_ON = ESC + b"E\x01"
BOLD_OFF = ESC + b"E\x00"
SIZE_NORMAL = ESC + b"!\x00"  #: ESC ! 0 (also ends bold: set sizes before bold)
SIZE_DOUBLE = ESC + b"!\x30"  #: ESC ! with double height (bit 4) and double width (bit 5)
SIZE_DOUBLE_HEIGHT = ESC + b"!\x10"
FEED_LINES = 6  #: lines fed before the cut (what python-escpos ``cut()`` feeds)
PARTIAL_CUT = GS + b"V\x01"
FULL_CUT = GS + b"V\x00"
BARCODE_HEIGHT = 64  #: dots (8 mm at 203 dpi)
BARCODE_MODULE = 2  #: dots per module: a 20-character Code 128 still fits 58 mm paper
CODE128 = 73  #: GS k m, function B
CODE39 = 4  #: GS k m, function A (fallback for profiles without function B)

_CODE39_CHARS = re.compile(r"[0-9A-Z $%+\-./]+")


def status_query_bytes(n: int) -> bytes:
    """``DLE EOT n``: ask for status byte ``n`` (1 printer, 2 offline cause, 3 error, 4 paper)."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT n must be 1-4, not {n}")
    return DLE + b"\x04" + bytes([n])


def drawer_kick_bytes(pin: int, pulse_ms: int) -> bytes:
    """``ESC p m t1 t2``: a pulse of ``pulse_ms`` on drawer connector ``pin`` (2 or 5).

    ``m`` is 0 for pin 2 and 1 for pin 5; the on time ``t1`` and off time ``t2`` are in
    2 ms units (``pulse_ms`` rounded to the nearest 2 ms, 2-510 ms).
    """
    if pin not in (2, 5):
        raise ValueError(f"drawer pin must be 2 or 5, not {pin}")
    if not 1 <= pulse_ms <= 510:
        raise ValueError(f"drawer pulse must be 1-510 ms, not {pulse_ms}")
    units = min(255, max(1, round(pulse_ms / 2)))
    return ESC + b"p" + bytes([0 if pin == 2 else 1, units, units])


# -- python-escpos capabilities (profiles and code pages) ------------------------------

_import_lock = threading.Lock()
_caps: Any = None


def _capabilities() -> Any:
    """``escpos.capabilities``, imported without leaving a stderr handler on the root logger."""
    global _caps
    if _caps is not None:
        return _caps
    with _import_lock:
        if _caps is not None:
            return _caps
        fresh = "escpos.capabilities" not in sys.modules
        root = logging.getLogger()
        before = list(root.handlers)
        try:
            from escpos import capabilities
        finally:
            for handler in list(root.handlers):
                if handler not in before:
                    root.removeHandler(handler)
        if fresh and "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
            # its import makes a fresh temp dir for a cache pickle it never reads again
            shutil.rmtree(str(capabilities.pickle_dir), ignore_errors=True)
        _caps = capabilities
        return capabilities


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


@dataclass(frozen=True)
class PrinterModel:
    """What a python-escpos profile says about the printer, for one code page."""

    profile: str  #: the profile name as the escpos-printer-db spells it
    codepage: str  #: the code page name as the profile spells it, e.g. "CP858"
    codepage_number: int  #: ``n`` in ``ESC t n``
    codec: str  #: the Python codec for the text bytes, e.g. "cp858"
    code128: bool  #: the printer draws Code 128 (GS k function B)
    code39: bool  #: the printer draws Code 39 (GS k function A)
    cut: bytes  #: the cut command (partial if it can), b"" when it has no cutter


@lru_cache(maxsize=32)
def printer_model(profile: str = "default", codepage: str = "cp858") -> PrinterModel:
    """Look ``profile`` and ``codepage`` up in the python-escpos printer database.

    Raises ConfigError naming ``printer.profile`` or ``printer.codepage`` when the profile
    does not exist or does not list the code page (or Python cannot encode it).
    """
    caps = _capabilities()
    profiles: dict[str, Any] = caps.CAPABILITIES["profiles"]
    name = next((p for p in profiles if p.lower() == profile.lower()), None)
    if name is None:
        known = ", ".join(sorted(profiles, key=str.lower))
        raise ConfigError(
            f'printer.profile: unknown printer profile "{profile}"; known profiles: {known}'
        )
    data = caps.get_profile(name)
    encodings: dict[str, Any] = caps.CAPABILITIES["encodings"]
    usable = {
        page: int(number)
        for page, number in data.get_code_pages().items()
        if encodings.get(page, {}).get("python_encode")
    }
    page = next((p for p in usable if _key(p) == _key(codepage)), None)
    if page is None:
        known = ", ".join(sorted(usable, key=lambda p: usable[p]))
        raise ConfigError(
            f'printer.codepage: "{codepage}" is not a code page of printer profile "{name}"'
            f"; it has: {known}"
        )
    codec = str(encodings[page]["python_encode"])
    try:
        "".encode(codec)
    except LookupError:
        raise ConfigError(
            f'printer.codepage: Python cannot encode code page "{page}" ({codec})'
        ) from None
    features: dict[str, Any] = data.features
    if features.get("paperPartCut"):
        cut = PARTIAL_CUT
    elif features.get("paperFullCut"):
        cut = FULL_CUT
    else:
        cut = b""
    return PrinterModel(
        profile=name,
        codepage=page,
        codepage_number=usable[page],
        codec=codec,
        code128=bool(features.get("barcodeB")),
        code39=bool(features.get("barcodeA")) or bool(features.get("barcodeB")),
        cut=cut,
    )


def codepage_select_bytes(profile: str = "default", codepage: str = "cp858") -> bytes:
    """``ESC t n`` selecting ``codepage`` on a printer of ``profile`` (n from the profile)."""
    return ESC + b"t" + bytes([printer_model(profile, codepage).codepage_number])


# -- the receipt ----------------------------------------------------------------------


def _barcode_bytes(data: str, model: PrinterModel) -> bytes:
    """The sale number as a centered barcode with its text below, or b"" if impossible."""
    setup = (
        ALIGN_CENTER
        + GS
        + b"h"
        + bytes([BARCODE_HEIGHT])
        + GS
        + b"w"
        + bytes([BARCODE_MODULE])
        + GS
        + b"f\x00"  # HRI font A
        + GS
        + b"H\x02"  # HRI text below the bars
    )
    if model.code128 and data.isascii() and data.isprintable():
        payload = b"{B" + data.replace("{", "{{").encode("ascii")
        if len(payload) <= 255:
            return setup + GS + b"k" + bytes([CODE128, len(payload)]) + payload + ALIGN_LEFT
    if model.code39 and _CODE39_CHARS.fullmatch(data) and len(data) <= 64:
        return setup + GS + b"k" + bytes([CODE39]) + data.encode("ascii") + b"\x00" + ALIGN_LEFT
    return b""


def receipt_bytes(
    receipt: Receipt,
    *,
    profile: str = "default",
    codepage: str = "cp858",
    width: int | None = None,
) -> bytes:
    """The ESC/POS job printing ``receipt``.

    ``ESC @``, ``ESC t n`` for ``codepage`` (n from ``profile``), the title lines double
    width and height and centered (double height only when the title is wider than half
    the paper), the total line bold, the other lines as they are, the sale number as a
    Code 128 barcode with its text below, 6 lines of feed and a partial cut. Text is
    folded to the code page (:func:`fold_for_codepage`) and kept within ``width``
    characters (default ``receipt.width``). Raises ConfigError for a bad profile or page.
    """
    model = printer_model(profile, codepage)
    columns = width or receipt.width
    out = bytearray(INIT + ESC + b"t" + bytes([model.codepage_number]))
    for index, line in enumerate(receipt.lines):
        text = fold_for_codepage(line, model.codec).rstrip()
        if index < receipt.title_lines:
            text = text.strip()
            size = SIZE_DOUBLE if 2 * len(text) <= columns else SIZE_DOUBLE_HEIGHT
            text = fit_line(text, columns // 2 if size == SIZE_DOUBLE else columns)
            bold = index == receipt.total_line
            out += ALIGN_CENTER + size + (BOLD_ON if bold else b"")
            out += encode_line(text, model.codec) + LF + SIZE_NORMAL + ALIGN_LEFT
        elif index == receipt.total_line:
            out += BOLD_ON + encode_line(fit_line(text, columns), model.codec) + LF + BOLD_OFF
        else:
            out += encode_line(fit_line(text, columns), model.codec) + LF
    if receipt.barcode:
        out += _barcode_bytes(receipt.barcode, model)
    for code in receipt.extra_barcodes:
        out += _barcode_bytes(code, model)
    out += ESC + b"d" + bytes([FEED_LINES]) + model.cut
    return bytes(out)
