from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.handovers.models import HandoverAddendum, HandoverStatus, IllnessSeverity
from sitesys.handovers.services import (
    AlreadyAcknowledged,
    Draft,
    HandoverError,
    HandoverIncomplete,
    acknowledge_handover,
    add_addendum,
    draft_version,
    save_and_submit,
    save_draft,
    start_handover,
    submit_handover,
)
from sitesys.handovers.setup import add_shift, shift_now
from tests.factories import make_site, make_staff
from tests.handovers.helpers import local


def test_the_snapshot_holds_the_floor_as_it_is(db, floor):
    handover = start_handover(db, floor["nurse"], floor["site"], floor["shift"])
    snap = handover.snapshot
    tags = [c["display_tag"] for c in snap["clients"]]
    assert tags == ["Jade Wren 9", "Amber Heron 27", "Teal Otter 3"]  # longest on site first
    sick = next(c for c in snap["clients"] if c["display_tag"] == "Amber Heron 27")
    assert sick["phase"] == "In booth" and sick["booth"] == "1" and sick["minutes_on_site"] == 20
    # Consciousness and breathing only: a partial set, whose 6 is a floor, not a score.
    assert sick["news2_total"] is None and sick["close_watch"] is True
    assert sick["level"] == "NEWS2 at least 6 (partial) · Medium"
    assert [c["display_tag"] for c in snap["overdue"]] == ["Jade Wren 9"]
    assert snap["booths_out_of_service"] == [{"label": "3", "reason": "Broken light"}]
    # Visits checked in since 07:00: the three on site and the one who left at 10:30.
    assert snap["counts"] == {"visits": 4, "incidents": 0, "on_site": 3}
    assert [p.display_tag for p in handover.people] == tags
    assert [row.item for row in handover.stock] == ["Naloxone doses", "Oxygen cylinders"]
    assert handover.shift_name == "Early" and handover.shift_key == "2026-06-10/Early"


def test_one_handover_per_shift(db, floor):
    first = start_handover(db, floor["nurse"], floor["site"], floor["shift"])
    second = start_handover(
        db, make_staff(db, Role.MANAGER, [floor["site"]]), floor["site"], floor["shift"]
    )
    assert first.id == second.id


def complete(db, handover, nurse):
    save_draft(
        db,
        nurse,
        handover,
        Draft(
            summary="Busy morning; one overdose reversed.",
            severities={p.id: IllnessSeverity.WATCHER for p in handover.people},
            stock={row.id: 4 for row in handover.stock},
        ),
    )


def test_submission_needs_summary_severities_and_stock_but_drafts_do_not(db, floor):
    nurse = floor["nurse"]
    handover = start_handover(db, nurse, floor["site"], floor["shift"])
    save_draft(db, nurse, handover, Draft(notes="Half written"))
    with pytest.raises(HandoverIncomplete) as refused:
        submit_handover(db, nurse, handover)
    assert "Write the summary." in refused.value.problems
    assert any("Amber Heron 27" in p for p in refused.value.problems)
    assert any("Naloxone doses" in p for p in refused.value.problems)
    assert handover.status is HandoverStatus.DRAFT and handover.notes == "Half written"


def test_submitting_freezes_it_and_corrections_are_addenda(db, floor):
    nurse = floor["nurse"]
    handover = start_handover(db, nurse, floor["site"], floor["shift"])
    complete(db, handover, nurse)
    submit_handover(db, nurse, handover)
    assert handover.status is HandoverStatus.SUBMITTED and handover.submitted_at is not None
    frozen_snapshot = dict(handover.snapshot)
    with pytest.raises(HandoverError, match="can no longer change"):
        save_draft(db, nurse, handover, Draft(summary="Rewritten"))
    assert handover.summary == "Busy morning; one overdose reversed."
    assert handover.snapshot == frozen_snapshot
    with pytest.raises(HandoverError, match="needs the correction and the reason"):
        add_addendum(db, nurse, handover, "Naloxone was 3, not 4", "", str(uuid.uuid4()))
    key = str(uuid.uuid4())
    addendum = add_addendum(db, nurse, handover, "Naloxone was 3, not 4", "Miscounted", key)
    assert addendum.reason == "Miscounted" and handover.stock[0].count == 4
    # The same form again is the same addendum: addenda can never be removed, so none is doubled.
    again = add_addendum(db, nurse, handover, "Naloxone was 3, not 4", "Miscounted", key)
    assert again.id == addendum.id
    assert db.scalar(select(func.count()).select_from(HandoverAddendum)) == 1
    added = db.scalars(select(AuditEvent).where(AuditEvent.action == "handover.addendum_added"))
    assert len(added.all()) == 1


def test_saving_then_submitting_keeps_the_typing_of_an_incomplete_handover(db, floor):
    nurse = floor["nurse"]
    handover = start_handover(db, nurse, floor["site"], floor["shift"])
    loaded = draft_version(handover)
    problems = save_and_submit(
        db, nurse, handover, Draft(notes="Half written"), loaded, submit=True
    )
    assert "Write the summary." in problems and any("Naloxone doses" in p for p in problems)
    assert handover.status is HandoverStatus.DRAFT and handover.notes == "Half written"
    assert (
        save_and_submit(
            db, nurse, handover, Draft(notes="Still half"), draft_version(handover), submit=False
        )
        == []
    )
    assert handover.status is HandoverStatus.DRAFT and handover.notes == "Still half"
    whole = Draft(
        summary="Busy morning",
        severities={person.id: IllnessSeverity.STABLE for person in handover.people},
        stock={row.id: 2 for row in handover.stock},
    )
    opened = draft_version(handover)
    assert save_and_submit(db, nurse, handover, whole, opened, submit=True) == []
    assert handover.status is HandoverStatus.SUBMITTED and handover.summary == "Busy morning"


def test_the_outgoing_lead_cannot_acknowledge_their_own_handover(db, floor):
    nurse, site = floor["nurse"], floor["site"]
    handover = start_handover(db, nurse, site, floor["shift"])
    complete(db, handover, nurse)
    incoming = make_staff(db, Role.NURSE, [site])
    with pytest.raises(HandoverError, match="not been submitted"):
        acknowledge_handover(db, incoming, handover, None)
    submit_handover(db, nurse, handover)
    with pytest.raises(HandoverError, match="the incoming lead must acknowledge"):
        acknowledge_handover(db, nurse, handover, "I read it")
    acknowledge_handover(db, incoming, handover, "Jade Wren 9 due a check at 11:05")
    assert handover.status is HandoverStatus.ACKNOWLEDGED
    assert handover.acknowledged_by_id == incoming.id and handover.readback_note.startswith("Jade")
    actions = [
        e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.record_type == "handover"))
    ]
    assert actions[-2:] == ["handover.submitted", "handover.acknowledged"]
    manager = make_staff(db, Role.MANAGER, [site])
    with pytest.raises(
        AlreadyAcknowledged, match=f"^Already acknowledged by {incoming.display_name}.$"
    ):
        acknowledge_handover(db, manager, handover, None)
    with pytest.raises(AlreadyAcknowledged) as refused:
        acknowledge_handover(db, manager, handover, "Night lead read it too")
    assert str(refused.value) == (
        f"Already acknowledged by {incoming.display_name}; your read-back note was not saved."
    )
    assert refused.value.readback_note == "Night lead read it too"
    assert refused.value.acknowledged_at == handover.acknowledged_at
    # The incoming lead's own double tap is answered as acknowledged, and audited once.
    acknowledge_handover(db, incoming, handover, "Jade Wren 9 due a check at 11:05")
    acknowledged = select(AuditEvent).where(AuditEvent.action == "handover.acknowledged")
    assert len(db.scalars(acknowledged).all()) == 1


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 28), 11), (date(2026, 10, 24), 13), (date(2026, 6, 10), 12)],
)
def test_a_night_shift_across_the_clock_change_is_handed_over_with_its_real_length(db, day, hours):
    site = make_site(db, time_zone="Europe/London")
    add_shift(db, None, site, "Night", local(site, day, 20).time(), local(site, day, 8).time())
    nurse = make_staff(db, Role.NURSE, [site])
    with time_machine.travel(local(site, day, 23), tick=False):
        from sitesys.clock import utcnow

        shift = shift_now(db, site, utcnow())
        handover = start_handover(db, nurse, site, shift)
    assert handover.shift_ends_at - handover.shift_starts_at == timedelta(hours=hours)
    assert handover.shift_key == f"{day.isoformat()}/Night"


def test_the_snapshot_lists_the_shifts_incidents_with_state_and_harm(db, floor):
    from sitesys.incidents.kinds import PhysicalHarm
    from sitesys.incidents.services import end_response, start_response

    nurse, site = floor["nurse"], floor["site"]
    incident = start_response(db, nurse, floor["sick"]).incident
    end_response(db, nurse, incident)
    incident.physical_harm = PhysicalHarm.MODERATE
    db.flush()
    handover = start_handover(db, nurse, site, floor["shift"])
    [entry] = handover.snapshot["incidents"]
    assert entry["display_tag"] == "Amber Heron 27" and entry["status"] == incident.status.label
    assert entry["physical_harm"] == "Moderate" and entry["reference"] == incident.reference
    assert handover.snapshot["counts"]["incidents"] == 1


def test_draft_saves_are_audited_once_per_person_per_quarter_hour(db, floor):
    nurse, site = floor["nurse"], floor["site"]
    handover = start_handover(db, nurse, site, floor["shift"])
    colleague = make_staff(db, Role.NURSE, [site])
    start = handover.saved_at

    def saves(actor, minutes, times=1):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            for n in range(times):
                save_draft(db, actor, handover, Draft(summary=f"Typing {minutes}.{n}"))

    def audited():
        rows = db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "handover.draft_saved")
            .order_by(AuditEvent.id)
        )
        return [(row.actor_id, row.occurred_at - start) for row in rows]

    saves(nurse, 0, times=5)
    saves(nurse, 14)
    assert audited() == [(nurse.id, timedelta(0))]
    saves(colleague, 14, times=3)  # each person who works on the draft is on the record
    saves(nurse, 15)
    assert audited() == [
        (nurse.id, timedelta(0)),
        (colleague.id, timedelta(minutes=14)),
        (nurse.id, timedelta(minutes=15)),
    ]
    assert handover.summary == "Typing 15.0"


def test_a_stock_item_differing_only_by_case_is_the_same_item(db):
    from sitesys.handovers.models import StockItem
    from sitesys.handovers.setup import SetupError, add_stock_item, retire_stock_item

    site = make_site(db)
    admin = make_staff(db, Role.ADMIN, [site])
    before = db.scalar(
        select(func.count()).select_from(StockItem).where(StockItem.site_id == site.id)
    )
    item = add_stock_item(db, admin, site, "Naloxone doses")
    with pytest.raises(SetupError, match="already counted"):
        add_stock_item(db, admin, site, "NALOXONE DOSES")
    retire_stock_item(db, admin, item)
    again = add_stock_item(db, admin, site, "naloxone doses")
    assert again.id == item.id and again.is_active and again.name == "Naloxone doses"
    count = db.scalar(
        select(func.count()).select_from(StockItem).where(StockItem.site_id == site.id)
    )
    assert count == before + 1
