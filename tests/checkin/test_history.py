"""A client's recent emergencies at the desk's look-up, and their visit history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sitesys.auth.roles import Role
from sitesys.checkin.history import recent_events, when_words
from sitesys.checkin.models import Route, VisitStatus
from sitesys.clients.codes import code_digest
from sitesys.clock import utcnow
from sitesys.incidents.kinds import IncidentStatus, IncidentType, Outcome
from sitesys.incidents.models import Incident, IncidentTypeEntry
from tests.checkin.helpers import check_in_form, floor
from tests.factories import make_client, make_staff, make_visit, scene, sign_in

LONDON = ZoneInfo("Europe/London")


def incident(db, site, visit, staff, *, at, types=(), status=IncidentStatus.OPEN, outcome=None):
    made = Incident(
        id=uuid.uuid4(),
        site_id=site.id,
        visit_id=visit.id,
        status=status,
        started_at=at,
        reported_by_id=staff.id,
        outcome=outcome,
    )
    made.types = [IncidentTypeEntry(type=kind) for kind in types]
    db.add(made)
    scene(db)
    return made


def regular_with_history(db, app, site, staff):
    client = make_client(
        db, site, code_digest=code_digest("JOMA07", app.config["SITESYS_CLIENT_CODE_KEY"])
    )
    now = utcnow()
    older = make_visit(
        db,
        site,
        staff,
        client_id=client.id,
        status=VisitStatus.LEFT,
        route=Route.SNORT,
        substances=["ketamine", "cocaine"],
        at=now - timedelta(days=3),
    )
    today = make_visit(
        db,
        site,
        staff,
        client_id=client.id,
        status=VisitStatus.LEFT,
        substances=["heroin"],
        at=now - timedelta(minutes=40),
    )
    return client, older, today


def test_when_is_said_as_the_desk_would_say_it():
    now = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
    assert when_words(now - timedelta(seconds=20), now, LONDON) == "just now"
    assert when_words(now - timedelta(minutes=6), now, LONDON) == "6 minutes ago"
    assert when_words(now - timedelta(minutes=61), now, LONDON) == "1 hour ago"
    assert when_words(datetime(2026, 12, 3, 9, tzinfo=UTC), now, LONDON) == "on 3 Dec"


def test_the_lookup_names_the_emergencies_of_the_last_30_days(client, app, db):
    site, _booths, _desk = floor(db, client)
    nurse = make_staff(db, Role.NURSE, [site])
    person, older, today = regular_with_history(db, app, site, nurse)
    now = utcnow()
    incident(db, site, today, nurse, at=now - timedelta(minutes=6))
    incident(
        db,
        site,
        older,
        nurse,
        at=now - timedelta(days=3),
        types=[IncidentType.OPIOID_OVERDOSE],
        status=IncidentStatus.SUBMITTED,
        outcome=Outcome.TRANSFERRED_TO_HOSPITAL,
    )
    ancient = make_visit(
        db, site, nurse, client_id=person.id, status=VisitStatus.LEFT, at=now - timedelta(days=45)
    )
    incident(db, site, ancient, nurse, at=now - timedelta(days=45), types=[IncidentType.SEIZURE])

    page = client.post(
        "/checkin", data={**check_in_form(substances=None, route=None), "find": "1"}
    ).get_data(as_text=True)
    assert "Emergency response 6 minutes ago" in page
    day = (now - timedelta(days=3)).astimezone(site.zone).strftime("%-d %b")
    assert f"Opioid overdose, transferred to hospital on {day}" in page
    assert "Seizure" not in page
    events = recent_events(db, person.id, now, site.zone)
    assert [event.is_fresh for event in events] == [True, False]


def test_a_client_with_no_emergencies_is_said_to_have_none(client, app, db):
    site, _booths, desk = floor(db, client)
    regular_with_history(db, app, site, desk)
    page = client.post("/checkin", data={**check_in_form(), "find": "1"}).get_data(as_text=True)
    assert "No active flags or recent emergencies." in page


def test_the_client_page_lists_each_visits_substances_route_outcome_and_incident(client, app, db):
    site, _booths, _desk = floor(db, client)
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse)
    person, older, _today = regular_with_history(db, app, site, nurse)
    overdose = incident(
        db,
        site,
        older,
        nurse,
        at=utcnow() - timedelta(days=3),
        types=[IncidentType.OPIOID_OVERDOSE],
        status=IncidentStatus.SUBMITTED,
        outcome=Outcome.RECOVERED_ON_SITE,
    )
    page = client.get(f"/clients/{person.id}").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2
    newest, oldest = rows
    assert "Heroin" in newest and "Inject" in newest and "Left" in newest and "None" in newest
    assert "Ketamine, Cocaine" in oldest or "Cocaine, Ketamine" in oldest
    assert "Snort" in oldest
    assert overdose.reference in oldest and "Opioid overdose" in oldest
    assert "Recovered on site" in oldest
