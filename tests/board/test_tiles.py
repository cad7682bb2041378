"""Tile states that never look alike, the front desk's tile, its alarm, and the quick check."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import time_machine
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.board.services import read_board
from sitesys.checkin.models import VisitStatus
from sitesys.clients.models import FlagKind
from sitesys.clients.services import add_flag
from sitesys.clock import utcnow
from sitesys.incidents.models import Incident
from sitesys.observations.models import Observation
from sitesys.observations.scoring import Consciousness, Poss
from sitesys.observations.services import ObservationInput, record_observation
from tests.checkin.helpers import floor
from tests.factories import make_client, make_staff, make_visit, sign_in

KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')


def _poll(client):
    return client.get("/board/partial", headers={"HX-Request": "true"}).get_data(as_text=True)


def _tile(page, tag):
    """The tile-wrap holding a client's tag."""
    for chunk in page.split('<div class="tile-wrap"')[1:]:
        if tag in chunk:
            return chunk
    raise AssertionError(f"no tile for {tag}")


def test_due_overdue_and_emergency_differ_in_colour_icon_and_words(client, db):
    site, booths, nurse = floor(db, client, Role.NURSE)
    site.booth_check_minutes = 5
    start = utcnow()
    due = make_visit(db, site, nurse, booth=booths[0], at=start - timedelta(minutes=6))
    late = make_visit(db, site, nurse, booth=booths[1], at=start - timedelta(minutes=13))
    red = make_visit(db, site, nurse, booth=booths[2], at=start)
    record_observation(
        db, nurse, red, ObservationInput(Consciousness.UNRESPONSIVE), str(uuid.uuid4())
    )
    with time_machine.travel(start, tick=False):
        page = _poll(client)
    due_tile, late_tile, red_tile = (_tile(page, visit.display_tag) for visit in (due, late, red))
    assert 'class="tile tile-due"' in due_tile and "◔</span> Check due" in due_tile
    assert 'class="tile tile-overdue"' in late_tile
    assert "⏰</span> Check overdue · 3 min" in late_tile
    assert 'class="tile tile-emergency"' in red_tile
    assert "⚠</span> Emergency: start emergency response" in red_tile


def test_emergency_tiles_come_first_wherever_the_client_is(client, db):
    site, booths, nurse = floor(db, client, Role.NURSE)
    calm = make_visit(db, site, nurse, booth=booths[0], client=make_client(db, site))
    in_booth = make_visit(db, site, nurse, booth=booths[2], client=make_client(db, site))
    after = make_visit(db, site, nurse, status=VisitStatus.AFTERCARE, client=make_client(db, site))
    for visit in (in_booth, after):
        record_observation(
            db, nurse, visit, ObservationInput(Consciousness.UNRESPONSIVE), str(uuid.uuid4())
        )
    board = read_board(db, site, utcnow())
    assert [tile.booth.label for tile in board.tiles] == ["3", "1", "2"]
    assert [card.visit.id for card in board.urgent] == [after.id]
    assert board.calm_aftercare == []
    page = _poll(client)
    order = [page.index(visit.display_tag) for visit in (after, in_booth, calm)]
    assert order == sorted(order)
    # The one in aftercare is drawn among the booths, first, with where they are.
    assert '<span class="tile-label">Aftercare</span>' in _tile(page, after.display_tag)


def test_the_front_desk_sees_client_place_time_and_state_only(app, client, db):
    site, booths, nurse = floor(db, client, Role.NURSE)
    person = make_client(db, site, display_tag="Amber Heron 27")
    add_flag(db, nurse, person, kind=FlagKind.ALLERGY, note="Latex", ends_on=None)
    visit = make_visit(db, site, nurse, booth=booths[0], client=person, substances=["ketamine"])
    record_observation(
        db, nurse, visit, ObservationInput(Consciousness.VOICE, pulse=130), str(uuid.uuid4())
    )
    nurse_tile = _tile(_poll(client), "Amber Heron 27")
    assert "Ketamine" in nurse_tile and "NEWS2" in nurse_tile and "Allergy" in nurse_tile
    desk = app.test_client()
    sign_in(desk, db, make_staff(db, Role.FRONT_DESK, [site]))
    desk_tile = _tile(_poll(desk), "Amber Heron 27")
    assert "Booth 1" in desk_tile and "min</strong> in booth" in desk_tile
    for clinical in ("Ketamine", "Inject", "NEWS2", "Allergy", "close watch", "Quick check"):
        assert clinical not in desk_tile, clinical


