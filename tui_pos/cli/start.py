"""``tui-pos run``: the register's process, from the command line to its exit.

``lean_run`` is how the console script starts the register (:mod:`tui_pos.entry`): for
exactly ``[--config P] [--db P] [run]`` on a terminal with an existing database it
starts without loading click (about 14 ms less before the first frame and 1 MB less
while selling, issue 17). Anything else, a new database (its recovery code is shown
first) and every error go to the full command line, which runs :func:`open_register`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui_pos.cli.console import (
    global_options,
    on_terminal,
    require_terminal,
    say,
    show_new_recovery_code,
    user_errors,
)
from tui_pos.domain.errors import PosError

if TYPE_CHECKING:
    from tui_pos.bootstrap import Till
    from tui_pos.till_opening import TillOpening


def register_args(argv: Sequence[str]) -> tuple[str | None, str | None] | None:
    """(config, database) as written for ``[--config P] [--db P] [run]``, each option once
    and written ``--name value``; None for any other command line (click reads it)."""
    read = global_options(argv)
    if read is None or read[1] not in ([], ["run"]):
        return None
    return read[0].get("--config"), read[0].get("--db")


def lean_run(argv: Sequence[str]) -> None:
    """Run the register for ``argv`` if it is a plain start of an existing till on a
    terminal (the process then ends here); return to let the full command line run it."""
    chosen = register_args(argv)
    if chosen is None or not on_terminal():
        return
    from tui_pos.files import keep_files_private

    opening = _read_later(*chosen) or _read_now(*chosen)
    if opening is None:
        return
    keep_files_private()  # receipts, logs, exports, backups, keys: 0600 whatever the umask
    open_register(opening)


def _read_later(config_arg: str | None, db_arg: str | None) -> TillOpening | None:
    """The till opened with its config read behind the first frame: when the few keys the
    first frame needs are certainly the config's (:mod:`tui_pos.lean_config`: no
    ``[keymap]``, which is checked before the App starts) and the database exists."""
    from tui_pos.lean_config import Unsure, config_file, database_file, read_config
    from tui_pos.till_opening import FirstFrame, open_read_later

    try:
        config_path = config_file(config_arg)
        config = read_config(config_path)
        if config is None or config.keymap:
            return None
        path = database_file(db_arg, config)
    except Unsure:
        return None
    if not path.exists():
        return None
    first = FirstFrame(config.store_name, config.ascii)
    return open_read_later(first, config_path, path)


def _read_now(config_arg: str | None, db_arg: str | None) -> TillOpening | None:
    """The till opened with its config read in full first (None: the full command line
    says what is wrong, or makes the new database and shows its recovery code)."""
    from tui_pos.config import config_path_checked, database_path, load_config
    from tui_pos.till_opening import open_later

    try:
        config = load_config(config_path_checked(None if config_arg is None else Path(config_arg)))
        path = (Path(db_arg) if db_arg is not None else database_path(config)).expanduser()
    except (PosError, OSError):
        return None  # the full command line says what is wrong, as it does for every command
    if not path.exists():
        return None  # a new database: made, and its recovery code shown, the full way
    return open_later(config, path)


def open_register(till: Till | TillOpening, login_hint: str = "") -> None:
    """Run the register on an open till, or on one the App opens behind its log-in
    screen; an unexpected error exits with CRASH_EXIT and a crash log. Ends the process."""
    from tui_pos.app import PosApp  # Textual is loaded only to run the UI
    from tui_pos.crash_log import CRASH_EXIT, crash_log_path, crash_message, record_crash
    from tui_pos.keymap_check import check_keymap
    from tui_pos.process_exit import exit_now
    from tui_pos.run_log import start_log
    from tui_pos.till_opening import TillOpening, for_the_register

    status = 0
    app: PosApp | None = None
    try:
        require_terminal()
        start_log(till.db_path)  # device details go there, not on the screen
        with user_errors():  # here too: a user error starting the UI is not a crash (below)
            config = till.config
            if config is not None:  # (a config the opening reads has no [keymap])
                check_keymap(config.keymap, config.source)
            if not isinstance(till, TillOpening):
                for_the_register(till)
            app = PosApp(till, login_hint)
        app.run()
        if app.open_error is not None:  # as user_errors says it
            say(f"tui-pos: {app.open_error}")
            status = 1
        elif app.return_code:  # the traceback is in the crash log, not on the screen
            say(crash_message(app.crash_logged))
            status = CRASH_EXIT
    except Exception as exc:  # outside Textual's own handler (starting, stopping)
        say(crash_message(record_crash(crash_log_path(till.db_path), exc)))
        status = CRASH_EXIT
    finally:
        if app is not None:
            app.close_till()  # the till it was given, or the one it opened
            if app.opened and app.opening is not None:  # opened there: shown once, now
                show_new_recovery_code(app.till.recovery_code, till.db_path)
        elif not isinstance(till, TillOpening):
            till.close()
    exit_now(status)  # quitting is prompt: see process_exit
