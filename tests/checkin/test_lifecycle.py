from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.checkin.models import Route, Visit, VisitStatus
from sitesys.checkin.tasks import end_of_day
from sitesys.clock import utcnow
from sitesys.incidents.services import end_response, start_response
from sitesys.sites.models import BoothKind, BoothStatus
from tests.checkin.helpers import floor
from tests.factories import make_booth, make_site, make_staff, make_visit, sign_in


def step(client, visit, action, expected, **extra):
    return client.post(
        f"/visits/{visit.id}/{action}",
        data={"expected_status": expected, **extra},
        follow_redirects=True,
    )


def test_waiting_client_moves_into_a_freed_booth(client, db):
    site, booths, desk = floor(db, client)
    visit = make_visit(db, site, desk)
    response = step(client, visit, "booth", "waiting", booth=str(booths[1].id))
    assert "is in Booth 2." in response.get_data(as_text=True)
    db.refresh(visit)
    db.refresh(booths[1])
    assert visit.status is VisitStatus.IN_BOOTH and visit.booth_id == booths[1].id
    assert visit.booth_entered_at is not None
    assert booths[1].status is BoothStatus.OCCUPIED


def test_aftercare_then_check_out_with_the_booth_needing_cleaning(client, db):
    site, booths, nurse = floor(db, client, Role.NURSE)
    visit = make_visit(db, site, nurse, booth=booths[0])
    step(client, visit, "aftercare", "in_booth")
    db.refresh(visit)
    db.refresh(booths[0])
    assert visit.status is VisitStatus.AFTERCARE and visit.aftercare_at is not None
    assert booths[0].status is BoothStatus.NEEDS_CLEANING
    response = step(client, visit, "check-out", "aftercare")
    assert "checked out." in response.get_data(as_text=True)
    db.refresh(visit)
    assert visit.status is VisitStatus.LEFT and visit.left_at is not None
    changes = select(AuditEvent).where(AuditEvent.is_read.is_(False)).order_by(AuditEvent.id)
    actions = [e.action for e in db.scalars(changes)]
    assert actions[-2:] == ["visit.moved_to_aftercare", "visit.checked_out"]
    clean = client.post(f"/board/booths/{booths[0].id}/clean", follow_redirects=True)
    assert "Booth 1 is clean and free." in clean.get_data(as_text=True)
    db.refresh(booths[0])
    assert booths[0].status is BoothStatus.FREE


def test_checking_out_a_visit_that_already_left_changes_nothing(client, db):
    site, _booths, desk = floor(db, client)
    visit = make_visit(db, site, desk, status=VisitStatus.LEFT, left_at=utcnow())
    before = visit.left_at
    response = step(client, visit, "check-out", "aftercare")
    assert "has already left; nothing was changed." in response.get_data(as_text=True)
    db.refresh(visit)
    assert visit.left_at == before


def test_a_stale_screen_changes_nothing(client, db):
    site, booths, desk = floor(db, client)
    visit = make_visit(db, site, desk, booth=booths[0], status=VisitStatus.AFTERCARE)
    response = step(client, visit, "aftercare", "in_booth")
    assert "the screen was out of date, so nothing was changed" in response.get_data(as_text=True)
    response = step(client, visit, "booth", "waiting", booth=str(booths[1].id))
    assert "the screen was out of date" in response.get_data(as_text=True)
    db.refresh(visit)
    assert visit.status is VisitStatus.AFTERCARE


@pytest.mark.parametrize(
    ("status", "expected", "where"),
    [
        (VisitStatus.AFTERCARE, "in_booth", "is now in aftercare"),
        (VisitStatus.WAITING, "in_booth", "is now on the waiting list"),
        (VisitStatus.IN_BOOTH, "waiting", "is now in Booth 1"),
    ],
)
def test_a_stale_screen_says_where_the_client_is_in_a_sentence(client, db, status, expected, where):
    site, booths, desk = floor(db, client)
    booth = booths[0] if status is not VisitStatus.WAITING else None
    visit = make_visit(db, site, desk, booth=booth, status=status)
    response = step(client, visit, "aftercare", expected)
    assert f"{visit.display_tag} {where}: the screen was out of date" in response.get_data(
        as_text=True
    )
    db.refresh(visit)
    assert visit.status is status


