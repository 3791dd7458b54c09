"""The till's configuration: ``model`` (the frozen dataclasses, the defaults), ``reader``
(the TOML file read and checked, errors naming file, line and key), ``schema`` (the checked
table and its line finder), ``mail`` (``[mail]``), ``paths`` (where the files are).

The names used across the code are exported here: ``from tui_pos.config import Config``.
"""

from tui_pos.config.model import (
    ACTIONS,
    BARCODE_KINDS,
    DEFAULT_TAXES,
    DEFAULT_TIERS,
    ROLES,
    BarcodesConfig,
    Config,
    DatabaseConfig,
    DisplayConfig,
    DrawerConfig,
    LoyaltyConfig,
    PrinterConfig,
    ScannerConfig,
    StaffConfig,
    StoreConfig,
    TaxConfig,
    TierConfig,
)
from tui_pos.config.paths import (
    backup_dir,
    database_path,
    default_config_path,
    pin_key_path,
    user_path,
)
from tui_pos.config.reader import load_config, parse_config

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
    "PrinterConfig",
    "ScannerConfig",
    "StaffConfig",
    "StoreConfig",
    "TaxConfig",
    "TierConfig",
    "backup_dir",
    "database_path",
    "default_config_path",
    "load_config",
    "parse_config",
    "pin_key_path",
    "user_path",
]
