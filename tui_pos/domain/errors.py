"""The one error root and its branches; each error carries a message a user can read.

``PosError`` is what the UI catches (once per layer: the screens' ``report_errors``, the
CLI's exit 1); a ``DomainError`` is bad input or a refused action, a ``StorageError`` a
database that could not do what was asked, a ``DeviceError`` hardware that failed.
Anything else is a bug and reaches the crash log.
"""


class PosError(Exception):
    """The root of every error the till reports to its user; ``str(error)`` is the message."""


class DomainError(PosError):
    """Bad input or a refused action. ``str(error)`` is shown to the user as it is."""


class StorageError(PosError):
    """The database could not do what was asked (disk full, locked, read-only...).

    The message is for the user; the work in progress (the cart) is kept.
    """


class DeviceError(PosError):
    """A device (printer, drawer, scanner) failed; the message is for the user."""


class BarcodeError(DomainError):
    """A scanned or typed code that cannot be used (bad check digit, bad characters...)."""


class UnknownProduct(DomainError):
    """A well-formed code that matches no product."""


class QuantityError(DomainError):
    """A quantity or weight that is zero, negative, absurd or malformed."""


class WeightNeeded(QuantityError):
    """An item sold by weight was entered without one: the till asks for the weight."""

    def __init__(self, message: str, name: str, code: str) -> None:
        super().__init__(message)
        self.name = name  #: the product's name
        self.code = code  #: what was typed or scanned (the PLU or barcode)


class MoneyError(DomainError):
    """An amount that cannot be parsed or is out of range."""


class DiscountError(DomainError):
    """A discount that is malformed or larger than what it applies to."""


class TenderError(DomainError):
    """A payment that cannot be taken (too little, looks like a barcode, nothing due...)."""


class CartError(DomainError):
    """An action that does not apply to the cart as it is (empty cart, no line selected...)."""


class ConfigError(DomainError):
    """A configuration file that cannot be used; the message names the key and line."""


class ImportRowError(DomainError):
    """A row of an import file that is invalid; carries its line number."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason
