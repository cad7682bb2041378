"""Services-only visits (issue 22): nobody uses, so no booth, no observation checks and no tile
on the board; the visit is listed on the visit and client pages and ends with check-out, and the
reports count it apart.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.board.services import read_board
from sitesys.checkin.lifecycle import ServicesOnlyVisit, move_to_aftercare, move_to_booth
from sitesys.checkin.models import Route, Visit, VisitKind, VisitStatus
from sitesys.clock import utcnow
from sitesys.observations.scoring import Consciousness, Poss
from sitesys.observations.services import ObservationInput, record_observation
from sitesys.observations.tasks import raise_overdue_alerts
from sitesys.reports.figures import site_tally, values, visit_kind
from sitesys.sites.models import BoothStatus
from tests.checkin.helpers import check_in, floor
from tests.factories import make_site, make_staff, make_visit, sign_in


def services_only(client, **overrides):
    """The desk chooses "Services only": substances, route and booth are not sent."""
    fields = {"substances": None, "route": None, "booth": None, **overrides}
    return check_in(client, kind="services_only", **fields)


def test_a_services_only_check_in_takes_no_booth_and_is_audited(client, db):
    _site, booths, desk = floor(db, client)
    response = services_only(client)
    assert response.status_code == 302
    [visit] = db.scalars(select(Visit)).all()
    assert visit.kind is VisitKind.SERVICES_ONLY and visit.route is None
    assert visit.status is VisitStatus.WAITING and visit.booth_id is None
    assert visit.substances == [] and visit.checked_in_by_id == desk.id
    for booth in booths:
        db.refresh(booth)
        assert booth.status is BoothStatus.FREE
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "visit.checked_in"))
    assert event.detail == {
        "booth_id": None, "walk_in": False, "new_client": True, "services_only": True,
    }  # fmt: skip
    message = client.get("/checkin").get_data(as_text=True)
    assert "(new client): services only, no booth." in message


def test_what_was_ticked_for_using_is_dropped_when_services_only_is_chosen(client, db):
    _site, booths, _desk = floor(db, client)
    response = services_only(client, substances=["heroin"], route="inject", booth=str(booths[0].id))
    assert response.status_code == 302
    [visit] = db.scalars(select(Visit)).all()
    assert visit.booth_id is None and visit.route is None and visit.substances == []
    db.refresh(booths[0])
    assert booths[0].status is BoothStatus.FREE


def test_a_visit_to_use_still_needs_substances_route_and_booth(client, db):
    floor(db, client)
    response = check_in(client, kind="consumption", substances=None, route=None, booth=None)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose what the client plans to use." in page
    assert "Choose how the client will use." in page
    assert db.scalars(select(Visit)).all() == []


def test_a_services_only_walk_in_is_recorded(client, db):
    floor(db, client)
    response = services_only(client, client_code=None, walk_in="y")
    assert response.status_code == 302
    [visit] = db.scalars(select(Visit)).all()
    assert visit.is_walk_in and visit.is_services_only


def test_a_services_only_visit_has_no_tile_on_the_board_and_is_listed_apart(client, db):
    site, _booths, _desk = floor(db, client)
    services_only(client)
    waiting = check_in(client, client_code="abcd12")
    assert waiting.status_code == 302
    board = read_board(db, site, utcnow())
    assert [card.visit.kind for card in board.waiting] == [VisitKind.CONSUMPTION]
    assert all(tile.card is None for tile in board.tiles) and board.aftercare == []
    # Listed apart, to be opened and checked out: no timer, no check.
    [listed] = board.services
    assert listed.kind is VisitKind.SERVICES_ONLY
    page = client.get("/board/").get_data(as_text=True)
    assert 'aria-label="Services only"' in page and f"/visits/{listed.id}" in page


def test_a_services_only_visit_takes_no_booth_nor_aftercare_and_ends_with_check_out(client, db):
    _site, booths, desk = floor(db, client, role=Role.NURSE)
    services_only(client)
    visit = db.scalars(select(Visit)).one()
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Services only: no booth, no observation checks" in page
    assert "Move to booth" not in page and "Move to aftercare" not in page
    with pytest.raises(ServicesOnlyVisit):
        move_to_booth(db, desk, visit, booths[0].id, VisitStatus.WAITING)
    with pytest.raises(ServicesOnlyVisit):
        move_to_aftercare(db, desk, visit, VisitStatus.WAITING)
    refused = client.post(
        f"/visits/{visit.id}/booth",
        data={"expected_status": "waiting", "booth": str(booths[0].id)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "This visit is for services only: nobody uses, so it takes no booth." in refused
    db.refresh(visit)
    assert visit.status is VisitStatus.WAITING and visit.booth_id is None
    ended = client.post(
        f"/visits/{visit.id}/check-out", data={"expected_status": "waiting"}, follow_redirects=True
    )
    assert ended.status_code == 200
    db.refresh(visit)
    assert visit.status is VisitStatus.LEFT and visit.left_at is not None
    client_page = client.get(f"/clients/{visit.client_id}").get_data(as_text=True)
    assert "<td>Services only</td>" in client_page


def test_a_services_only_visit_gets_no_observation_timer(db):
    start = utcnow()
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    worrying = ObservationInput(consciousness=Consciousness.ALERT, poss=Poss.SOMNOLENT)
    using = make_visit(db, site, nurse, at=start)
    services = make_visit(
        db, site, nurse, at=start, kind=VisitKind.SERVICES_ONLY, route=None, substances=[]
    )
    for visit in (using, services):
        observation = record_observation(db, nurse, visit, worrying, str(uuid.uuid4()))
        assert observation.needs_close_watch
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        # A worrying check puts a waiting client on close watch; nobody uses on the other.
        assert raise_overdue_alerts(db) == 1


def test_reports_count_services_only_visits_apart(db):
    site = make_site(db)
    staff = make_staff(db, Role.FRONT_DESK, [site])
    day = utcnow().astimezone(site.zone).date()
    make_visit(db, site, staff, status=VisitStatus.LEFT)
    services = make_visit(
        db,
        site,
        staff,
        status=VisitStatus.LEFT,
        kind=VisitKind.SERVICES_ONLY,
        route=None,
        substances=[],
    )
    assert visit_kind(services) == "services_only"
    figures = values(site_tally(db, site, day, day))
    assert figures[("visits_total", "")] == 2
    assert figures[("visits_consumption", "")] == 1
    assert figures[("visits_services_only", "")] == 1
    routes = {row: n for (key, row), n in figures.items() if key == "visits_by_route" and n}
    assert routes == {Route.INJECT.label: 1}


def test_the_desk_page_offers_services_only(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.FRONT_DESK, [site]))
    page = client.get("/checkin").get_data(as_text=True)
    assert "<legend>Visit</legend>" in page
    assert 'value="services_only"' in page and "Services only" in page