def test_a_step_that_does_not_apply_says_where_the_client_is(client, db):
    site, booths, desk = floor(db, client)
    visit = make_visit(db, site, desk, booth=booths[0], status=VisitStatus.AFTERCARE)
    response = step(client, visit, "aftercare", "aftercare")
    body = response.get_data(as_text=True)
    assert f"{visit.display_tag} is in aftercare, so that step does not apply." in body
    db.refresh(visit)
    assert visit.status is VisitStatus.AFTERCARE


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (BoothStatus.OUT_OF_SERVICE, "Booth 1 is out of service — choose another."),
        (BoothStatus.NEEDS_CLEANING, "Booth 1 needs cleaning — choose another."),
    ],
)
def test_moving_into_a_booth_out_of_use_says_why(client, db, status, message):
    site, booths, desk = floor(db, client)
    booths[0].status = status
    booths[0].out_of_service_reason = (
        "Lock broken" if status is BoothStatus.OUT_OF_SERVICE else None
    )
    waiting = make_visit(db, site, desk)
    response = step(client, waiting, "booth", "waiting", booth=str(booths[0].id))
    body = response.get_data(as_text=True)
    assert message in body and "was just taken" not in body
    db.refresh(waiting)
    db.refresh(booths[0])
    assert waiting.status is VisitStatus.WAITING and booths[0].status is status


def test_moving_a_smoker_into_an_injecting_booth_says_so_plainly(client, db):
    site, booths, desk = floor(db, client)
    make_booth(db, site, label="S1", kind=BoothKind.SMOKING)
    waiting = make_visit(db, site, desk, route=Route.SMOKE)
    response = step(client, waiting, "booth", "waiting", booth=str(booths[0].id))
    assert (
        "Booth 1 is not a smoking booth: choose a smoking booth for someone who will smoke."
        in response.get_data(as_text=True)
    )
    db.refresh(waiting)
    assert waiting.status is VisitStatus.WAITING


def booth_options(page):
    select_html = re.search(r'<select[^>]*name="booth".*?</select>', page, re.S)
    assert select_html, "no booth list on the visit page"
    return re.findall(r"<option([^>]*)>([^<]*)</option>", select_html.group(0))


def test_move_to_booth_marks_smoking_booths_and_offers_one_that_suits(client, db):
    site, _booths, desk = floor(db, client)
    smoking = make_booth(db, site, label="S1", kind=BoothKind.SMOKING, position=9)
    smoker = make_visit(db, site, desk, route=Route.SMOKE)
    options = booth_options(client.get(f"/visits/{smoker.id}").get_data(as_text=True))
    assert [label for _attrs, label in options] == [
        "Booth 1",
        "Booth 2",
        "Booth 3",
        "Booth S1 (smoking)",
    ]
    chosen = [label for attrs, label in options if "selected" in attrs]
    assert chosen == ["Booth S1 (smoking)"]
    injector = make_visit(db, site, desk, route=Route.INJECT)
    options = booth_options(client.get(f"/visits/{injector.id}").get_data(as_text=True))
    assert [label for attrs, label in options if "selected" in attrs] == ["Booth 1"]
    # No smoking booth free: nothing is chosen for the smoker, and sending that changes nothing.
    smoking.status = BoothStatus.NEEDS_CLEANING
    db.flush()
    options = booth_options(client.get(f"/visits/{smoker.id}").get_data(as_text=True))
    assert [label for attrs, label in options if "selected" in attrs] == ["Choose a booth"]
    response = step(client, smoker, "booth", "waiting", booth="")
    assert "Choose a free booth. Nothing was changed." in response.get_data(as_text=True)
    db.refresh(smoker)
    assert smoker.status is VisitStatus.WAITING


def test_services_are_recorded_one_at_a_time(client, db):
    site, _booths, desk = floor(db, client)
    visit = make_visit(db, site, desk)
    response = client.post(
        f"/visits/{visit.id}/services", data={"services": ["foil"]}, follow_redirects=True
    )
    assert "Recorded: Foil." in response.get_data(as_text=True)
    db.refresh(visit)
    assert [s.service.value for s in visit.services] == ["foil"]


def test_no_service_ticked_is_refused(client, db):
    site, _booths, desk = floor(db, client)
    visit = make_visit(db, site, desk)
    response = client.post(f"/visits/{visit.id}/services", data={}, follow_redirects=True)
    assert "Tick at least one service." in response.get_data(as_text=True)
    db.refresh(visit)
    assert visit.services == []


def test_services_are_not_recorded_on_a_visit_that_has_ended(client, db):
    site, _booths, desk = floor(db, client)
    visit = make_visit(db, site, desk, status=VisitStatus.LEFT, left_at=utcnow())
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Record services" not in page and f"/visits/{visit.id}/services" not in page
    response = client.post(
        f"/visits/{visit.id}/services", data={"services": ["foil"]}, follow_redirects=True
    )
    assert (
        f"{visit.display_tag} has left; services can only be recorded during a visit."
        in response.get_data(as_text=True)
    )
    db.refresh(visit)
    assert visit.services == []
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "visit.services_given")) is None


def test_moving_into_a_booth_that_is_not_free_is_refused(client, db):
    site, booths, desk = floor(db, client)
    make_visit(db, site, desk, booth=booths[0])
    waiting = make_visit(db, site, desk)
    response = step(client, waiting, "booth", "waiting", booth=str(booths[0].id))
    assert "Booth 1 was just taken — choose another." in response.get_data(as_text=True)
    db.refresh(waiting)
    assert waiting.status is VisitStatus.WAITING


def test_another_sites_visit_does_not_exist_here(client, db):
    _site, _booths, _desk = floor(db, client)
    other_site = make_site(db)
    theirs = make_visit(db, other_site, make_staff(db, Role.NURSE, [other_site]))
    assert client.get(f"/visits/{theirs.id}").status_code == 404
    assert (
        client.post(
            f"/visits/{theirs.id}/check-out", data={"expected_status": "waiting"}
        ).status_code
        == 404
    )
    db.refresh(theirs)
    assert theirs.status is VisitStatus.WAITING


def test_admin_cannot_move_visits(client, db):
    site, _booths, desk = floor(db, client)
    visit = make_visit(db, site, desk)
    sign_in(client, db, make_staff(db, Role.ADMIN, [site]))
    assert (
        client.post(
            f"/visits/{visit.id}/check-out", data={"expected_status": "waiting"}
        ).status_code
        == 403
    )


def test_services_are_recorded_once(client, db):
    site, _booths, desk = floor(db, client)
    visit = make_visit(db, site, desk)
    client.post(f"/visits/{visit.id}/services", data={"services": ["naloxone_kit", "foil"]})
    again = client.post(
        f"/visits/{visit.id}/services", data={"services": ["naloxone_kit"]}, follow_redirects=True
    )
    assert "already recorded" in again.get_data(as_text=True)
    db.refresh(visit)
    assert sorted(s.service.value for s in visit.services) == ["foil", "naloxone_kit"]


def at_local(site, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=site.zone)


