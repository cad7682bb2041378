from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.incidents.floor import (
    active_emergency_visit_ids,
    awaiting_review_count,
    open_incident_for_visit,
)
from sitesys.incidents.kinds import (
    ActionKind,
    IncidentStatus,
    IncidentType,
    NaloxoneRoute,
    Outcome,
    PhysicalHarm,
    PsychologicalHarm,
)
from sitesys.incidents.models import (
    Incident,
    IncidentAction,
    IncidentAmendment,
)
from sitesys.incidents.queue import QueueFilters, export_csv, urgent_ids
from sitesys.incidents.reports import (
    ReportChanged,
    ReportIncomplete,
    ReportInput,
    ReportNotSubmitted,
    ReportSubmitted,
    ResponseStillRunning,
    amend_refusal,
    amend_report,
    draft_refusal,
    file_report,
    may_amend,
    report_version,
    save_draft,
    submit_report,
)
from sitesys.incidents.review import (
    ReviewInput,
    add_review_action,
    close_incident,
    complete_review_action,
    record_review,
    reopen_incident,
    review_version,
    take_into_review,
)
from sitesys.incidents.services import (
    IncidentChanged,
    IncidentError,
    ResponseEnded,
    end_response,
    record_action,
    start_response,
    strike_action,
    tap_refusal,
)
from sitesys.refusals import NotAllowed
from sitesys.versions.services import SavedElsewhere
from tests.factories import make_site, make_staff, make_visit
from tests.incidents.helpers import (
    bring_to,
    complete_report,
    make_floor,
    naloxone,
    started,
    tap,
)


def events(db, action):
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- Starting a response ------------------------------------------------------------------------


def test_starting_a_response_opens_an_incident_on_the_visit(db):
    floor = make_floor(db)
    result = start_response(db, floor.nurse, floor.visit)
    incident = result.incident
    assert not result.already_running
    assert incident.status is IncidentStatus.OPEN and incident.visit_id == floor.visit.id
    assert incident.site_id == floor.site.id and incident.reported_by_id == floor.nurse.id
    assert sorted(s.code for s in incident.substances) == ["fentanyl", "heroin"]
    assert [p.id for p in incident.staff_involved] == [floor.nurse.id]
    [change] = incident.status_changes
    assert change.from_status is None and change.to_status is IncidentStatus.OPEN
    [event] = events(db, "incident.response_started")
    assert event.record_id == str(incident.id) and event.detail == {"visit_id": str(floor.visit.id)}


def test_a_second_start_on_the_same_visit_returns_the_running_response(db):
    floor = make_floor(db)
    first = started(db, floor)
    again = start_response(db, floor.manager, floor.visit)
    assert again.already_running and again.incident.id == first.id
    assert db.scalar(select(func.count()).select_from(Incident)) == 1
    assert open_incident_for_visit(db, floor.visit).id == first.id


def test_the_database_refuses_two_open_responses_on_one_visit(db):
    floor = make_floor(db)
    started(db, floor)
    twin = Incident(
        site_id=floor.site.id,
        visit_id=floor.visit.id,
        status=IncidentStatus.OPEN,
        reported_by_id=floor.nurse.id,
    )
    from sqlalchemy.exc import IntegrityError

    with db.begin_nested():
        db.add(twin)
        with pytest.raises(IntegrityError):
            db.flush()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN])
def test_only_nurses_and_managers_start_responses(db, role):
    floor = make_floor(db)
    with pytest.raises(NotAllowed):
        start_response(db, floor.staff(role), floor.visit)
    assert db.scalar(select(func.count()).select_from(Incident)) == 0


def test_the_board_asks_which_visits_have_an_emergency_in_one_query(db, count_queries):
    floor = make_floor(db)
    calm = make_visit(db, floor.site, floor.desk)
    incident = started(db, floor)
    other_site = make_floor(db)
    started(db, other_site)
    with count_queries() as counter:
        running = active_emergency_visit_ids(
            db, floor.site.id, [floor.visit.id, calm.id, other_site.visit.id]
        )
    assert running == {floor.visit.id} and counter.count == 1
    assert active_emergency_visit_ids(db, floor.site.id, []) == set()
    end_response(db, floor.nurse, incident)
    assert active_emergency_visit_ids(db, floor.site.id, [floor.visit.id]) == set()
    assert open_incident_for_visit(db, floor.visit) is None
    # One emergency at a time per visit, but a visit may have another one later.
    assert not start_response(db, floor.nurse, floor.visit).already_running