def test_the_desk_raises_the_alarm_and_nurses_take_over(app, client, db):
    site, booths, nurse = floor(db, client, Role.NURSE)
    visit = make_visit(
        db, site, nurse, booth=booths[0], client=make_client(db, site, display_tag="Teal Otter 3")
    )
    desk_staff = make_staff(db, Role.FRONT_DESK, [site])
    desk = app.test_client()
    sign_in(desk, db, desk_staff)
    tile = _tile(_poll(desk), "Teal Otter 3")
    # A calm tile offers the desk the alarm (plain), never the nurses' start.
    assert 'class="button-danger-quiet">Raise the alarm</button>' in tile
    assert "/incidents/start/" not in tile
    reply = desk.post(f"/board/visits/{visit.id}/alarm")
    assert reply.status_code == 302 and reply.headers["Location"] == "/board/"
    [incident] = db.scalars(select(Incident).where(Incident.visit_id == visit.id)).all()
    assert incident.reported_by_id == desk_staff.id
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "incident.response_started")
    ).all()
    assert event.actor_id == desk_staff.id and event.detail == {
        "visit_id": str(visit.id),
        "alarm": True,
    }
    board = desk.get("/board/").get_data(as_text=True)
    assert "Alarm raised for Teal Otter 3" in board
    desk_tile = _tile(board, "Teal Otter 3")
    assert "tile-emergency" in desk_tile and "Raise the alarm</button>" not in desk_tile
    nurse_tile = _tile(_poll(client), "Teal Otter 3")
    assert "Emergency response running · Alarm raised by the front desk" in nurse_tile
    assert "Emergency response running — open it" in nurse_tile
    # A second tap (another desk tablet) joins the running alarm: still one record.
    again = desk.post(f"/board/visits/{visit.id}/alarm")
    assert again.status_code == 302
    assert len(db.scalars(select(Incident).where(Incident.visit_id == visit.id)).all()) == 1


def test_the_desk_may_not_start_the_response_screen_or_record_in_it(app, client, db):
    site, booths, nurse = floor(db, client)
    visit = make_visit(db, site, nurse, booth=booths[0])
    assert client.post(f"/incidents/start/{visit.id}").status_code == 403
    manager = app.test_client()
    sign_in(manager, db, make_staff(db, Role.ADMIN, []))
    assert manager.post(f"/board/visits/{visit.id}/alarm").status_code == 403


def test_a_nurse_quick_checks_from_the_tile_in_one_tap(client, db):
    site, booths, nurse = floor(db, client, Role.NURSE)
    visit = make_visit(
        db, site, nurse, booth=booths[0], client=make_client(db, site, display_tag="Fox 3")
    )
    tile = _tile(_poll(client), "Fox 3")
    action = re.search(r'<form method="post" action="([^"]+)" class="tile-quick">', tile)
    assert action and action.group(1) == f"/visits/{visit.id}/quick-check?next=/board/"
    [key] = KEY.findall(tile)
    reply = client.post(action.group(1), data={"submission_key": key})
    assert reply.status_code == 302 and reply.headers["Location"] == "/board/"
    [observation] = db.scalars(select(Observation)).all()
    assert observation.visit_id == visit.id and observation.recorded_by_id == nurse.id
    # The same tap again (a double tap) records nothing more.
    client.post(action.group(1), data={"submission_key": key})
    assert len(db.scalars(select(Observation)).all()) == 1


