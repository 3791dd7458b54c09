"""``printer.driver`` and ``printer.target`` turned into a transport: the target strings
parsed and checked (a ConfigError naming the key), nothing opened yet."""

from __future__ import annotations

import re
import socket
from pathlib import Path

from tui_pos.domain.errors import ConfigError
from tui_pos.drivers.escpos.file_transport import FileTransport
from tui_pos.drivers.escpos.network_transport import NetworkTransport
from tui_pos.drivers.escpos.serial_transport import SerialTransport
from tui_pos.drivers.escpos.transport import DEFAULT_BAUDRATE, DEFAULT_PORT, Transport

_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")


def _bad_target(driver: str, target: str, expected: str) -> ConfigError:
    return ConfigError(
        f'printer.target: "{target}" is not a valid {driver} printer target; expected {expected}'
    )


def _parse_network(target: str) -> tuple[str, int]:
    expected = 'a host name or IP address, optionally with ":port", like "10.0.0.5:9100"'
    text = target.strip()
    port_text = ""
    if text.startswith("["):  # [IPv6]:port
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise _bad_target("network", target, expected)
        port_text = rest[1:]
        try:
            socket.inet_pton(socket.AF_INET6, host)
        except OSError:
            raise _bad_target("network", target, expected) from None
    elif text.count(":") > 1:  # a bare IPv6 address
        host = text
        try:
            socket.inet_pton(socket.AF_INET6, host)
        except OSError:
            raise _bad_target("network", target, expected) from None
    else:
        host, colon, port_text = text.partition(":")
        if not _HOST.fullmatch(host) or (colon and not port_text):
            raise _bad_target("network", target, expected)
    if not port_text:
        return host, DEFAULT_PORT
    if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
        raise _bad_target("network", target, expected + " (port 1-65535)")
    return host, int(port_text)


def _parse_serial(target: str) -> tuple[str, int]:
    expected = 'a serial port, optionally with ":baud", like "/dev/ttyUSB0:19200"'
    text = target.strip()
    if not text:
        raise _bad_target("serial", target, expected)
    if "://" in text:  # a pyserial URL (socket://, rfc2217://, loop://): used as it is
        return text, DEFAULT_BAUDRATE
    port, colon, baud = text.rpartition(":")
    if not colon:
        return text, DEFAULT_BAUDRATE
    if not port or not (baud.isascii() and baud.isdigit()) or not 50 <= int(baud) <= 4_000_000:
        raise _bad_target("serial", target, expected)
    return port, int(baud)


def _parse_usb(target: str) -> tuple[int, int]:
    expected = 'the vendor and product ids in hex, like "04b8:0202"'
    match = re.fullmatch(r"(?:0x)?([0-9a-fA-F]{1,4}):(?:0x)?([0-9a-fA-F]{1,4})", target.strip())
    if match is None:
        raise _bad_target("usb", target, expected)
    return int(match.group(1), 16), int(match.group(2), 16)


def make_transport(driver: str, target: str, timeout: float) -> Transport:
    """The transport for ``printer.driver``/``printer.target`` (nothing is opened yet).

    Targets: network ``host`` or ``host:port`` (``[::1]:9100`` for IPv6); serial
    ``/dev/ttyUSB0`` or ``/dev/ttyUSB0:19200`` (or a pyserial URL such as
    ``socket://host:port``); usb ``04b8:0202``; file a path. Raises ConfigError naming
    ``printer.target`` (or ``printer.driver``) when they make no sense.
    """
    if driver == "network":
        host, port = _parse_network(target)
        return NetworkTransport(host, port, timeout)
    if driver == "serial":
        url, baud = _parse_serial(target)
        return SerialTransport(url, baud, timeout)
    if driver == "usb":
        from tui_pos.drivers.escpos.usb_transport import UsbTransport

        vid, pid = _parse_usb(target)
        return UsbTransport(vid, pid, timeout)
    if driver == "file":
        if not target.strip():
            raise _bad_target("file", target, 'a device or file path like "/dev/usb/lp0"')
        return FileTransport(Path(target).expanduser(), timeout)
    raise ConfigError(
        f'printer.driver: "{driver}" has no ESC/POS transport; use usb, serial, network or file'
    )