# -- Actions ------------------------------------------------------------------------------------


def test_actions_are_stamped_by_the_server_and_the_tapper_joins_the_staff_involved(db):
    floor = make_floor(db)
    incident = started(db, floor)
    before = utcnow()
    result = record_action(db, floor.manager, incident, naloxone("0.4"))
    action = result.action
    assert not result.replayed
    assert before <= action.recorded_at <= utcnow()
    assert action.kind is ActionKind.NALOXONE and action.dose_mg == Decimal("0.40")
    assert action.naloxone_route is NaloxoneRoute.INTRAMUSCULAR
    assert action.summary == "Naloxone 0.4 mg intramuscular"
    assert {p.id for p in incident.staff_involved} == {floor.nurse.id, floor.manager.id}
    [event] = events(db, "incident.action_recorded")
    assert event.detail == {"action_id": action.id, "kind": "naloxone"}


def test_a_double_tap_records_one_action(db):
    floor = make_floor(db)
    incident = started(db, floor)
    oxygen = tap(ActionKind.OXYGEN, oxygen_l_per_min=Decimal("15"))
    first = record_action(db, floor.nurse, incident, oxygen)
    second = record_action(db, floor.nurse, incident, oxygen)
    assert second.replayed and second.action.id == first.action.id
    assert db.scalar(select(func.count()).select_from(IncidentAction)) == 1
    assert len(events(db, "incident.action_recorded")) == 1


def test_values_are_kept_only_for_their_own_kind(db):
    floor = make_floor(db)
    incident = started(db, floor)
    stray = tap(ActionKind.EMS_CALLED, dose_mg=Decimal("2"), oxygen_l_per_min=Decimal("4"))
    action = record_action(db, floor.nurse, incident, stray).action
    assert action.dose_mg is None and action.oxygen_l_per_min is None
    assert action.summary == "EMS called"


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (naloxone("50"), "Enter a naloxone dose from 0.01 to 10 mg."),
        (naloxone("0"), "Enter a naloxone dose from 0.01 to 10 mg."),
        (tap(ActionKind.NALOXONE, dose_mg=Decimal("0.4")), "Choose how the naloxone was given."),
        (
            tap(ActionKind.OXYGEN, oxygen_l_per_min=Decimal("40")),
            "Enter an oxygen flow from 0.5 to 15 L/min.",
        ),
        (tap(ActionKind.OXYGEN), "Enter an oxygen flow from 0.5 to 15 L/min."),
        (naloxone("0.125"), "Enter the dose to two decimal places at most."),
        (tap(ActionKind.NOTE, note="   "), "Write the note before pressing Note."),
    ],
)
def test_impossible_values_are_refused(db, action, message):
    floor = make_floor(db)
    incident = started(db, floor)
    with pytest.raises(IncidentError, match=message):
        record_action(db, floor.nurse, incident, action)
    assert db.scalar(select(func.count()).select_from(IncidentAction)) == 0


def test_no_action_is_added_after_the_response_ended(db):
    floor = make_floor(db)
    incident = started(db, floor)
    end_response(db, floor.nurse, incident)
    assert incident.response_ended_at is not None
    with pytest.raises(IncidentChanged, match="The response had already ended, so this was not"):
        record_action(db, floor.nurse, incident, tap(ActionKind.STIMULATION))


def test_totals_count_naloxone_and_ems_but_not_struck_taps(db):
    floor = make_floor(db)
    incident = started(db, floor)
    record_action(db, floor.nurse, incident, naloxone("0.4"))
    wrong = record_action(db, floor.nurse, incident, naloxone("4", NaloxoneRoute.INTRANASAL))
    record_action(db, floor.nurse, incident, naloxone("0.4"))
    ems = record_action(db, floor.nurse, incident, tap(ActionKind.EMS_CALLED)).action
    strike_action(db, floor.nurse, wrong.action, "Tapped twice by mistake")
    db.refresh(incident)
    assert incident.naloxone_total_mg == Decimal("0.8")
    assert len(incident.naloxone_doses) == 2
    assert incident.ems_called_at == ems.recorded_at


# -- Strike-through -----------------------------------------------------------------------------


def test_a_wrong_tap_is_struck_through_with_a_reason_and_kept(db):
    floor = make_floor(db)
    incident = started(db, floor)
    action = record_action(db, floor.nurse, incident, tap(ActionKind.CPR_STARTED)).action
    with pytest.raises(IncidentError, match="Give a reason"):
        strike_action(db, floor.nurse, action, "  ")
    strike_action(db, floor.manager, action, "Wrong button: it was rescue breaths")
    assert action.struck_at is not None and action.struck_by_id == floor.manager.id
    assert action.strike_reason == "Wrong button: it was rescue breaths"
    assert db.get(IncidentAction, action.id) is not None
    with pytest.raises(IncidentChanged, match="already struck through"):
        strike_action(db, floor.nurse, action, "Again")
    [event] = events(db, "incident.action_struck")
    assert event.detail == {"action_id": action.id, "kind": "cpr_started"}
    assert "rescue" not in str(event.detail)


def test_a_draft_may_still_strike_but_a_submitted_report_may_not(db):
    floor = make_floor(db)
    incident = started(db, floor)
    first = record_action(db, floor.nurse, incident, tap(ActionKind.STIMULATION)).action
    second = record_action(db, floor.nurse, incident, tap(ActionKind.AIRWAY)).action
    end_response(db, floor.nurse, incident)
    strike_action(db, floor.nurse, first, "Not done")
    submit_report(db, floor.nurse, incident, complete_report([floor.nurse]))
    with pytest.raises(IncidentChanged, match="correct it with an amendment"):
        strike_action(db, floor.nurse, second, "Too late")


# -- The state machine --------------------------------------------------------------------------


STEPS = {
    "end response": (lambda db, f, i, who: end_response(db, who, i), IncidentStatus.DRAFT),
    "submit": (
        lambda db, f, i, who: submit_report(db, who, i, complete_report([f.nurse])),
        IncidentStatus.SUBMITTED,
    ),
    "take into review": (
        lambda db, f, i, who: take_into_review(db, who, i),
        IncidentStatus.IN_REVIEW,
    ),
    "close": (lambda db, f, i, who: close_incident(db, who, i), IncidentStatus.CLOSED),
    "reopen": (
        lambda db, f, i, who: reopen_incident(db, who, i, "New CCTV evidence"),
        IncidentStatus.IN_REVIEW,
    ),
}
ALLOWED = {
    (IncidentStatus.OPEN, "end response"),
    (IncidentStatus.DRAFT, "submit"),
    (IncidentStatus.SUBMITTED, "take into review"),
    (IncidentStatus.IN_REVIEW, "close"),
    (IncidentStatus.CLOSED, "reopen"),
}
STEP_ROLES = {
    "end response": {Role.NURSE, Role.MANAGER},
    "submit": {Role.NURSE, Role.MANAGER},
    "take into review": {Role.MANAGER},
    "close": {Role.MANAGER},
    "reopen": {Role.MANAGER},
}


@pytest.mark.parametrize("status", list(IncidentStatus))
@pytest.mark.parametrize("step", list(STEPS))
def test_every_step_from_every_state(db, status, step):
    floor = make_floor(db)
    incident = bring_to(db, floor, status)
    run, target = STEPS[step]
    who = floor.manager
    if (status, step) in ALLOWED:
        run(db, floor, incident, who)
        assert incident.status is target
        db.refresh(incident)
        last = incident.status_changes[-1]
        assert (last.from_status, last.to_status, last.changed_by_id) == (status, target, who.id)
    else:
        with pytest.raises(IncidentChanged):
            run(db, floor, incident, who)
        assert incident.status is status


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("step", list(STEPS))
def test_every_step_by_every_role(db, role, step):
    floor = make_floor(db)
    status = next(s for s, name in ALLOWED if name == step)
    incident = bring_to(db, floor, status)
    run, target = STEPS[step]
    if role in STEP_ROLES[step]:
        run(db, floor, incident, floor.staff(role))
        assert incident.status is target
    else:
        with pytest.raises(NotAllowed):
            run(db, floor, incident, floor.staff(role))
        assert incident.status is status


def test_each_step_is_audited_with_its_states(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.CLOSED)
    reopen_incident(db, floor.manager, incident, "Family complaint received")
    actions = [
        e.action
        for e in db.scalars(
            select(AuditEvent)
            .where(AuditEvent.record_id == str(incident.id), AuditEvent.action.like("incident.%"))
            .order_by(AuditEvent.id)
        )
    ]
    assert actions == [
        "incident.response_started",
        "incident.response_ended",
        "incident.submitted",
        "incident.review_started",
        "incident.review_recorded",
        "incident.closed",
        "incident.reopened",
    ]
    reopened = events(db, "incident.reopened")[0]
    assert reopened.detail == {"from_status": "closed", "to_status": "in_review"}
    db.refresh(incident)
    assert incident.status_changes[-1].reason == "Family complaint received"
    assert incident.closed_at is None


def test_reopening_needs_a_reason_and_only_a_closed_incident_reopens(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.CLOSED)
    with pytest.raises(IncidentError, match="Give a reason for reopening"):
        reopen_incident(db, floor.manager, incident, " ")
    assert incident.status is IncidentStatus.CLOSED
    submitted = bring_to(db, make_floor(db), IncidentStatus.SUBMITTED)
    with pytest.raises(IncidentChanged, match="Only a closed incident can be reopened"):
        reopen_incident(db, floor.manager, submitted, "Why not")


# -- The report ---------------------------------------------------------------------------------


def test_a_draft_saves_with_everything_missing(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.DRAFT)
    save_draft(db, floor.nurse, incident, ReportInput(narrative="Started writing"))
    assert incident.status is IncidentStatus.DRAFT and incident.narrative == "Started writing"
    assert incident.outcome is None and incident.types == [] and incident.staff_involved == []
    [event] = events(db, "incident.draft_saved")
    assert set(event.detail["changed"]) == {"narrative", "substances", "staff_involved"}


def test_required_fields_are_enforced_at_submission(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.DRAFT)
    with pytest.raises(ReportIncomplete) as refused:
        submit_report(db, floor.nurse, incident, ReportInput())
    assert refused.value.problems == {
        "types": "Choose at least one type of incident.",
        "narrative": "Describe what happened.",
        "outcome": "Choose the outcome for the client.",
        "physical_harm": "Choose the level of physical harm.",
        "psychological_harm": "Choose the level of psychological harm.",
        "staff_involved": "Tick the staff involved.",
    }
    assert incident.status is IncidentStatus.DRAFT


def test_death_and_fatal_harm_go_together(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.DRAFT)
    died = complete_report([floor.nurse], outcome=Outcome.DIED, physical_harm=PhysicalHarm.SEVERE)
    with pytest.raises(ReportIncomplete) as refused:
        submit_report(db, floor.nurse, incident, died)
    assert refused.value.problems == {
        "physical_harm": "The client died, so the physical harm is fatal."
    }
    fatal = complete_report([floor.nurse], physical_harm=PhysicalHarm.FATAL)
    with pytest.raises(ReportIncomplete) as refused:
        submit_report(db, floor.nurse, incident, fatal)
    assert refused.value.problems == {"outcome": "Physical harm is fatal, so the outcome is died."}


def test_the_report_accepts_only_the_sites_substances_and_staff(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.DRAFT)
    with pytest.raises(IncidentError, match="Choose substances from this site's list"):
        save_draft(db, floor.nurse, incident, ReportInput(substances=["plutonium"]))
    stranger = make_staff(db, Role.NURSE, [make_site(db)])
    with pytest.raises(IncidentError, match="Choose staff of this site"):
        save_draft(db, floor.nurse, incident, ReportInput(staff_ids=[stranger.id]))


