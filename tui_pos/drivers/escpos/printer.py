"""An ESC/POS receipt printer (and the cash drawer behind it) over any :class:`Transport`.

Every job (a receipt, a status poll, a drawer kick) opens the transport, does its work
and closes it again; a lock keeps jobs from different threads apart. Before a receipt or
a kick the printer is asked for its status (``DLE EOT``): a printer that says it is out
of paper or has its cover open is refused with a DeviceError instead of being sent a job
it would hold or drop. A printer that can answer but does not is refused too; a device
file, which cannot answer, is sent the job.

A receipt counts as printed only when the printer confirmed it: its status is read back
after the data (a printer answers ``DLE EOT`` in the order the bytes arrived, so an
answer proves the receipt reached it, and says whether paper or cover stopped it). A
device file's confirmation is its own: the write (and, for a plain file, the fsync)
returned. A printer that resets the connection mid-job or stops reading after the
status gives no answer within the timeout: the receipt is not confirmed.
"""

from __future__ import annotations

import threading

from tui_pos.domain.errors import DeviceError
from tui_pos.domain.receipt import Receipt
from tui_pos.drivers.escpos.render import drawer_kick_bytes, printer_model, receipt_bytes
from tui_pos.drivers.escpos.transport import Transport
from tui_pos.services.ports import PrinterStatus, SendHook

OFFLINE = 0x08  #: DLE EOT 1, bit 3: offline
COVER_OPEN = 0x04  #: DLE EOT 2, bit 2: cover open
FEED_BUTTON = 0x08  #: DLE EOT 2, bit 3: paper being fed with the FEED button
PAPER_END_STOP = 0x20  #: DLE EOT 2, bit 5: printing stopped at paper end
ERROR = 0x40  #: DLE EOT 2, bit 6: an error occurred
PAPER_NEAR_END = 0x0C  #: DLE EOT 4, bits 2-3: paper near end
PAPER_END = 0x60  #: DLE EOT 4, bits 5-6: paper end

ALL_CLEAR = 0x12  #: the answer to DLE EOT 2, 3 and 4 when nothing is wrong


def status_from_bytes(printer: int, offline_cause: int, paper: int) -> PrinterStatus:
    """The :class:`PrinterStatus` for the answers to ``DLE EOT`` 1, 2 and 4.

    A printer that is offline because of its paper or cover reports ``online=True`` with
    the cause set, so ``label`` names the cause; offline for another reason (an error, the
    FEED button) is ``online=False`` with that reason as ``detail``.
    """
    cover_open = bool(offline_cause & COVER_OPEN)
    paper_out = bool(offline_cause & PAPER_END_STOP) or bool(paper & PAPER_END)
    paper_low = bool(paper & PAPER_NEAR_END)
    if printer & OFFLINE and not (cover_open or paper_out):
        if offline_cause & ERROR:
            detail = "error"
        elif offline_cause & FEED_BUTTON:
            detail = "feeding paper"
        else:
            detail = "printer says offline"
        return PrinterStatus(online=False, paper_low=paper_low, detail=detail)
    return PrinterStatus(
        online=True, paper_out=paper_out, paper_low=paper_low, cover_open=cover_open
    )


class EscposPrinter:
    """An ESC/POS printer: ``print_receipt``, ``status`` and the drawer's ``kick``.

    Implements the ``StatusPrinter`` and ``CashDrawer`` ports. ``profile`` and
    ``codepage`` are checked against python-escpos's printer database at construction
    (ConfigError when unknown); ``width`` is the printer's characters per line.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        profile: str = "default",
        codepage: str = "cp858",
        width: int = 42,
    ) -> None:
        self.transport = transport
        self.profile = profile
        self.codepage = codepage
        self.width = width
        self.model = printer_model(profile, codepage)
        self._lock = threading.Lock()

    def _query(self) -> PrinterStatus | None:
        """The printer's status, or None when it cannot or does not answer.

        Raises TransportError when the printer cannot be reached at all.
        """
        first = self.transport.query_status(1)
        if first is None:
            return None
        offline_cause = self.transport.query_status(2)
        paper = self.transport.query_status(4)
        return status_from_bytes(
            first,
            ALL_CLEAR if offline_cause is None else offline_cause,
            ALL_CLEAR if paper is None else paper,
        )

    def _refuse_if_not_ready(self, doing: str) -> None:
        status = self._query()
        if status is None and self.transport.reads_status:
            # A printer that can answer but does not may be off or wedged: bytes sent now
            # can vanish without an error (python-escpos #253), so the job is kept instead.
            label = "printer does not answer"
            raise DeviceError(label if not doing else f"{doing}: {label}")
        if status is not None and not status.ready:
            raise DeviceError(status.label if not doing else f"{doing}: {status.label}")

    def status(self) -> PrinterStatus:
        """Ask the printer (``DLE EOT`` 1, 2, 4). Never raises.

        No answer within the timeout is ``online=False, detail="no answer"``; a printer
        that cannot be reached is ``online=False`` with the reason ("refused"...). A device
        file cannot answer: it is reported ``online=True`` with ``detail="no status"``
        while the device node exists.
        """
        with self._lock:
            try:
                found = self._query()
            except DeviceError as exc:
                return PrinterStatus(online=False, detail=getattr(exc, "detail", str(exc)))
            except Exception as exc:  # a status poll must never take the till down
                return PrinterStatus(online=False, detail=type(exc).__name__)
            finally:
                self.transport.close()
        if found is not None:
            return found
        if not self.transport.reads_status:
            return PrinterStatus(online=True, detail="no status")
        return PrinterStatus(online=False, detail="no answer")

    def print_receipt(self, receipt: Receipt, before_send: SendHook | None = None) -> None:
        """Print ``receipt`` and return once the printer confirmed it.

        Raises DeviceError if the printer is unreachable, silent, out of paper or open
        (nothing is sent then: ``before_send`` was not called), or if sending fails or is
        not confirmed (the outcome is unknown then).
        """
        data = receipt_bytes(
            receipt,
            profile=self.profile,
            codepage=self.codepage,
            width=min(receipt.width, self.width),
        )
        with self._lock:
            try:
                self._refuse_if_not_ready("")
                if before_send is not None:
                    before_send("")
                self.transport.write(data)
                self._confirm()
            finally:
                self.transport.close()

    def _confirm(self) -> None:
        """Read the status back after a job's data; raises DeviceError unless the printer
        answered and is still ready (a device file confirms by its write alone)."""
        if not self.transport.reads_status:
            return
        status = self._query()
        if status is None:
            raise DeviceError(
                f"printer {self.transport.name} did not confirm the receipt within "
                f"{self.transport.timeout:g} s"
            )
        if not status.ready:
            raise DeviceError(f"{status.label} during the receipt")

    def delivered(self, mark: str) -> bool | None:
        """None: a printer cannot say afterwards whether an unconfirmed receipt printed."""
        return None

    def abort(self) -> None:
        """From another thread (quitting): make the job in progress fail at once."""
        self.transport.abort()

    def kick(self, pin: int, pulse_ms: int) -> None:
        """Open the drawer on connector ``pin`` (2 or 5) with a ``pulse_ms`` pulse.

        Refused with DeviceError when the printer says it is out of paper or open: it
        would hold the kick and open the drawer later, when it is fixed.
        """
        data = drawer_kick_bytes(pin, pulse_ms)
        with self._lock:
            try:
                self._refuse_if_not_ready("cannot open the drawer")
                self.transport.write(data)
            finally:
                self.transport.close()