def test_end_of_day_closes_forgotten_visits_once(db):
    site = make_site(db, closing_time=time(22, 0))
    booth = make_booth(db, site)
    nurse = make_staff(db, Role.NURSE, [site])
    day = datetime(2026, 6, 10).date()
    forgotten = make_visit(db, site, nurse, booth=booth, at=at_local(site, day, 21, 30))
    late = make_visit(db, site, nurse, at=at_local(site, day, 23, 30))
    with time_machine.travel(at_local(site, day, 23, 59), tick=False):
        assert end_of_day(db) == 0  # not yet long after closing
    with time_machine.travel(at_local(site, day + timedelta(days=1), 0, 1), tick=False):
        assert end_of_day(db) == 1
        assert end_of_day(db) == 0
    db.refresh(forgotten)
    db.refresh(booth)
    db.refresh(late)
    assert forgotten.status is VisitStatus.LEFT_WITHOUT_CHECKOUT
    assert booth.status is BoothStatus.NEEDS_CLEANING
    assert late.status is VisitStatus.WAITING
    events = list(
        db.scalars(select(AuditEvent).where(AuditEvent.action == "visit.left_without_checkout"))
    )
    assert len(events) == 1 and events[0].actor_id is None


def test_end_of_day_leaves_a_visit_open_while_its_emergency_response_runs(db):
    """As a check-out is refused mid-response, so is the job's: the response would drop off the
    board with the client still in someone's care. The next run closes the visit once the
    response has ended."""
    from sitesys.incidents.services import end_response, start_response

    site = make_site(db, closing_time=time(22, 0))
    booth = make_booth(db, site)
    nurse = make_staff(db, Role.NURSE, [site])
    day = datetime(2026, 6, 10).date()
    with time_machine.travel(at_local(site, day, 21, 30), tick=False):
        visit = make_visit(db, site, nurse, booth=booth)
        response = start_response(db, nurse, visit).incident
    with time_machine.travel(at_local(site, day + timedelta(days=1), 0, 5), tick=False):
        assert end_of_day(db) == 0
        db.refresh(visit)
        assert visit.status is VisitStatus.IN_BOOTH
        end_response(db, nurse, response)
        assert end_of_day(db) == 1
    db.refresh(visit)
    assert visit.status is VisitStatus.LEFT_WITHOUT_CHECKOUT


def test_end_of_day_does_not_touch_other_sites_or_closed_visits(db):
    site = make_site(db, closing_time=time(22, 0))
    nurse = make_staff(db, Role.NURSE, [site])
    day = datetime(2026, 6, 10).date()
    done = make_visit(db, site, nurse, status=VisitStatus.LEFT, at=at_local(site, day, 12))
    with time_machine.travel(at_local(site, day + timedelta(days=1), 9), tick=False):
        end_of_day(db)
    db.refresh(done)
    assert done.status is VisitStatus.LEFT


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York"])
def test_end_of_day_reads_closing_time_in_the_sites_zone(db, zone):
    site = make_site(db, closing_time=time(20, 0), time_zone=zone)
    nurse = make_staff(db, Role.NURSE, [site])
    day = datetime(2026, 1, 15).date()
    visit = make_visit(db, site, nurse, at=at_local(site, day, 19))
    with time_machine.travel(at_local(site, day, 21, 59), tick=False):
        end_of_day(db)
    db.refresh(visit)
    assert visit.status is VisitStatus.WAITING
    with time_machine.travel(at_local(site, day, 22, 1), tick=False):
        end_of_day(db)
    db.refresh(visit)
    assert visit.status is VisitStatus.LEFT_WITHOUT_CHECKOUT
    assert isinstance(db.get(Visit, visit.id), Visit)