def test_after_submission_the_draft_cannot_be_edited(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    assert incident.submitted_by_id == floor.nurse.id and incident.submitted_at is not None
    with pytest.raises(IncidentChanged, match="changes are made by amendment"):
        save_draft(db, floor.nurse, incident, ReportInput(narrative="Rewritten"))
    assert incident.narrative.startswith("Found unresponsive")


def test_a_report_without_a_visit_needs_no_outcome_and_is_filed_once(db):
    floor = make_floor(db)
    report = complete_report(
        [floor.nurse], types=[IncidentType.SECURITY_POLICE], substances=[], outcome=None
    )
    key = "6f1c2a0e-93b4-4c55-8f0a-2d1e3c4b5a69"
    filed = file_report(db, floor.nurse, floor.site, report, submission_key=key, submit=True)
    incident = filed.incident
    assert incident.visit_id is None and incident.status is IncidentStatus.SUBMITTED
    again = file_report(db, floor.nurse, floor.site, report, submission_key=key, submit=True)
    assert again.replayed and again.incident.id == incident.id
    assert db.scalar(select(func.count()).select_from(Incident)) == 1
    assert [c.to_status for c in incident.status_changes] == [
        IncidentStatus.DRAFT,
        IncidentStatus.SUBMITTED,
    ]


def test_an_incomplete_report_submitted_from_report_incident_is_not_filed(db):
    floor = make_floor(db)
    with pytest.raises(ReportIncomplete):
        file_report(
            db,
            floor.nurse,
            floor.site,
            ReportInput(narrative="A fight at the door"),
            submission_key="0e0b8a57-3e0f-4f8e-9d3a-6f2b1c0d9e88",
            submit=True,
        )
    assert db.scalar(select(func.count()).select_from(Incident)) == 0


# -- Amendments ---------------------------------------------------------------------------------


def test_an_amendment_keeps_the_old_value_the_new_value_the_reason_and_who(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    changed = complete_report(
        [floor.nurse, floor.manager],
        physical_harm=PhysicalHarm.SEVERE,
        types=[IncidentType.OPIOID_OVERDOSE, IncidentType.VOMITING],
    )
    version = report_version(incident)
    amended = amend_report(
        db, floor.nurse, incident, changed, "Vomited before EMS arrived", version=version
    )
    amendments = amended.amendments
    rows = {a.field: a for a in amendments}
    assert set(rows) == {"types", "physical_harm", "staff_involved"}
    assert (rows["physical_harm"].old_value, rows["physical_harm"].new_value) == (
        "Moderate",
        "Severe",
    )
    assert rows["types"].old_value == "Opioid overdose"
    assert rows["types"].new_value == "Opioid overdose, Vomiting / aspiration risk"
    assert rows["staff_involved"].new_value == "Max Manager, Nia Nurse"
    assert all(a.reason == "Vomited before EMS arrived" for a in amendments)
    assert all(a.amended_by_id == floor.nurse.id for a in amendments)
    assert incident.physical_harm is PhysicalHarm.SEVERE
    [event] = events(db, "incident.amended")
    assert sorted(event.detail["fields"]) == ["physical_harm", "staff_involved", "types"]
    assert "Vomited" not in str(event.detail)


def test_only_the_reporter_or_a_manager_amends(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.CLOSED)
    colleague = make_staff(db, Role.NURSE, [floor.site])
    report = complete_report([floor.nurse], narrative="Corrected: breathing 6 a minute.")
    version = report_version(incident)
    with pytest.raises(NotAllowed):
        amend_report(db, colleague, incident, report, "Typo", version=version)
    with pytest.raises(NotAllowed):
        amend_report(db, floor.desk, incident, report, "Typo", version=version)
    [amendment] = amend_report(
        db, floor.manager, incident, report, "Typo in the rate", version=version
    ).amendments
    assert amendment.field == "narrative" and amendment.old_value.startswith("Found unresponsive")
    assert incident.status is IncidentStatus.CLOSED


def test_an_amendment_needs_a_reason_a_change_and_a_complete_report(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    same = complete_report([floor.nurse])
    version = report_version(incident)
    with pytest.raises(IncidentError, match="Give a reason for the amendment"):
        amend_report(db, floor.nurse, incident, same, "", version=version)
    with pytest.raises(IncidentError, match="Nothing was changed"):
        amend_report(db, floor.nurse, incident, same, "No change", version=version)
    with pytest.raises(ReportIncomplete):
        amend_report(
            db,
            floor.nurse,
            incident,
            complete_report([], narrative=""),
            "Blank it",
            version=version,
        )
    assert db.scalar(select(func.count()).select_from(IncidentAmendment)) == 0


def test_an_amendment_from_a_form_opened_before_another_is_refused_and_reverts_nothing(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.IN_REVIEW)
    as_opened = dict(physical_harm=PhysicalHarm.LOW, psychological_harm=PsychologicalHarm.NONE)
    amend_report(
        db,
        floor.manager,
        incident,
        complete_report([floor.nurse], **as_opened),
        "Set up",
        version=report_version(incident),
    )
    nurse_opened = report_version(incident)
    amend_report(
        db,
        floor.manager,
        incident,
        complete_report([floor.nurse], **{**as_opened, "physical_harm": PhysicalHarm.MODERATE}),
        "Bruising found later",
        version=report_version(incident),
    )
    before = db.scalar(select(func.count()).select_from(IncidentAmendment))
    stale = complete_report(
        [floor.nurse], **{**as_opened, "psychological_harm": PsychologicalHarm.LOW}
    )
    with pytest.raises(ReportChanged, match="changed by someone else since you opened it"):
        amend_report(db, floor.nurse, incident, stale, "Upset afterwards", version=nurse_opened)
    assert db.scalar(select(func.count()).select_from(IncidentAmendment)) == before
    assert incident.physical_harm is PhysicalHarm.MODERATE
    assert incident.psychological_harm is PsychologicalHarm.NONE
    # A form that says no version (sent from a page older than this rule) is out of date too.
    with pytest.raises(ReportChanged):
        amend_report(db, floor.nurse, incident, stale, "Upset afterwards", version="")


def test_the_same_amendment_sent_twice_is_saved_once_but_not_someone_elses(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    opened = report_version(incident)
    severe = complete_report([floor.nurse], physical_harm=PhysicalHarm.SEVERE)
    first = amend_report(db, floor.nurse, incident, severe, "Life-saving", version=opened)
    again = amend_report(db, floor.nurse, incident, severe, "Life-saving", version=opened)
    assert not first.replayed and again.replayed
    assert again.amendments == first.amendments and len(first.amendments) == 1
    assert len(events(db, "incident.amended")) == 1
    # The manager, on a form opened at the same moment, asking for the very same change: it was
    # not her amendment, so she is shown the report as it is now rather than told it was saved.
    with pytest.raises(ReportChanged):
        amend_report(db, floor.manager, incident, severe, "Life-saving", version=opened)
    assert db.scalar(select(func.count()).select_from(IncidentAmendment)) == 1


def test_a_draft_is_edited_not_amended(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.DRAFT)
    with pytest.raises(IncidentChanged, match="edit the draft instead"):
        amend_report(
            db,
            floor.manager,
            incident,
            complete_report([floor.nurse]),
            "Early",
            version=report_version(incident),
        )


# -- Review -------------------------------------------------------------------------------------


def test_review_records_findings_and_actions_with_owner_and_due_date(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    take_into_review(db, floor.manager, incident)
    assert incident.reviewer_id == floor.manager.id and incident.review_started_at is not None
    changed = record_review(
        db,
        floor.manager,
        incident,
        ReviewInput(
            findings="Naloxone given within two minutes.",
            contributing_factors="Fentanyl in the heroin.",
            learning="Share the drug alert.",
        ),
        version=review_version(incident),
    )
    assert changed == ["findings", "contributing_factors", "learning"]
    due = date.today() + timedelta(days=7)
    action = add_review_action(
        db,
        floor.manager,
        incident,
        description="Restock naloxone in booth 4",
        owner_id=floor.nurse.id,
        due_on=due,
        submission_key=str(uuid.uuid4()),
    )
    assert (action.owner_id, action.due_on, action.done_at) == (floor.nurse.id, due, None)
    complete_review_action(db, floor.manager, incident, action)
    assert action.done_at is not None and action.done_by_id == floor.manager.id
    with pytest.raises(IncidentChanged, match="already done"):
        complete_review_action(db, floor.manager, incident, action)
    assert [e.action for e in events(db, "incident.review_action_added")] == [
        "incident.review_action_added"
    ]
    assert events(db, "incident.review_action_done")[0].detail == {"review_action_id": action.id}


def test_review_actions_need_site_staff_and_a_date_not_past(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.IN_REVIEW)
    stranger = make_staff(db, Role.NURSE, [make_site(db)])
    with pytest.raises(IncidentError, match="Choose staff of this site"):
        add_review_action(
            db,
            floor.manager,
            incident,
            description="Train",
            owner_id=stranger.id,
            due_on=date.today() + timedelta(days=3),
            submission_key=str(uuid.uuid4()),
        )
    with pytest.raises(IncidentError, match="cannot be in the past"):
        add_review_action(
            db,
            floor.manager,
            incident,
            description="Train",
            owner_id=floor.nurse.id,
            due_on=date.today() - timedelta(days=3),
            submission_key=str(uuid.uuid4()),
        )


def test_the_review_changes_only_while_in_review(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    with pytest.raises(IncidentChanged, match="only while it is in review"):
        record_review(
            db,
            floor.manager,
            incident,
            ReviewInput(findings="Early"),
            version=review_version(incident),
        )
    take_into_review(db, floor.manager, incident)
    with pytest.raises(NotAllowed):
        record_review(
            db,
            floor.nurse,
            incident,
            ReviewInput(findings="Mine"),
            version=review_version(incident),
        )


def test_a_review_from_a_tab_opened_before_the_last_save_is_refused(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.IN_REVIEW)
    opened = review_version(incident)
    saves = len(events(db, "incident.review_recorded"))
    record_review(
        db,
        floor.manager,
        incident,
        ReviewInput(findings="Response within a minute.", learning="Share the alert."),
        version=opened,
    )
    with pytest.raises(SavedElsewhere, match="changed by someone else since you opened it"):
        record_review(
            db, floor.manager, incident, ReviewInput(findings="Overwritten?"), version=opened
        )
    assert (incident.findings, incident.learning) == (
        "Response within a minute.",
        "Share the alert.",
    )
    assert len(events(db, "incident.review_recorded")) == saves + 1
    # The same form sent twice asks for what the review already says: nothing to refuse.
    same = ReviewInput(findings="Response within a minute.", learning="Share the alert.")
    assert record_review(db, floor.manager, incident, same, version=opened) == []
    assert len(events(db, "incident.review_recorded")) == saves + 1


def test_closing_needs_findings(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    take_into_review(db, floor.manager, incident)
    with pytest.raises(IncidentError, match="Record the findings before closing"):
        close_incident(db, floor.manager, incident)
    assert incident.status is IncidentStatus.IN_REVIEW


def test_a_closed_incident_is_reopened_not_taken_into_review(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.CLOSED)
    with pytest.raises(IncidentChanged, match="reopen it with a reason"):
        take_into_review(db, floor.manager, incident)


# -- Urgency and counts -------------------------------------------------------------------------


def test_urgency_in_python_and_in_sql_agree(db):
    floor = make_floor(db)
    quiet = started(db, floor)
    assert not quiet.is_urgent and urgent_ids(db, [quiet.id]) == set()
    ems = record_action(db, floor.nurse, quiet, tap(ActionKind.EMS_CALLED)).action
    db.refresh(quiet)
    assert quiet.is_urgent and urgent_ids(db, [quiet.id]) == {quiet.id}
    strike_action(db, floor.nurse, ems, "Not called after all")
    db.refresh(quiet)
    assert not quiet.is_urgent and urgent_ids(db, [quiet.id]) == set()
    quiet.outcome = Outcome.TRANSFERRED_TO_HOSPITAL
    db.flush()
    assert quiet.is_urgent and urgent_ids(db, [quiet.id]) == {quiet.id}
    quiet.outcome, quiet.physical_harm = None, PhysicalHarm.SEVERE
    db.flush()
    assert quiet.is_urgent and urgent_ids(db, [quiet.id]) == {quiet.id}


def test_awaiting_review_counts_submitted_reports_of_the_site(db):
    floor = make_floor(db)
    bring_to(db, floor, IncidentStatus.SUBMITTED)
    assert awaiting_review_count(db, floor.site.id) == 1
    other = make_floor(db)
    bring_to(db, other, IncidentStatus.IN_REVIEW)
    assert awaiting_review_count(db, other.site.id) == 0


# -- The rules a page asks before it shows a form -----------------------------------------------


def test_taps_are_taken_only_while_the_response_runs_and_a_late_one_is_a_warning(db):
    floor = make_floor(db)
    incident = started(db, floor)
    assert tap_refusal(incident) is None
    end_response(db, floor.nurse, incident)
    refusal = tap_refusal(incident)
    assert isinstance(refusal, ResponseEnded) and refusal.category == "warning"
    with pytest.raises(ResponseEnded, match="so this was not recorded: add it to the report"):
        record_action(db, floor.nurse, incident, tap(ActionKind.EMS_CALLED))
    with pytest.raises(ResponseEnded, match=r"The response has already ended\."):
        end_response(db, floor.manager, incident)
    assert len(events(db, "incident.response_ended")) == 1
    assert events(db, "incident.action_recorded") == []


@pytest.mark.parametrize(
    ("status", "refusal", "category"),
    [
        (IncidentStatus.OPEN, ResponseStillRunning, "warning"),
        (IncidentStatus.DRAFT, None, None),
        (IncidentStatus.SUBMITTED, ReportSubmitted, "info"),
        (IncidentStatus.IN_REVIEW, ReportSubmitted, "info"),
        (IncidentStatus.CLOSED, ReportSubmitted, "info"),
    ],
)
def test_a_report_is_written_as_a_draft_only_between_the_end_and_submission(
    db, status, refusal, category
):
    floor = make_floor(db)
    incident = bring_to(db, floor, status)
    found = draft_refusal(incident)
    if refusal is None:
        assert found is None
        save_draft(db, floor.nurse, incident, ReportInput(narrative="Half written"))
        assert incident.narrative == "Half written"
        return
    assert isinstance(found, refusal) and found.category == category
    narrative = incident.narrative
    with pytest.raises(refusal):
        save_draft(db, floor.nurse, incident, ReportInput(narrative="Rewritten"))
    assert incident.narrative == narrative


def test_who_may_amend_a_report_and_when(db):
    floor = make_floor(db)
    colleague = make_staff(db, Role.NURSE, [floor.site])
    draft = bring_to(db, floor, IncidentStatus.DRAFT)
    assert isinstance(amend_refusal(floor.nurse, draft), ReportNotSubmitted)
    assert not may_amend(floor.manager, draft)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    assert amend_refusal(floor.nurse, incident) is None and may_amend(floor.nurse, incident)
    assert amend_refusal(floor.manager, incident) is None and may_amend(floor.manager, incident)
    refused = amend_refusal(colleague, incident)
    assert isinstance(refused, NotAllowed)
    assert str(refused) == "Only the reporter or a manager can amend a submitted report."
    assert not may_amend(colleague, incident) and not may_amend(floor.desk, incident)
    with pytest.raises(NotAllowed):
        amend_report(
            db,
            colleague,
            incident,
            complete_report([floor.nurse], physical_harm=PhysicalHarm.SEVERE),
            "Checking",
            version=report_version(incident),
        )
    assert db.scalar(select(func.count()).select_from(IncidentAmendment)) == 0


def test_only_those_who_review_export_the_incident_list(db):
    floor = make_floor(db)
    bring_to(db, floor, IncidentStatus.SUBMITTED)
    with pytest.raises(NotAllowed, match=r"Only a manager can export the incident list\."):
        export_csv(db, floor.nurse, floor.site, QueueFilters(), include_narratives=True)
    assert events(db, "incidents.exported") == []
    _text, count = export_csv(
        db, floor.manager, floor.site, QueueFilters(), include_narratives=False
    )
    assert count == 1 and len(events(db, "incidents.exported")) == 1


# -- Every change to an incident is audited, so every board sees it ------------------------------


def test_every_step_of_an_incident_commits_under_the_floor_rule(db):
    """Each step is committed on its own: the floor rule refuses a commit that changed an
    incident (shown on the board) without an audit event beside it.
    """
    floor = make_floor(db)
    nurse, manager = floor.nurse, floor.manager
    incident = started(db, floor)
    db.commit()
    wrong = record_action(db, nurse, incident, naloxone("4")).action
    db.commit()
    strike_action(db, nurse, wrong, "Tapped twice")
    db.commit()
    end_response(db, nurse, incident)
    db.commit()
    save_draft(db, nurse, incident, ReportInput(narrative="Half written"))
    db.commit()
    submit_report(db, nurse, incident, complete_report([nurse]))
    db.commit()
    amend_report(
        db,
        nurse,
        incident,
        complete_report([nurse], physical_harm=PhysicalHarm.SEVERE),
        "Needed a life-saving intervention",
        version=report_version(incident),
    )
    db.commit()
    take_into_review(db, manager, incident)
    db.commit()
    record_review(
        db, manager, incident, ReviewInput(findings="Fine"), version=review_version(incident)
    )
    db.commit()
    action = add_review_action(
        db,
        manager,
        incident,
        description="Restock naloxone",
        owner_id=nurse.id,
        due_on=utcnow().date() + timedelta(days=7),
        submission_key=str(uuid.uuid4()),
    )
    db.commit()
    complete_review_action(db, manager, incident, action)
    db.commit()
    close_incident(db, manager, incident)
    db.commit()
    reopen_incident(db, manager, incident, "Coroner asked for more detail")
    db.commit()
    file_report(
        db,
        nurse,
        floor.site,
        complete_report([nurse], outcome=None),
        submission_key=str(uuid.uuid4()),
        submit=True,
    )
    db.commit()
    recorded = db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.record_type == "incident")
        .order_by(AuditEvent.id)
    ).all()
    assert recorded == [
        "incident.response_started",
        "incident.action_recorded",
        "incident.action_struck",
        "incident.response_ended",
        "incident.draft_saved",
        "incident.submitted",
        "incident.amended",
        "incident.review_started",
        "incident.review_recorded",
        "incident.review_action_added",
        "incident.review_action_done",
        "incident.closed",
        "incident.reopened",
        "incident.reported",
        "incident.submitted",
    ]
