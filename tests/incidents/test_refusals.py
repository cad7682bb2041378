"""What staff are told when a step on an incident is refused: the message, how it is shown
(a warning, a note, an error), the page they are sent to, and that nothing was saved.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.checkin.models import VisitStatus
from sitesys.clock import utcnow
from sitesys.incidents.kinds import IncidentStatus
from sitesys.incidents.models import Incident, IncidentAction, IncidentAmendment
from sitesys.incidents.services import end_response
from tests.factories import make_client, make_staff, make_visit, sign_in
from tests.incidents.helpers import bring_to, make_floor, report_form, started


def flashed(page, category, message):
    """The message as the page shows it, in its category's colours."""
    return f'<li class="flash flash-{category}">{message}</li>' in page.get_data(as_text=True)


def count(db, model):
    return db.scalar(select(func.count()).select_from(model))


def events(db, action):
    return db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_report_of_a_running_response_waits_for_its_end(client, db, method):
    floor = make_floor(db)
    incident = started(db, floor)
    sign_in(client, db, floor.nurse)
    url = f"/incidents/{incident.id}/report"
    form = {**report_form([floor.nurse]), "save": "1"}
    sent = client.get(url) if method == "GET" else client.post(url, data=form)
    assert sent.headers["Location"] == f"/incidents/{incident.id}/respond"
    page = client.get(sent.headers["Location"])
    message = "The response is still running: end it before writing the report."
    assert flashed(page, "warning", message)
    db.refresh(incident)
    assert incident.status is IncidentStatus.OPEN and incident.narrative == ""
    assert events(db, "incident.draft_saved") == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_submitted_report_is_changed_by_amendment_not_as_a_draft(client, db, method):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    sign_in(client, db, floor.nurse)
    url = f"/incidents/{incident.id}/report"
    form = {**report_form([floor.nurse]), "narrative": "Rewritten", "save": "1"}
    sent = client.get(url) if method == "GET" else client.post(url, data=form)
    assert sent.headers["Location"] == f"/incidents/{incident.id}"
    message = "This report has been submitted; changes are made by amendment."
    assert flashed(client.get(sent.headers["Location"]), "info", message)
    db.refresh(incident)
    assert incident.narrative.startswith("Found unresponsive")
    assert events(db, "incident.draft_saved") == 0


def test_a_draft_is_edited_not_amended(client, db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.DRAFT)
    sign_in(client, db, floor.nurse)
    sent = client.post(
        f"/incidents/{incident.id}/amend",
        data={**report_form([floor.nurse]), "reason": "Early", "version": "x"},
    )
    assert sent.headers["Location"] == f"/incidents/{incident.id}"
    message = "This report is not submitted yet; edit the draft instead."
    assert flashed(client.get(sent.headers["Location"]), "info", message)
    assert count(db, IncidentAmendment) == 0


def test_a_colleague_who_neither_reported_nor_submitted_may_not_amend(client, db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    sign_in(client, db, make_staff(db, floor.nurse.role, [floor.site]))
    refused = client.post(
        f"/incidents/{incident.id}/amend",
        data={**report_form([floor.nurse]), "physical_harm": "severe", "reason": "Checking"},
    )
    assert refused.status_code == 403
    assert "Your role does not allow this." in refused.get_data(as_text=True)
    assert count(db, IncidentAmendment) == 0 and events(db, "incident.amended") == 0
    db.refresh(incident)
    assert incident.physical_harm.value == "moderate"


def test_a_tap_after_the_end_is_not_recorded_and_says_so_as_a_warning(client, db):
    floor = make_floor(db)
    incident = started(db, floor)
    sign_in(client, db, floor.nurse)
    end_response(db, floor.manager, incident)
    sent = client.post(
        f"/incidents/{incident.id}/actions",
        data={"kind": "ems_called", "submission_key": str(uuid.uuid4())},
    )
    assert sent.headers["Location"] == f"/incidents/{incident.id}"
    message = "The response had already ended, so this was not recorded: add it to the report."
    assert flashed(client.get(sent.headers["Location"]), "warning", message)
    assert count(db, IncidentAction) == 0 and events(db, "incident.action_recorded") == 0


def test_a_resent_tap_after_the_end_is_still_answered_as_recorded(client, db):
    floor = make_floor(db)
    incident = started(db, floor)
    sign_in(client, db, floor.nurse)
    form = {"kind": "ems_called", "submission_key": str(uuid.uuid4())}
    client.post(f"/incidents/{incident.id}/actions", data=form)
    end_response(db, floor.manager, incident)
    again = client.post(f"/incidents/{incident.id}/actions", data=form, follow_redirects=True)
    assert flashed(again, "info", "Already recorded: EMS called.")
    assert count(db, IncidentAction) == 1 and events(db, "incident.action_recorded") == 1


def test_ending_twice_is_a_warning_on_the_record(client, db):
    floor = make_floor(db)
    incident = started(db, floor)
    sign_in(client, db, floor.nurse)
    client.post(f"/incidents/{incident.id}/end")
    again = client.post(f"/incidents/{incident.id}/end")
    assert again.headers["Location"] == f"/incidents/{incident.id}"
    assert flashed(
        client.get(again.headers["Location"]), "warning", "The response has already ended."
    )
    assert events(db, "incident.response_ended") == 1


def test_the_response_screen_of_an_ended_response_sends_staff_to_the_record(client, db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.DRAFT)
    sign_in(client, db, floor.nurse)
    sent = client.get(f"/incidents/{incident.id}/respond")
    assert sent.headers["Location"] == f"/incidents/{incident.id}"
    message = "The response has ended; this is the incident&#39;s record."
    assert flashed(client.get(sent.headers["Location"]), "info", message)


def test_a_closed_incident_is_not_taken_into_review_again(client, db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.CLOSED)
    sign_in(client, db, floor.manager)
    sent = client.post(f"/incidents/{incident.id}/review/take")
    assert sent.headers["Location"] == f"/incidents/{incident.id}"
    message = "This incident is closed; reopen it with a reason instead."
    assert flashed(client.get(sent.headers["Location"]), "error", message)
    db.refresh(incident)
    assert incident.status is IncidentStatus.CLOSED
    assert events(db, "incident.review_started") == 1  # the one before it was closed


def test_no_response_is_started_for_someone_who_left_long_ago(client, db):
    floor = make_floor(db)
    gone = make_visit(
        db,
        floor.site,
        floor.desk,
        client=make_client(db, floor.site, display_tag="Teal Otter 3"),
        status=VisitStatus.LEFT,
        left_at=utcnow() - timedelta(hours=2),
    )
    sign_in(client, db, floor.nurse)
    sent = client.post(f"/incidents/start/{gone.id}")
    assert sent.headers["Location"] == "/incidents/"
    message = (
        "Teal Otter 3 left more than an hour ago, so no response was started: "
        "use Report incident to record what happened."
    )
    assert flashed(client.get(sent.headers["Location"]), "error", message)
    assert count(db, Incident) == 0 and events(db, "incident.response_started") == 0
