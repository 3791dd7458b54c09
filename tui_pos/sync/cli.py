"""``tui-pos sync ...``: enroll this till with the store server, see and force its sync.

A refusal or an unreachable server is a user error: the root group prints it and exits 1.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any

import click

from tui_pos.domain.errors import DomainError
from tui_pos.sync import state as st
from tui_pos.sync.client import ServerClient, SyncError
from tui_pos.sync.puller import pull_changes
from tui_pos.sync.sender import exchange, status_text

if TYPE_CHECKING:
    from tui_pos.bootstrap import Till
    from tui_pos.cli.context import Context


def _enrolled(till: Till) -> st.SyncState:
    """The till's sync state; a user error when it was never enrolled."""
    state = st.load(till.db)
    if state is None:
        raise DomainError(
            "this till is not enrolled with a store server: tui-pos sync enroll URL CODE"
        )
    return state


@click.group()
def sync() -> None:
    """This till's link to the store server (a till without one works alone)."""


@sync.command("enroll")
@click.argument("url")
@click.argument("code")
@click.pass_obj
def sync_enroll(obj: Context, url: str, code: str) -> None:
    """Enroll this till with the server at URL using a code from 'tui-pos server enroll'."""
    with obj.open_till() as till:
        configured = till.config.store.till
        try:
            answer = ServerClient(url).enroll(code)
        except SyncError as exc:
            raise DomainError(f"enrollment refused: {exc}") from None
        if answer.get("till") != configured:
            raise DomainError(
                f"the code enrolls till {answer.get('till')} but this till is configured as "
                f"{configured} (store.till in the config): the code is used up, ask for "
                "a new one for the right till"
            )
        local_seq, _ = st.chain_head(till.db)
        head = (int(answer["head_seq"]), str(answer["head_hash"]))
        if head[0] > local_seq:
            raise DomainError(
                f"the server holds documents up to {head[0]} for till {configured} but this "
                f"database only up to {local_seq}: is this an old backup? Restore the newest"
            )
        st.enrolled(till.db, url, str(answer["store"]), configured, str(answer["token"]), head)
        click.echo(f"enrolled as till {configured} of store {answer['store']} at {url}")
        if answer.get("pin_key"):
            _take_org_key(till, url, answer)


def _take_org_key(till: Till, url: str, answer: dict[str, Any]) -> None:
    """The organisation's PIN key handed over with the enrollment: this till's staff are
    the server's from now on (pulled at once)."""
    from tui_pos.config import pin_key_path
    from tui_pos.models.org_pin_key import adopt_org_key

    try:
        key = bytes.fromhex(str(answer["pin_key"]))
    except ValueError:
        raise DomainError(
            "the store server sent a damaged PIN key: staff stay this till's own"
        ) from None
    cleared = adopt_org_key(
        till.db, pin_key_path(till.config, till.db_path), key, till.config.store.till,
        till.register.clock(),
    )  # fmt: skip
    with contextlib.suppress(SyncError):  # else the sync thread brings the staff later
        pull_changes(till.db, ServerClient(url, str(answer["token"])))
    note = (
        f"; {cleared} PIN(s) made under this till's own key were cleared (staff are added "
        "and given PINs through the server now)"
        if cleared
        else ""
    )
    click.echo(f"staff and PINs are the organisation's, managed at the store server{note}")


@sync.command("status")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def sync_status(obj: Context, fmt: str) -> None:
    """Show the sync state: online / N waiting / offline since / conflict."""
    with obj.open_till() as till:
        state = _enrolled(till)
        if fmt == "json":
            data = {
                "server": state.url,
                "store": state.store,
                "till": state.till,
                "acked_seq": state.acked_seq,
                "waiting": st.waiting(till.db, state),
                "conflict": state.conflict,
                "offline_since": state.offline_since,
                "last_ok_at": state.last_ok_at,
            }
            click.echo(json.dumps(data, indent=2))
        else:
            click.echo(f"{state.url} store {state.store} till {state.till}: {status_text(till.db)}")


@sync.command("now")
@click.pass_obj
def sync_now(obj: Context) -> None:
    """Push every waiting document now; exit 1 with the reason when it cannot."""
    with obj.open_till() as till:
        state = _enrolled(till)
        try:
            client = ServerClient(state.url, state.token)
            pushed, pulled = exchange(till.db, client)
        except SyncError as exc:
            if exc.code == "offline":
                st.offline(till.db)
            raise DomainError(f"sync: {exc}") from None
        st.online(till.db)
    click.echo(
        f"pushed {pushed.sent} documents (the server holds up to {pushed.acked_seq}) "
        f"and {pushed.customers} customers; applied {pulled} changes from the server"
    )
