"""The till's configuration. Each key is declared once (``keys.setting``: default, bounds,
choices, help) in the section modules ``store``, ``devices``, ``loyalty``, ``staff`` and
``mail``; ``model`` holds the whole :class:`Config`. From the declarations come ``reader``
(the TOML file read and checked, errors naming file, line and key, with the checked table
and line finder of ``schema``) and ``example`` (``config init``'s file, the docs table);
``paths`` says where the files are.

The names used across the code are exported here: ``from tui_pos.config import Config``.
"""

from tui_pos.config.devices import DisplayConfig, DrawerConfig, PrinterConfig, ScannerConfig
from tui_pos.config.loyalty import DEFAULT_TIERS, LoyaltyConfig, TierConfig
from tui_pos.config.mail import MailConfig
from tui_pos.config.model import Config
from tui_pos.config.paths import (
    backup_dir,
    config_path_checked,
    database_path,
    default_config_path,
    pin_key_path,
    user_path,
)
from tui_pos.config.reader import load_config, parse_config
from tui_pos.config.staff import ACTIONS, BARCODE_KINDS, ROLES, BarcodesConfig, StaffConfig
from tui_pos.config.store import DEFAULT_TAXES, DatabaseConfig, StoreConfig, TaxConfig

__all__ = [
    "ACTIONS",
    "BARCODE_KINDS",
    "DEFAULT_TAXES",
    "DEFAULT_TIERS",
    "ROLES",
    "BarcodesConfig",
    "Config",
    "DatabaseConfig",
    "DisplayConfig",
    "DrawerConfig",
    "LoyaltyConfig",
    "MailConfig",
    "PrinterConfig",
    "ScannerConfig",
    "StaffConfig",
    "StoreConfig",
    "TaxConfig",
    "TierConfig",
    "backup_dir",
    "config_path_checked",
    "database_path",
    "default_config_path",
    "load_config",
    "parse_config",
    "pin_key_path",
    "user_path",
]
