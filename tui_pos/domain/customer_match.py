"""Two profiles of one person: when they match, and which one survives.

Two tills offline may each create a profile for the same person under two uuids. The
store server compares every profile it merges with the live ones (never an erased one:
erasure wins, nothing is merged into it) and joins two that match:

- the same loyalty card (as stored: checked and normalised by ``check_card``), or
- the same e-mail address, compared trimmed and in lower case, or
- the same phone number, compared by its digits only (``phone_digits``), when it has at
  least :data:`MIN_PHONE_DIGITS` of them (a short number names no one).

A name alone never matches (two people share names). The survivor is the profile created
first: the one whose earliest stamp is older (the creation stamps its fields), equal
stamps the lower uuid, so the choice never depends on which till pushed first. The
loser's document is merged into the survivor's field by field with the ordinary merge
(:func:`tui_pos.domain.customer_merge.merge`) and its uuid becomes an alias.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from tui_pos.domain.customer import phone_digits
from tui_pos.domain.customer_merge import CustomerDocError, CustomerDocument, merge
from tui_pos.domain.hlc import parse_stamp, tick

MIN_PHONE_DIGITS = 7
RULES = ("card", "email", "phone")
_UUID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Joined:
    """Profile ``uuid`` was joined into ``into``; ``cards``: the cards of either that the
    merged profile does not carry, which name the survivor from now on."""

    uuid: str
    into: str
    rule: str
    cards: tuple[str, ...] = ()

    def as_wire(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "into": self.into, "rule": self.rule, "cards": list(self.cards)}


def joined_from_wire(data: object) -> Joined:
    """A merge the store server announced; CustomerDocError names what is wrong."""
    if not isinstance(data, dict) or set(data) != {"uuid", "into", "rule", "cards"}:
        raise CustomerDocError("merged: must be {uuid, into, rule, cards}")
    uuid, into, rule, cards = data["uuid"], data["into"], data["rule"], data["cards"]
    for name, value in (("uuid", uuid), ("into", into)):
        if not isinstance(value, str) or not _UUID.fullmatch(value):
            raise CustomerDocError(f"merged.{name}: must be 32 lower-case hex digits")
    if not isinstance(rule, str) or not 1 <= len(rule) <= 16:
        raise CustomerDocError("merged.rule: must be text of 1-16 characters")
    if not isinstance(cards, list) or len(cards) > 2:
        raise CustomerDocError("merged.cards: must be a list of at most 2 cards")
    for card in cards:
        if not isinstance(card, str) or not 1 <= len(card) <= 32:
            raise CustomerDocError("merged.cards: each must be a card number")
    return Joined(uuid, into, rule, tuple(cards))


def email_key(value: object) -> str:
    """An e-mail address as compared ("" for none)."""
    return value.strip().lower() if isinstance(value, str) else ""


def phone_key(value: object) -> str:
    """A phone number as compared ("" for none or too short to name someone)."""
    digits = phone_digits(value) if isinstance(value, str) else ""
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def card_key(value: object) -> str:
    return value if isinstance(value, str) else ""


def keys_of(doc: CustomerDocument) -> dict[str, str]:
    """The keys a document can match on (rule -> key), empty keys left out; none for an
    erased document."""
    if doc.erased is not None:
        return {}
    value = {name: item[0] for name, item in doc.fields.items()}
    found = {
        "card": card_key(value.get("card")),
        "email": email_key(value.get("email")),
        "phone": phone_key(value.get("phone")),
    }
    return {rule: key for rule, key in found.items() if key}


def match_rule(a: CustomerDocument, b: CustomerDocument) -> str | None:
    """The rule by which two profiles are one person (``card``, ``email``, ``phone``), or
    None. The same uuid, or either erased, is never a match."""
    if a.uuid == b.uuid:
        return None
    ours, theirs = keys_of(a), keys_of(b)
    return next((r for r in RULES if ours.get(r) and ours.get(r) == theirs.get(r)), None)


def created_stamp(doc: CustomerDocument) -> str:
    """The earliest stamp a document holds (its creation); "~" for none (sorts last)."""
    stamps = [s for _, s in doc.fields.values()] + [e.at for e in doc.consent]
    return min(stamps, default="~")


def survivor_of(
    a: CustomerDocument, b: CustomerDocument
) -> tuple[CustomerDocument, CustomerDocument]:
    """(survivor, loser): the profile created first, equal stamps the lower uuid."""
    first = min((a, b), key=lambda d: (created_stamp(d), d.uuid))
    return (a, b) if first is a else (b, a)


def absorb(survivor: CustomerDocument, loser: CustomerDocument, now_ms: int) -> CustomerDocument:
    """The survivor's document with the loser's merged in, field by field: the later stamp
    wins, except that an empty value never blanks what the other profile holds (a profile
    created elsewhere stamps its empty fields too): the value kept is stamped anew by the
    server (node ``server``, after every stamp either holds), so every till takes it. The
    consent logs are joined."""
    merged = merge(survivor, replace(loser, uuid=survivor.uuid))
    kept: dict[str, tuple[Any, str]] = {}
    for name, (value, _) in merged.fields.items():
        if value not in ("", None):
            continue
        held = [d.fields[name] for d in (survivor, loser) if d.fields.get(name, ("", ""))[0]]
        if held:
            kept[name] = max(held, key=lambda item: item[1])
    if not kept:
        return merged
    last = max(parse_stamp(s) for s in [s for _, s in merged.fields.values()])
    fresh = tick(last, now_ms, "server").text
    fields = {**merged.fields, **{n: (v, fresh) for n, (v, _) in kept.items()}}
    return replace(merged, fields=fields)
