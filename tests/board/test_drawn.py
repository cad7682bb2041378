"""Tablets of a site share a freshly drawn board, each with its own form token and clock."""

from __future__ import annotations

import re

import time_machine
from sqlalchemy import func, select

from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.sites.models import BoothStatus
from tests.checkin.helpers import floor
from tests.factories import make_client, make_staff, make_visit, sign_in

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CHECKED = re.compile(r"Up to date at (\d\d:\d\d:\d\d)")
KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')


def _poll(client):
    return client.get("/board/partial", headers={"HX-Request": "true"})


def test_a_second_tablet_gets_the_board_drawn_for_the_first_with_its_own_token(
    app, client, db, count_queries
):
    site, booths, nurse = floor(db, client, Role.NURSE)
    booths[0].status = BoothStatus.NEEDS_CLEANING
    make_visit(db, site, nurse, booth=booths[1], client=make_client(db, site, display_tag="Fox 3"))
    db.flush()
    other = app.test_client()
    sign_in(other, db, make_staff(db, Role.NURSE, [site]))
    first = _poll(client).get_data(as_text=True)
    with count_queries() as counter:
        second = _poll(other).get_data(as_text=True)
    # The sign-in check and the change digest only: no booths, visits or observations read.
    assert counter.count <= 3, counter.statements
    assert "Fox 3" in second and "Mark booth 1 clean" in second
    # The same board, apart from what each request fills in (its token, its clock and the
    # submission keys of its quick checks).
    assert KEY.sub("", CHECKED.sub("", TOKEN.sub("", first))) == KEY.sub(
        "", CHECKED.sub("", TOKEN.sub("", second))
    )
    # Every quick check on every tablet has a key of its own: two tablets never share one.
    assert KEY.findall(first) and not set(KEY.findall(first)) & set(KEY.findall(second))
    # Every form on it (Mark clean, Start emergency response) holds the second tablet's token.
    [token] = set(TOKEN.findall(second))
    assert token != TOKEN.findall(first)[0]
    # The token in the shared board is the second tablet's own: its form works.
    reply = other.post(
        f"/board/booths/{booths[0].id}/clean", data={"csrf_token": token}, csrf=False
    )
    assert reply.status_code == 302
    db.refresh(booths[0])
    assert booths[0].status is BoothStatus.FREE


def test_a_change_is_drawn_at_once_and_the_clock_is_each_requests_own(app, client, db):
    from sitesys.audit.services import record_event

    start = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        site, booths, nurse = floor(db, client, Role.NURSE)
        other = app.test_client()
        sign_in(other, db, make_staff(db, Role.NURSE, [site]))
        first = _poll(client).get_data(as_text=True)
        clock.shift(2)
        shared = _poll(other).get_data(as_text=True)
        clock.shift(1)
        # Every change to the floor is audited, so the next poll draws the board again.
        person = make_client(db, site, display_tag="Owl 8")
        visit = make_visit(db, site, nurse, booth=booths[0], client=person)
        record_event(db, "visit.checked_in", actor=nurse, record=visit)
        db.flush()
        after = _poll(other).get_data(as_text=True)
    local = start.astimezone(site.zone)
    assert CHECKED.findall(first) == [local.strftime("%H:%M:%S")]
    assert CHECKED.findall(shared) == [local.replace(second=2).strftime("%H:%M:%S")]
    assert "Owl 8" in after and "Owl 8" not in shared


def test_the_front_desk_is_not_given_a_clinicians_board(app, client, db):
    from sitesys.observations.scoring import Consciousness
    from sitesys.observations.services import ObservationInput, record_observation

    site, booths, nurse = floor(db, client, Role.NURSE)
    visit = make_visit(db, site, nurse, booth=booths[0], client=make_client(db, site))
    record_observation(db, nurse, visit, ObservationInput(Consciousness.UNRESPONSIVE), "k-1")
    assert ">Start emergency response</button>" in _poll(client).get_data(as_text=True)
    desk = app.test_client()
    sign_in(desk, db, make_staff(db, Role.FRONT_DESK, [site]))
    page = _poll(desk).get_data(as_text=True)
    # The desk is told what it can do: raise the alarm (it cannot run the response screen).
    assert "Emergency: raise the alarm" in page and ">Raise the alarm</button>" in page
    assert "Start emergency response" not in page
    assert "NEWS2" not in page and "Quick check" not in page


def test_a_second_nurse_can_start_an_emergency_from_the_shared_board(app, client, db):
    from sitesys.incidents.models import Incident
    from sitesys.observations.scoring import Consciousness
    from sitesys.observations.services import ObservationInput, record_observation

    site, booths, nurse = floor(db, client, Role.NURSE)
    visit = make_visit(db, site, nurse, booth=booths[0], client=make_client(db, site))
    record_observation(db, nurse, visit, ObservationInput(Consciousness.UNRESPONSIVE), "k-2")
    _poll(client)
    other = app.test_client()
    sign_in(other, db, make_staff(db, Role.NURSE, [site]))
    page = _poll(other).get_data(as_text=True)
    start = re.search(
        r'action="(/incidents/start/[^"]+)"[^>]*>\s*<input name="csrf_token" type="hidden" '
        r'value="([^"]+)"',
        page,
    )
    assert start, page
    reply = other.post(start.group(1), data={"csrf_token": start.group(2)}, csrf=False)
    assert reply.status_code == 302
    assert db.scalar(select(func.count()).where(Incident.visit_id == visit.id)) == 1
