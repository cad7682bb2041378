"""A client transferred to hospital leaves the floor: the visit ends as left by ambulance, the
booth needs cleaning, the tile leaves the board; and check-out says how the client left.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.checkin.lifecycle import check_out
from sitesys.checkin.models import Departure, VisitStatus
from sitesys.clock import utcnow
from sitesys.incidents.floor import recently_left
from sitesys.incidents.kinds import ActionKind, IncidentStatus, Outcome
from sitesys.incidents.review import (
    ReviewInput,
    add_review_action,
    complete_review_action,
    record_review,
    review_version,
    take_into_review,
)
from sitesys.incidents.services import end_response, record_action
from sitesys.sites.models import BoothStatus
from tests.factories import make_visit, sign_in
from tests.incidents.helpers import bring_to, make_floor, started, tap


def text(response):
    return response.get_data(as_text=True)


def events(db, action):
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_recording_the_transfer_ends_the_visit_as_left_by_ambulance(client, db):
    floor = make_floor(db)
    visit, booth = floor.visit, floor.visit.booth
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    board = text(client.get("/board/"))
    assert visit.display_tag in board
    key = str(uuid.uuid4())
    page = text(
        client.post(
            f"/incidents/{incident.id}/actions",
            data={"kind": "transferred_to_hospital", "submission_key": key},
            follow_redirects=True,
        )
    )
    assert "Recorded: Transferred to hospital." in page
    assert (
        f"{visit.display_tag} left by ambulance and is off the board. "
        f"Booth {booth.label} needs cleaning." in page
    )
    db.refresh(visit)
    db.refresh(booth)
    db.refresh(incident)
    assert visit.status is VisitStatus.LEFT and visit.left_at is not None
    assert (
        visit.departure is Departure.TRANSFERRED_TO_HOSPITAL
        and visit.ended_as == "Left by ambulance"
    )
    assert booth.status is BoothStatus.NEEDS_CLEANING
    assert incident.status is IncidentStatus.OPEN  # the response goes on until it is ended
    [left] = events(db, "visit.left_by_ambulance")
    assert left.actor_id == floor.nurse.id and left.record_id == str(visit.id)
    assert left.detail == {
        "from_status": "in_booth",
        "booth_id": booth.id,
        "departure": "transferred_to_hospital",
    }
    # Off the board (the booth tile says it needs cleaning), and not offered a new response.
    board = text(client.get("/board/"))
    assert f"Booth {booth.label}" in board and "Needs cleaning" in board
    assert visit not in recently_left(db, floor.site.id, utcnow(), limit=10)
    # A double tap changes nothing more.
    client.post(
        f"/incidents/{incident.id}/actions",
        data={"kind": "transferred_to_hospital", "submission_key": key},
    )
    assert len(events(db, "visit.left_by_ambulance")) == 1


def test_ending_the_response_with_a_transfer_ends_the_visit_and_starts_the_report(client, db):
    floor = make_floor(db)
    visit = floor.visit
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    page = text(
        client.post(
            f"/incidents/{incident.id}/end",
            data={"outcome": "transferred_to_hospital"},
            follow_redirects=True,
        )
    )
    assert "Response ended. Complete the report while it is fresh." in page
    assert f"{visit.display_tag} left by ambulance and is off the board." in page
    db.refresh(incident)
    db.refresh(visit)
    assert incident.status is IncidentStatus.DRAFT
    assert incident.outcome is Outcome.TRANSFERRED_TO_HOSPITAL
    assert visit.status is VisitStatus.LEFT
    assert visit.departure is Departure.TRANSFERRED_TO_HOSPITAL
    assert floor.visit.booth.status is BoothStatus.NEEDS_CLEANING
    assert len(events(db, "visit.left_by_ambulance")) == 1


def test_ending_the_response_without_an_outcome_leaves_the_visit_alone(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    incident = started(db, floor)
    client.post(f"/incidents/{incident.id}/end", data={"outcome": ""})
    db.refresh(incident)
    db.refresh(floor.visit)
    assert incident.status is IncidentStatus.DRAFT and incident.outcome is None
    assert floor.visit.status is VisitStatus.IN_BOOTH
    refused = client.post(f"/incidents/{incident.id}/end", data={"outcome": "abducted"})
    assert refused.status_code == 400


def test_a_transfer_for_someone_who_had_already_left_changes_nothing(db):
    floor = make_floor(db)
    visit = make_visit(db, floor.site, floor.desk)
    check_out(db, floor.desk, visit, VisitStatus.WAITING)
    left_at = visit.left_at
    incident = started(db, floor.__class__(**{**floor.__dict__, "visit": visit}))
    record_action(db, floor.nurse, incident, tap(ActionKind.TRANSFERRED_TO_HOSPITAL))
    assert visit.left_at == left_at and visit.departure is Departure.PLANNED
    assert events(db, "visit.left_by_ambulance") == []


def test_a_transfer_ends_a_waiting_or_aftercare_visit_without_a_booth_to_clean(db):
    floor = make_floor(db)
    visit = make_visit(db, floor.site, floor.desk)
    incident = started(db, floor.__class__(**{**floor.__dict__, "visit": visit}))
    result = record_action(db, floor.nurse, incident, tap(ActionKind.TRANSFERRED_TO_HOSPITAL))
    assert result.left_by_ambulance is not None and result.left_by_ambulance.booth is None
    assert visit.status is VisitStatus.LEFT
    assert visit.departure is Departure.TRANSFERRED_TO_HOSPITAL
    end_response(db, floor.nurse, incident, Outcome.TRANSFERRED_TO_HOSPITAL)
    assert len(events(db, "visit.left_by_ambulance")) == 1


@pytest.mark.parametrize(
    ("departure", "said"),
    [
        ("planned", "checked out."),
        ("transferred_to_hospital", "checked out: left by ambulance."),
        ("against_advice", "checked out: left against advice."),
        ("asked_to_leave", "checked out: asked to leave."),
    ],
)
def test_check_out_says_how_the_client_left(client, db, departure, said):
    floor = make_floor(db)
    visit = floor.visit
    sign_in(client, db, floor.desk)
    page = text(client.get(f"/visits/{visit.id}"))
    for value in Departure:
        assert f'value="{value.value}"' in page
    assert re.search(r'<input checked[^>]*name="departure"[^>]*value="planned"', page)
    board = text(
        client.post(
            f"/visits/{visit.id}/check-out",
            data={"expected_status": "in_booth", "departure": departure},
            follow_redirects=True,
        )
    )
    assert f"{visit.display_tag} {said}" in board
    db.refresh(visit)
    assert visit.status is VisitStatus.LEFT and visit.departure is Departure(departure)
    [event] = events(db, "visit.checked_out")
    assert event.detail["departure"] == departure
    assert f"This visit has ended: {visit.ended_as.lower()}." in text(
        client.get(f"/visits/{visit.id}")
    )


def test_check_out_refuses_a_way_of_leaving_not_listed(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.desk)
    page = text(
        client.post(
            f"/visits/{floor.visit.id}/check-out",
            data={"expected_status": "in_booth", "departure": "escaped"},
            follow_redirects=True,
        )
    )
    assert "Choose one of the ways of leaving listed." in page
    db.refresh(floor.visit)
    assert floor.visit.status is VisitStatus.IN_BOOTH


def test_close_is_offered_only_when_nothing_is_missing_and_the_page_says_what_is(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.manager)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    take_into_review(db, floor.manager, incident)
    add_review_action(
        db,
        floor.manager,
        incident,
        description="Restock naloxone in booth 4",
        owner_id=floor.manager.id,
        due_on=date.today() + timedelta(days=7),
        submission_key=str(uuid.uuid4()),
    )
    db.commit()
    page = text(client.get(f"/incidents/{incident.id}"))
    assert "Close incident</summary>" not in page and "Yes, close the incident" not in page
    missing = page.split('aria-label="Before it can be closed"')[1].split("</section>")[0]
    assert "Record the findings before closing the incident." in missing
    assert "A review action is not done yet: mark it done before closing." in missing
    record_review(
        db,
        floor.manager,
        incident,
        ReviewInput(findings="Quick response."),
        version=review_version(incident),
    )
    complete_review_action(db, floor.manager, incident, incident.review_actions[0])
    db.commit()
    page = text(client.get(f"/incidents/{incident.id}"))
    assert "Before it can be closed" not in page
    assert "Close incident</summary>" in page and "Yes, close the incident</button>" in page
    closed = text(client.post(f"/incidents/{incident.id}/close", follow_redirects=True))
    assert "Incident closed." in closed