def test_check_out_is_refused_while_an_emergency_response_runs(client, db):
    """The desk cannot check out someone a nurse is resuscitating: the response would drop off
    every board. Once the response has ended, checking out works."""
    site, booths, desk = floor(db, client)
    nurse = make_staff(db, Role.NURSE, sites=[site])
    visit = make_visit(db, site, desk, booth=booths[0])
    incident = start_response(db, nurse, visit).incident
    db.commit()
    response = step(client, visit, "check-out", "in_booth")
    assert "An emergency response is running for" in response.get_data(as_text=True)
    assert "end the response before checking them out" in response.get_data(as_text=True)
    db.refresh(visit)
    db.refresh(booths[0])
    assert visit.status is VisitStatus.IN_BOOTH and visit.left_at is None
    assert booths[0].status is BoothStatus.OCCUPIED
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "visit.checked_out")) is None
    end_response(db, nurse, incident)
    db.commit()
    response = step(client, visit, "check-out", "in_booth")
    assert "checked out." in response.get_data(as_text=True)
    db.refresh(visit)
    assert visit.status is VisitStatus.LEFT


def test_the_visit_steps_themselves_refuse_a_role_without_floor_duties(db):
    """The views refuse an admin (403); the services say no as well, whoever calls them."""
    from sitesys.checkin.lifecycle import check_out, move_to_aftercare, move_to_booth
    from sitesys.checkin.models import ServiceGiven
    from sitesys.checkin.services import add_services
    from sitesys.refusals import NotAllowed

    site = make_site(db)
    booth, free = make_booth(db, site, label="1"), make_booth(db, site, label="2")
    desk = make_staff(db, Role.FRONT_DESK, [site])
    admin = make_staff(db, Role.ADMIN, [site])
    in_booth = make_visit(db, site, desk, booth=booth)
    waiting = make_visit(db, site, desk)
    only = "Only front desk staff, a nurse or a manager can"
    with pytest.raises(NotAllowed, match=f"{only} move clients to aftercare."):
        move_to_aftercare(db, admin, in_booth, VisitStatus.IN_BOOTH)
    with pytest.raises(NotAllowed, match=f"{only} check clients out."):
        check_out(db, admin, in_booth, VisitStatus.IN_BOOTH)
    with pytest.raises(NotAllowed, match=f"{only} move clients into booths."):
        move_to_booth(db, admin, waiting, free.id, VisitStatus.WAITING)
    with pytest.raises(NotAllowed, match=f"{only} record services given."):
        add_services(db, admin, waiting, [ServiceGiven("foil")])
    assert in_booth.status is VisitStatus.IN_BOOTH and waiting.status is VisitStatus.WAITING
    assert waiting.services == []
    changed = select(AuditEvent).where(AuditEvent.action.like("visit.%"), ~AuditEvent.is_read)
    assert db.scalar(changed) is None


def test_a_step_sent_without_the_status_the_screen_showed_changes_nothing(client, db):
    site, booths, desk = floor(db, client)
    visit = make_visit(db, site, desk, booth=booths[0])
    for action in ("aftercare", "check-out", "booth"):
        response = client.post(f"/visits/{visit.id}/{action}", data={}, follow_redirects=True)
        assert "That form was incomplete or out of date; nothing was changed." in (
            response.get_data(as_text=True)
        )
    db.refresh(visit)
    assert visit.status is VisitStatus.IN_BOOTH
    changed = select(AuditEvent).where(AuditEvent.action.like("visit.%"), ~AuditEvent.is_read)
    assert db.scalar(changed) is None


def test_check_out_goes_to_the_board_and_a_refused_one_back_to_the_visit(client, db):
    site, booths, desk = floor(db, client)
    visit = make_visit(db, site, desk, booth=booths[0])
    stale = client.post(f"/visits/{visit.id}/check-out", data={"expected_status": "waiting"})
    assert stale.headers["Location"] == f"/visits/{visit.id}"
    done = client.post(f"/visits/{visit.id}/check-out", data={"expected_status": "in_booth"})
    assert done.headers["Location"] == "/board/"
    assert f"{visit.display_tag} checked out." in client.get("/board/").get_data(as_text=True)
    db.refresh(visit)
    assert visit.status is VisitStatus.LEFT
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "visit.checked_out"))
    assert len(events.all()) == 1
