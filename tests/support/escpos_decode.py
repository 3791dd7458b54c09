"""A small ESC/POS decoder for tests: bytes back into what a customer would read.

:func:`decode` gives the printed text lines plus markers for what is not text:
``"[CUT]"``, ``"[BARCODE CODE128 T1-000042]"``, ``"[DRAWER pin=2 pulse=120ms]"``,
``"[QR data]"``, ``"[IMAGE 384x24]"``, ``"[LOGO 1]"``. Styles (bold, double size,
alignment) stay out of the text unless asked for (``styles=True`` prefixes lines with
``<center,bold,2w,2h>``); invisible commands (init, code page, status queries) are left
out unless ``commands=True`` (``"[INIT]"``, ``"[CODEPAGE 19]"``, ``"[STATUS? 1]"``).

Commands are skipped by their known lengths (from the Epson ESC/POS reference and the
command tables of escpos-tools); an unknown command or control byte raises
:class:`DecodeError` so a test notices bytes nobody meant to send.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C

BARCODE_A = {0: "UPC-A", 1: "UPC-E", 2: "EAN13", 3: "EAN8", 4: "CODE39", 5: "ITF", 6: "CODABAR"}
BARCODE_B = {
    65: "UPC-A",
    66: "UPC-E",
    67: "EAN13",
    68: "EAN8",
    69: "CODE39",
    70: "ITF",
    71: "CODABAR",
    72: "CODE93",
    73: "CODE128",
    74: "GS1-128",
    75: "GS1-DATABAR",
    76: "GS1-DATABAR-TRUNCATED",
    77: "GS1-DATABAR-LIMITED",
    78: "GS1-DATABAR-EXPANDED",
}

#: ESC commands of fixed length (the whole command, ESC included)
ESC_FIXED = {
    "@": 2,  # initialize
    "!": 3,  # print mode
    "E": 3,  # emphasized
    "G": 3,  # double-strike
    "-": 3,  # underline
    "a": 3,  # justification
    "M": 3,  # font
    "t": 3,  # code table
    "R": 3,  # international character set
    "{": 3,  # upside-down
    "V": 3,  # 90° rotation
    "2": 2,  # default line spacing
    "3": 3,  # line spacing
    " ": 3,  # right-side character spacing
    "d": 3,  # print and feed n lines
    "J": 3,  # print and feed n dots
    "e": 3,  # print and reverse feed n lines
    "p": 5,  # drawer pulse
    "=": 3,  # select peripheral device
    "$": 4,  # absolute position
    "\\": 4,  # relative position
    "r": 3,  # print colour
    "U": 3,  # unidirectional printing
    "T": 3,  # print direction (page mode)
    "W": 10,  # print area (page mode)
    "L": 2,  # page mode
    "S": 2,  # standard mode
    "%": 3,  # user-defined characters on/off
    "B": 4,  # buzzer (many models)
    "i": 2,  # partial cut (old)
    "m": 2,  # partial cut (old, 3 points left)
}

#: GS commands of fixed length
GS_FIXED = {
    "!": 3,  # character size
    "B": 3,  # white/black reverse
    "b": 3,  # smoothing
    "h": 3,  # barcode height
    "w": 3,  # barcode module width
    "H": 3,  # HRI position
    "f": 3,  # HRI font
    "L": 4,  # left margin
    "W": 4,  # print area width
    "P": 4,  # motion units
    "a": 3,  # automatic status back
    "r": 3,  # transmit status
    "I": 3,  # transmit printer id
    "/": 3,  # print downloaded bit image
    "E": 3,  # head control (some models)
    "T": 3,  # print position to line start
    "\\": 4,  # relative vertical position (page mode)
    "$": 4,  # absolute vertical position (page mode)
}


class DecodeError(ValueError):
    """Bytes the decoder does not know: a test should look at them."""


@dataclass
class Line:
    """A printed line of text, with the styles used on it."""

    text: str
    align: str = "left"
    bold: bool = False
    double_width: bool = False
    double_height: bool = False

    def render(self, styles: bool) -> str:
        """The text, with a ``<flags>`` prefix when ``styles`` and any flag is set."""
        if not styles:
            return self.text
        flags = [self.align] if self.align != "left" else []
        flags += ["bold"] if self.bold else []
        flags += ["2w"] if self.double_width else []
        flags += ["2h"] if self.double_height else []
        return f"<{','.join(flags)}>{self.text}" if flags else self.text


@dataclass
class Marker:
    """Something printed or done that is not text ("[CUT]", "[BARCODE ...]"...)."""

    text: str


@dataclass
class Command:
    """An invisible command ("[INIT]", "[CODEPAGE 19]", "[STATUS? 1]")."""

    text: str


Item = Line | Marker | Command


@dataclass
class _State:
    codepage: str
    items: list[Item] = field(default_factory=list)
    chars: list[str] = field(default_factory=list)
    align: str = "left"
    bold: bool = False
    double_width: bool = False
    double_height: bool = False
    line: Line | None = None  # the styles collected for the line being built
    qr_data: bytes = b""

    def reset(self) -> None:
        self.align, self.bold, self.double_width, self.double_height = "left", False, False, False

    def add_text(self, text: str) -> None:
        if self.line is None:
            self.line = Line("", self.align)
        self.line.bold |= self.bold
        self.line.double_width |= self.double_width
        self.line.double_height |= self.double_height
        self.chars.append(text)

    def end_line(self) -> None:
        line = self.line or Line("", self.align)
        line.text = "".join(self.chars)
        self.items.append(line)
        self.chars, self.line = [], None

    def flush(self) -> None:
        if self.chars:
            self.end_line()


def _need(data: bytes, pos: int, length: int, name: str) -> None:
    if pos + length > len(data):
        raise DecodeError(f"{name} at offset {pos} is cut short")


def _barcode_text(name: str, raw: bytes) -> str:
    if name not in ("CODE128", "GS1-128"):
        return raw.decode("ascii", errors="replace")
    out: list[str] = []
    code_set = "B"
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte == ord("{") and i + 1 < len(raw):
            nxt = chr(raw[i + 1])
            i += 2
            if nxt in "ABC":
                code_set = nxt
            elif nxt == "{":
                out.append("{")
            continue  # FNC1-4 and SHIFT are not shown
        out.append(f"{byte:02d}" if code_set == "C" else chr(byte))
        i += 1
    return "".join(out)


def _esc(data: bytes, pos: int, st: _State) -> int:
    _need(data, pos, 2, "ESC")
    cmd = chr(data[pos + 1])
    if cmd == "*":  # bit image: ESC * m nL nH d1...dk
        _need(data, pos, 5, "ESC *")
        m, width = data[pos + 2], data[pos + 3] + 256 * data[pos + 4]
        size = width * (3 if m in (32, 33) else 1)
        _need(data, pos, 5 + size, "ESC * data")
        st.flush()
        st.items.append(Marker(f"[IMAGE {width}x{24 if m in (32, 33) else 8}]"))
        return pos + 5 + size
    if cmd == "D":  # tab positions, NUL-terminated
        end = data.find(b"\x00", pos + 2)
        if end == -1:
            raise DecodeError(f"ESC D at offset {pos} has no NUL")
        return end + 1
    if cmd == "c":  # ESC c 3/4/5 n: paper sensors, panel buttons
        _need(data, pos, 4, "ESC c")
        return pos + 4
    length = ESC_FIXED.get(cmd)
    if length is None:
        raise DecodeError(f"unknown command ESC 0x{data[pos + 1]:02X} at offset {pos}")
    _need(data, pos, length, f"ESC {cmd}")
    n = data[pos + 2] if length > 2 else 0
    if cmd == "@":
        st.reset()
        st.items.append(Command("[INIT]"))
    elif cmd == "!":
        st.bold, st.double_height, st.double_width = bool(n & 8), bool(n & 16), bool(n & 32)
    elif cmd in "EG":
        st.bold = bool(n & 1)
    elif cmd == "a":
        st.align = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}[n]
    elif cmd == "t":
        st.items.append(Command(f"[CODEPAGE {n}]"))
    elif cmd == "d":
        for _ in range(n):
            st.end_line()
    elif cmd == "J":
        st.flush()
    elif cmd == "p":
        pin = 2 if data[pos + 2] in (0, 48) else 5
        st.flush()
        st.items.append(Marker(f"[DRAWER pin={pin} pulse={data[pos + 3] * 2}ms]"))
    elif cmd in "im":
        st.flush()
        st.items.append(Marker("[CUT]"))
    return pos + length


def _gs(data: bytes, pos: int, st: _State) -> int:
    _need(data, pos, 2, "GS")
    cmd = chr(data[pos + 1])
    if cmd == "V":  # cut
        _need(data, pos, 3, "GS V")
        m = data[pos + 2]
        if m in (0, 1, 48, 49):
            length = 3
        elif m in (65, 66, 97, 98, 103, 104):
            length = 4
        else:
            raise DecodeError(f"unknown cut GS V {m} at offset {pos}")
        _need(data, pos, length, "GS V")
        st.flush()
        st.items.append(Marker("[CUT]"))
        return pos + length
    if cmd == "k":  # barcode
        _need(data, pos, 3, "GS k")
        m = data[pos + 2]
        if m in BARCODE_A:
            end = data.find(b"\x00", pos + 3)
            if end == -1:
                raise DecodeError(f"GS k {m} at offset {pos} has no NUL")
            name, raw, after = BARCODE_A[m], data[pos + 3 : end], end + 1
        elif m in BARCODE_B:
            _need(data, pos, 4, "GS k")
            size = data[pos + 3]
            _need(data, pos, 4 + size, "GS k data")
            name, raw, after = BARCODE_B[m], data[pos + 4 : pos + 4 + size], pos + 4 + size
        else:
            raise DecodeError(f"unknown barcode type GS k {m} at offset {pos}")
        st.flush()
        st.items.append(Marker(f"[BARCODE {name} {_barcode_text(name, raw)}]"))
        return after
    if cmd == "(":  # GS ( X pL pH data
        _need(data, pos, 5, "GS (")
        size = data[pos + 3] + 256 * data[pos + 4]
        _need(data, pos, 5 + size, "GS ( data")
        body = data[pos + 5 : pos + 5 + size]
        if chr(data[pos + 2]) == "k" and len(body) >= 2 and body[0] == 49:
            if body[1] == 80:  # store QR data
                st.qr_data = body[3:]
            elif body[1] == 81:  # print QR
                st.flush()
                st.items.append(Marker(f"[QR {st.qr_data.decode('utf-8', 'replace')}]"))
        return pos + 5 + size
    if cmd == "v":  # GS v 0 m xL xH yL yH d...
        _need(data, pos, 8, "GS v 0")
        width = data[pos + 4] + 256 * data[pos + 5]
        height = data[pos + 6] + 256 * data[pos + 7]
        _need(data, pos, 8 + width * height, "GS v 0 data")
        st.flush()
        st.items.append(Marker(f"[IMAGE {width * 8}x{height}]"))
        return pos + 8 + width * height
    if cmd == "8":  # GS 8 L p1 p2 p3 p4 m fn ...: graphics with a 4-byte length
        _need(data, pos, 7, "GS 8 L")
        size = int.from_bytes(data[pos + 3 : pos + 7], "little")
        _need(data, pos, 7 + size, "GS 8 L data")
        return pos + 7 + size
    fixed = GS_FIXED.get(cmd)
    if fixed is None:
        raise DecodeError(f"unknown command GS 0x{data[pos + 1]:02X} at offset {pos}")
    _need(data, pos, fixed, f"GS {cmd}")
    if cmd == "!":
        n = data[pos + 2]
        st.double_width, st.double_height = n >> 4 > 0, n & 0x0F > 0
    return pos + fixed


def _dle(data: bytes, pos: int, st: _State) -> int:
    _need(data, pos, 3, "DLE")
    cmd, n = data[pos + 1], data[pos + 2]
    if cmd == 0x04:
        st.items.append(Command(f"[STATUS? {n}]"))
        return pos + 3
    if cmd == 0x05:  # DLE ENQ n
        return pos + 3
    if cmd == 0x14:  # DLE DC4 fn ...
        if n in (1, 2, 7):
            _need(data, pos, 5, "DLE DC4")
            if n == 1:
                pin = 2 if data[pos + 3] in (0, 48) else 5
                st.items.append(Marker(f"[DRAWER pin={pin} pulse={data[pos + 4] * 100}ms]"))
            return pos + 5
        if n == 8:
            _need(data, pos, 10, "DLE DC4 8")
            return pos + 10
    raise DecodeError(f"unknown command DLE 0x{cmd:02X} 0x{n:02X} at offset {pos}")


def _fs(data: bytes, pos: int, st: _State) -> int:
    _need(data, pos, 2, "FS")
    cmd = chr(data[pos + 1])
    if cmd == "p":  # print NV logo
        _need(data, pos, 4, "FS p")
        st.flush()
        st.items.append(Marker(f"[LOGO {data[pos + 2]}]"))
        return pos + 4
    if cmd in ".&":
        return pos + 2
    raise DecodeError(f"unknown command FS 0x{data[pos + 1]:02X} at offset {pos}")


def parse(data: bytes, codepage: str = "cp858") -> list[Item]:
    """``data`` as lines, markers and commands, in order."""
    st = _State(codepage)
    pos = 0
    while pos < len(data):
        byte = data[pos]
        if byte == ESC:
            pos = _esc(data, pos, st)
        elif byte == GS:
            pos = _gs(data, pos, st)
        elif byte == DLE:
            pos = _dle(data, pos, st)
        elif byte == FS:
            pos = _fs(data, pos, st)
        elif byte in (0x0A, 0x0C):  # LF, FF
            st.end_line()
            pos += 1
        elif byte == 0x0D:  # CR: ignored by most printers in serial/USB mode
            pos += 1
        elif byte == 0x09:
            st.add_text("\t")
            pos += 1
        elif byte == 0x07:  # BEL: Star drawer kick
            st.items.append(Marker("[DRAWER bel]"))
            pos += 1
        elif byte < 0x20 or byte == 0x7F:
            raise DecodeError(f"unexpected control byte 0x{byte:02X} at offset {pos}")
        else:
            end = pos
            while end < len(data) and data[end] >= 0x20 and data[end] != 0x7F:
                end += 1
            st.add_text(data[pos:end].decode(codepage))
            pos = end
    st.flush()
    return st.items


def decode(
    data: bytes, codepage: str = "cp858", *, styles: bool = False, commands: bool = False
) -> list[str]:
    """The lines a customer reads from ``data``, with ``[...]`` markers (see module doc)."""
    out: list[str] = []
    for item in parse(data, codepage):
        if isinstance(item, Line):
            out.append(item.render(styles))
        elif isinstance(item, Marker) or commands:
            out.append(item.text)
    return out
