"""Two profiles of one person: the match rule and the survivor (domain/customer_match)."""

from __future__ import annotations

from typing import Any

import pytest

from tui_pos.domain.customer_match import (
    Joined,
    absorb,
    joined_from_wire,
    match_rule,
    survivor_of,
)
from tui_pos.domain.customer_merge import ConsentEntry, CustomerDocError, CustomerDocument

T1 = "1764676800000.00000.S01/T1"
T2 = "1764676800500.00000.S02/T1"
T3 = "1764676801000.00000.S02/T1"
NOW = 1764676800100


def doc(uuid: str, at: str = T1, erased: str | None = None, **values: Any) -> CustomerDocument:
    fields = {} if erased else {k: (v, at) for k, v in {"name": "Ada", **values}.items()}
    return CustomerDocument(uuid * 32, fields, erased, ())


@pytest.mark.parametrize(
    ("ours", "theirs", "rule"),
    [
        ({"card": "2400000000019"}, {"card": "2400000000019"}, "card"),
        ({"email": " Ada@Example.org "}, {"email": "ada@example.org"}, "email"),
        ({"phone": "+44 20 7946 0000"}, {"phone": "44-20-7946-0000"}, "phone"),
        ({"email": "ada@example.org", "phone": "555 0100"}, {"phone": "5550100"}, "phone"),
        ({"phone": "112"}, {"phone": "1-1-2"}, None),  # too short to name someone
        ({"email": ""}, {"email": ""}, None),  # empty keys never match
        ({"card": "2400000000019"}, {"card": "2400000000026"}, None),
        ({}, {}, None),  # the same name alone is never a match
    ],
)
def test_profiles_match_on_card_email_or_phone_never_on_name(
    ours: dict[str, Any], theirs: dict[str, Any], rule: str | None
) -> None:
    assert match_rule(doc("a", **ours), doc("b", **theirs)) == rule
    assert match_rule(doc("b", **theirs), doc("a", **ours)) == rule  # symmetric


def test_an_erased_profile_and_the_same_uuid_never_match() -> None:
    ada = doc("a", email="ada@example.org")
    assert match_rule(ada, doc("b", erased=T2)) is None
    assert match_rule(doc("b", erased=T2), ada) is None
    assert match_rule(ada, ada) is None


def test_the_survivor_is_the_profile_created_first_whatever_the_order() -> None:
    early, late = doc("b", at=T1, email="x@y.org"), doc("a", at=T2, email="x@y.org")
    assert survivor_of(early, late) == (early, late)
    assert survivor_of(late, early) == (early, late)
    twin_a, twin_b = doc("a", at=T1), doc("b", at=T1)  # same stamp: the lower uuid
    assert survivor_of(twin_b, twin_a) == (twin_a, twin_b)


def test_absorb_keeps_the_survivors_uuid_merges_fields_and_joins_consent() -> None:
    survivor = CustomerDocument(
        "a" * 32,
        {"name": ("Ada", T1), "phone": ("555 0100", T1)},
        None,
        (ConsentEntry(T1, True, "profile", ""),),
    )
    loser = CustomerDocument(
        "b" * 32,
        {"name": ("Ada Lovelace", T2), "email": ("ada@example.org", T2)},
        None,
        (ConsentEntry(T3, False, "profile", ""),),
    )
    merged = absorb(survivor, loser, NOW)
    assert merged.uuid == "a" * 32
    assert merged.fields == {
        "name": ("Ada Lovelace", T2),  # the later edit wins per field
        "phone": ("555 0100", T1),
        "email": ("ada@example.org", T2),
    }
    assert [e.at for e in merged.consent] == [T1, T3]  # both logs kept
    assert absorb(survivor, loser, NOW) == absorb(merged, loser, NOW)  # idempotent


def test_an_empty_field_of_one_profile_never_blanks_the_others() -> None:
    survivor = doc("a", at=T1, phone="555 0100", email="")
    loser = doc("b", at=T2, phone="", email="ada@example.org")  # created later, phone empty
    merged = absorb(survivor, loser, NOW)
    assert merged.fields["email"] == ("ada@example.org", T2)
    value, at = merged.fields["phone"]
    assert value == "555 0100"  # kept, stamped anew after every stamp either holds
    assert at > T2 and at.endswith(".server")


def test_a_merge_announcement_is_checked_field_by_field() -> None:
    good = Joined("b" * 32, "a" * 32, "email", ("2400000000019",))
    assert joined_from_wire(good.as_wire()) == good
    for bad, says in [
        ({**good.as_wire(), "extra": 1}, "merged: must be"),
        ({**good.as_wire(), "uuid": "B" * 32}, "merged.uuid"),
        ({**good.as_wire(), "into": 7}, "merged.into"),
        ({**good.as_wire(), "rule": ""}, "merged.rule"),
        ({**good.as_wire(), "cards": ["1", "2", "3"]}, "merged.cards"),
        ({**good.as_wire(), "cards": [5]}, "merged.cards"),
    ]:
        with pytest.raises(CustomerDocError, match=says):
            joined_from_wire(bad)
