"""The till's side of shared customers on a real SQLite till: which edits are stamped and
queued, the consent log as the one source of the current consent, erasure as a tombstone,
and documents from elsewhere applied by the merge."""

from __future__ import annotations

from dataclasses import replace

from tests.support.approvals import approved
from tui_pos.bootstrap import Till
from tui_pos.domain.customer import ERASED_NAME, CustomerDetails
from tui_pos.domain.customer_merge import ConsentEntry, CustomerDocument
from tui_pos.domain.hlc import Stamp
from tui_pos.domain.staff import Action
from tui_pos.models.customer_stamps import apply_document, document_of
from tui_pos.models.journal_verify import verify_journal
from tui_pos.models.unit_of_work import writing


def stamps(till: Till, customer_id: int) -> dict[str, str]:
    return dict(
        till.db.execute_sql(
            "SELECT field, at FROM customer_stamp WHERE customer_id = ?", (customer_id,)
        ).fetchall()
    )


def queued(till: Till) -> list[int]:
    return [int(r[0]) for r in till.db.execute_sql("SELECT customer_id FROM customer_outbox")]


def test_only_the_fields_an_edit_changes_get_a_new_stamp(demo_till: Till) -> None:
    ada = demo_till.customers.create(CustomerDetails(name="Ada", phone="555 0100"))
    first = stamps(demo_till, ada.id)
    assert set(first) == {"name", "phone", "email", "birthday", "notes", "preferences", "card"}
    assert ada.id in queued(demo_till)
    demo_till.customers.update(ada.id, replace(ada.details, phone="555 0199"))
    second = stamps(demo_till, ada.id)
    assert second["phone"] > first["phone"]
    assert {k: v for k, v in second.items() if k != "phone"} == {
        k: v for k, v in first.items() if k != "phone"
    }
    demo_till.customers.update(ada.id, demo_till.customers.get(ada.id).details)  # no change
    assert stamps(demo_till, ada.id) == second


def test_consent_is_the_latest_entry_of_the_log(demo_till: Till) -> None:
    ada = demo_till.customers.create(CustomerDetails(name="Ada", marketing_consent=True))
    demo_till.customers.update(ada.id, replace(ada.details, marketing_consent=False))
    doc = document_of(demo_till.db, ada.id)
    assert doc is not None and [e.consent for e in doc.consent] == [True, False]
    assert demo_till.customers.get(ada.id).details.marketing_consent is False
    # an entry from another till stamped later gives it again; one stamped earlier does not
    late = Stamp(int(doc.consent[-1].at[:13]) + 5, 0, "S02/T1").text
    early = Stamp(int(doc.consent[0].at[:13]) - 5, 0, "S02/T1").text
    for at, given in ((early, True), (late, True)):
        with writing(demo_till.db, "T1"):
            apply_document(
                demo_till.db,
                CustomerDocument(ada.uuid, {}, None, (ConsentEntry(at, given, "sync", "x"),)),
            )
        expected = at == late
        assert demo_till.customers.get(ada.id).details.marketing_consent is expected
    assert verify_journal(demo_till.db)[0] == []  # the pulled entries are sealed


def test_an_erasure_from_elsewhere_wins_over_a_later_local_edit(demo_till: Till) -> None:
    ada = demo_till.customers.create(CustomerDetails(name="Ada", phone="555 0100"))
    demo_till.customers.update(ada.id, replace(ada.details, notes="edited after"))
    before = document_of(demo_till.db, ada.id)
    assert before is not None
    erasure = Stamp(int(min(s for _, s in before.fields.values())[:13]) - 1000, 0, "S02/T1")
    with writing(demo_till.db, "T1"):
        assert apply_document(demo_till.db, CustomerDocument(ada.uuid, {}, erasure.text, ()))
    erased = demo_till.customers.get(ada.id)
    assert erased.erased and erased.details.name == ERASED_NAME and erased.details.notes == ""
    assert stamps(demo_till, ada.id) == {"erased": erasure.text}
    assert demo_till.customers.store.events(ada.id)[-1][1] == "erased"
    doc = document_of(demo_till.db, ada.id)
    assert doc is not None and doc.fields == {} and doc.erased == erasure.text


def test_a_local_erasure_is_a_queued_tombstone(demo_till: Till) -> None:
    ada = demo_till.customers.create(CustomerDetails(name="Ada", card="2400000000013"))
    with demo_till.db.atomic():
        demo_till.db.execute_sql("DELETE FROM customer_outbox")
    demo_till.customers.erase("2400000000013", "asked", approved(demo_till, Action.CUSTOMER_ADMIN))
    assert list(stamps(demo_till, ada.id)) == ["erased"] and queued(demo_till) == [ada.id]
    doc = document_of(demo_till.db, ada.id)
    assert doc is not None and doc.erased is not None and doc.fields == {}
