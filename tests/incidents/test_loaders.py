"""Loading incidents for a request: another site's record is answered exactly like a missing one."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from werkzeug.exceptions import NotFound

from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.incidents.kinds import ActionKind, IncidentStatus
from sitesys.incidents.loaders import (
    get_action_or_404,
    get_incident_or_404,
    get_review_action_or_404,
    site_staff_choices,
)
from sitesys.incidents.review import add_review_action, take_into_review
from sitesys.incidents.services import record_action, start_response
from tests.factories import make_site, make_staff, make_visit
from tests.incidents.helpers import bring_to, make_floor, started, tap


def started_on_another_visit(db, floor):
    return start_response(db, floor.nurse, make_visit(db, floor.site, floor.desk)).incident


@pytest.mark.parametrize("for_update", [False, True])
def test_an_incident_loads_at_its_own_site_only(db, for_update):
    floor = make_floor(db)
    incident = started(db, floor)
    assert get_incident_or_404(db, incident.id, floor.site, for_update=for_update) is incident
    with pytest.raises(NotFound):
        get_incident_or_404(db, incident.id, make_site(db), for_update=for_update)
    with pytest.raises(NotFound):
        get_incident_or_404(db, uuid.uuid4(), floor.site, for_update=for_update)


def test_a_tap_loads_only_through_its_own_incident(db):
    floor = make_floor(db)
    incident = started(db, floor)
    other = started_on_another_visit(db, floor)
    action = record_action(db, floor.nurse, incident, tap(ActionKind.AIRWAY)).action
    assert get_action_or_404(db, action.id, incident) is action
    with pytest.raises(NotFound):
        get_action_or_404(db, action.id, other)


def test_a_review_action_loads_only_through_its_own_incident(db):
    floor = make_floor(db)
    incident = bring_to(db, floor, IncidentStatus.SUBMITTED)
    take_into_review(db, floor.manager, incident)
    action = add_review_action(
        db,
        floor.manager,
        incident,
        description="Restock naloxone",
        owner_id=floor.nurse.id,
        due_on=(utcnow() + timedelta(days=7)).date(),
        submission_key=str(uuid.uuid4()),
    )
    other = started_on_another_visit(db, floor)
    assert get_review_action_or_404(db, action.id, incident) is action
    with pytest.raises(NotFound):
        get_review_action_or_404(db, action.id, other)


def test_staff_to_choose_are_the_sites_active_staff_and_anyone_already_named(db):
    floor = make_floor(db)
    elsewhere = make_staff(db, Role.NURSE, [make_site(db)], display_name="Eli Elsewhere")
    gone = make_staff(db, Role.NURSE, [floor.site], display_name="Gus Gone", is_active=False)
    offered = site_staff_choices(db, floor.site, [elsewhere])
    names = [person.display_name for person in offered]
    assert "Max Manager" in names and "Nia Nurse" in names
    assert gone.display_name not in names
    # Already named on the incident: kept on offer, after the site's own staff.
    assert offered[-1] is elsewhere
