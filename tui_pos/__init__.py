"""tui-pos: a keyboard-first terminal cash register."""

__version__ = "0.1.0"