def test_no_quick_check_on_a_tile_on_close_watch_or_in_emergency(client, db):
    site, booths, nurse = floor(db, client, Role.NURSE)
    visit = make_visit(
        db, site, nurse, booth=booths[0], client=make_client(db, site, display_tag="Fox 3")
    )
    record_observation(
        db,
        nurse,
        visit,
        ObservationInput(Consciousness.ALERT, poss=Poss.FREQUENTLY_DROWSY),
        str(uuid.uuid4()),
    )
    card = read_board(db, site, utcnow()).tiles[0].card
    assert card is not None and card.close_watch and card.tone != "emergency"
    assert "Quick check" not in _tile(_poll(client), "Fox 3")


def _alarm(app, db, site, visit):
    desk_staff = make_staff(db, Role.FRONT_DESK, [site])
    desk = app.test_client()
    sign_in(desk, db, desk_staff)
    assert desk.post(f"/board/visits/{visit.id}/alarm").status_code == 302
    return desk, desk_staff


def test_the_desk_logs_no_clinical_action_unless_the_site_allows_it(client, app, db):
    from sitesys.incidents.models import IncidentAction

    site, booths, nurse = floor(db, client, Role.NURSE)
    assert site.desk_rescue_actions is False  # off by default
    visit = make_visit(db, site, nurse, booth=booths[0], client=make_client(db, site))
    desk, _desk_staff = _alarm(app, db, site, visit)
    tile = _tile(desk.get("/board/").get_data(as_text=True), visit.display_tag)
    assert "Naloxone given" not in tile and "Rescue breaths given" not in tile
    reply = desk.post(
        f"/board/visits/{visit.id}/rescue",
        data={"kind": "naloxone", "submission_key": str(uuid.uuid4())},
    )
    assert reply.status_code == 302
    assert "Only a nurse or a manager can record response actions." in desk.get("/board/").get_data(
        as_text=True
    )
    assert db.scalars(select(IncidentAction)).all() == []


def test_where_the_site_allows_it_the_desk_logs_naloxone_and_rescue_breaths_as_itself(
    client, app, db
):
    from sitesys.incidents.kinds import ActionKind, NaloxoneRoute
    from sitesys.incidents.models import IncidentAction

    site, booths, nurse = floor(db, client, Role.NURSE)
    site.desk_rescue_actions = True
    visit = make_visit(db, site, nurse, booth=booths[0], client=make_client(db, site))
    desk, desk_staff = _alarm(app, db, site, visit)
    tile = _tile(desk.get("/board/").get_data(as_text=True), visit.display_tag)
    assert "Naloxone given: 0.4 mg IM</button>" in tile and "Rescue breaths given</button>" in tile
    keys = KEY.findall(tile)
    assert len(keys) == 2 and keys[0] != keys[1]
    for kind, key in zip(("naloxone", "rescue_breaths"), keys, strict=True):
        reply = desk.post(
            f"/board/visits/{visit.id}/rescue", data={"kind": kind, "submission_key": key}
        )
        assert reply.status_code == 302
    # A resent tap is recorded once.
    desk.post(
        f"/board/visits/{visit.id}/rescue", data={"kind": "naloxone", "submission_key": keys[0]}
    )
    # Anything else stays with clinical roles, even here.
    desk.post(
        f"/board/visits/{visit.id}/rescue",
        data={"kind": "oxygen", "submission_key": str(uuid.uuid4())},
    )
    naloxone, breaths = db.scalars(select(IncidentAction).order_by(IncidentAction.id)).all()
    assert naloxone.kind is ActionKind.NALOXONE and naloxone.recorded_by_id == desk_staff.id
    assert naloxone.dose_mg == Decimal("0.4")
    assert naloxone.naloxone_route is NaloxoneRoute.INTRAMUSCULAR
    assert breaths.kind is ActionKind.RESCUE_BREATHS and breaths.recorded_by_id == desk_staff.id
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "incident.action_recorded")
    ).all()
    assert [event.actor_id for event in events] == [desk_staff.id, desk_staff.id]
    # The nurses' response screen shows who did it.
    response = client.get(f"/incidents/{naloxone.incident_id}/respond").get_data(as_text=True)
    assert desk_staff.display_name in response
