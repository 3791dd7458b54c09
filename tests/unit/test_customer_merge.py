"""One customer across tills: hybrid logical clock stamps and the per-field merge (pure)."""

from __future__ import annotations

from functools import reduce
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_pos.domain.customer_merge import (
    ConsentEntry,
    CustomerDocError,
    CustomerDocument,
    current_consent,
    from_wire,
    merge,
    to_wire,
)
from tui_pos.domain.hlc import Stamp, StampError, parse_stamp, receive, tick

UUID = "a" * 32
T0 = 1_764_676_800_000  # 2025-12-02


def at(ms: int, counter: int = 0, node: str = "S01/T1") -> str:
    return Stamp(T0 + ms, counter, node).text


stamps = st.builds(
    lambda ms, c, node: at(ms, c, node),
    st.integers(0, 50),
    st.integers(0, 3),
    st.sampled_from(["S01/T1", "S01/T2", "S02/T1"]),
)
values = {
    "name": st.sampled_from(["Ada", "Bea", "Cy"]),
    "phone": st.sampled_from(["", "555 0101", "555 0202"]),
    "notes": st.sampled_from(["", "likes tea", "no nuts"]),
    "card": st.sampled_from([None, "2400000000013", "CARD-1"]),
}
documents = st.builds(
    lambda fields, erased, consent: CustomerDocument(
        UUID, {} if erased else fields, erased, tuple(sorted({e.at: e for e in consent}.values()))
    ),
    st.fixed_dictionaries({}, optional={k: st.tuples(v, stamps) for k, v in values.items()}),
    st.none() | stamps,
    st.lists(
        st.builds(ConsentEntry, stamps, st.booleans(), st.just("profile"), st.just("")),
        max_size=3,
    ),
)


@given(st.lists(documents, min_size=1, max_size=5), st.randoms())
def test_merge_gives_one_record_in_any_order_of_arrival(docs: list[Any], rnd: Any) -> None:
    once = reduce(merge, docs)
    shuffled = list(docs)
    rnd.shuffle(shuffled)
    assert reduce(merge, shuffled) == once  # commutative and associative
    assert merge(once, once) == once  # idempotent
    assert all(merge(once, d) == once for d in docs)  # a late duplicate changes nothing
    assert from_wire(to_wire(once)) == once


@given(documents, documents)
def test_an_erasure_wins_over_every_edit_earlier_or_later(a: Any, b: Any) -> None:
    erased = CustomerDocument(UUID, {}, at(25), ())
    merged = merge(merge(a, erased), b)
    assert merged.erased is not None and merged.fields == {}


def test_each_field_takes_its_latest_edit_and_consent_its_latest_entry() -> None:
    t1 = CustomerDocument(
        UUID,
        {"name": ("Ada", at(1)), "phone": ("555 0101", at(5, node="S01/T1"))},
        None,
        (ConsentEntry(at(2), True, "profile", ""),),
    )
    t2 = CustomerDocument(
        UUID,
        {
            "name": ("Ada", at(1)),
            "phone": ("555 0202", at(5, node="S01/T2")),
            "notes": ("x", at(3)),
        },
        None,
        (ConsentEntry(at(4, node="S01/T2"), False, "unsubscribe", "link"),),
    )
    merged = merge(t1, t2)
    assert merged.fields["phone"] == ("555 0202", at(5, node="S01/T2"))  # same ms: node order
    assert merged.fields["notes"] == ("x", at(3))
    assert [e.consent for e in merged.consent] == [True, False]
    assert current_consent(merged) is False
    assert current_consent(CustomerDocument(UUID, {}, None, ())) is False


def test_the_clock_never_goes_back_and_passes_what_it_saw() -> None:
    first = tick(None, T0, "S01/T1")
    assert tick(first, T0 - 5_000, "S01/T1") == Stamp(T0, 1, "S01/T1")  # clock set back
    seen = Stamp(T0 + 9_000, 7, "S01/T2")
    assert receive(first, seen, T0 + 1, "S01/T1") == Stamp(T0 + 9_000, 8, "S01/T1")
    assert receive(first, seen, T0 + 10_000, "S01/T1") == Stamp(T0 + 10_000, 0, "S01/T1")
    assert receive(Stamp(T0, 99_999, "n"), None, T0, "n") == Stamp(T0 + 1, 0, "n")
    assert parse_stamp(first.text) == first
    for bad in ("", "1.2.3", f"{T0}.00000.", "0000000000001.00000.n", 5):
        with pytest.raises(StampError):
            parse_stamp(bad)


def good() -> dict[str, Any]:
    return {
        "uuid": UUID,
        "fields": {"name": {"value": "Ada", "at": at(1)}, "card": {"value": None, "at": at(1)}},
        "erased": None,
        "consent": [{"at": at(2), "consent": True, "source": "profile", "note": ""}],
    }


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d.update(extra=1), "document.extra: unknown field"),
        (lambda d: d.pop("consent"), "document.consent: missing"),
        (lambda d: d.update(uuid="A" * 32), "document.uuid"),
        (lambda d: d["fields"].update(colour={"value": "red", "at": at(1)}), "fields.colour"),
        (lambda d: d["fields"]["name"].update(value=""), "fields.name.value"),
        (lambda d: d["fields"]["name"].update(value="x" * 81), "fields.name.value"),
        (lambda d: d["fields"]["name"].update(value=7), "fields.name.value"),
        (lambda d: d["fields"]["name"].update(at="yesterday"), "fields.name.at"),
        (lambda d: d["fields"]["name"].update(who="me"), "fields.name.who: unknown"),
        (lambda d: d["fields"].update(email={"value": "no", "at": at(1)}), "fields.email.value"),
        (lambda d: d["fields"].update(birthday={"value": "1800-01-01", "at": at(1)}), "birthday"),
        (lambda d: d["fields"]["card"].update(value="4111111111111111"), "fields.card.value"),
        (lambda d: d["fields"].update(notes={"value": "n" * 1001, "at": at(1)}), "fields.notes"),
        (lambda d: d.update(erased=at(3)), "an erased customer carries no fields"),
        (lambda d: d["consent"][0].update(consent=1), "consent[0].consent"),
        (lambda d: d["consent"][0].update(source="web"), "consent[0].source"),
        (lambda d: d["consent"][0].update(note="n" * 201), "consent[0].note"),
        (lambda d: d.update(consent=[d["consent"][0]] * 501), "document.consent"),
    ],
)
def test_a_bad_document_is_refused_naming_the_field(change: Any, says: str) -> None:
    doc = good()
    change(doc)
    with pytest.raises(CustomerDocError, match=says.replace("[", r"\[").replace("]", r"\]")):
        from_wire(doc)
    assert from_wire(good()).fields["name"] == ("Ada", at(1))
