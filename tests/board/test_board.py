from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from sitesys.auth.models import StaffSession
from sitesys.auth.roles import Role
from sitesys.board.services import read_board
from sitesys.checkin.models import VisitStatus
from sitesys.clients.models import FlagKind
from sitesys.clients.services import add_flag
from sitesys.clock import utcnow
from sitesys.observations.models import OverdueAlert
from sitesys.observations.tasks import raise_overdue_alerts
from sitesys.sites.models import BoothStatus
from tests.checkin.helpers import floor
from tests.factories import make_booth, make_client, make_site, make_staff, make_visit, sign_in


def test_board_shows_booths_waiting_and_aftercare(client, db):
    site, booths, desk = floor(db, client, booths=4)
    tagged = make_client(db, site, display_tag="Amber Heron 27")
    with time_machine.travel(utcnow(), tick=False) as clock:
        make_visit(db, site, desk, booth=booths[0], client=tagged, substances=["ketamine"])
        make_visit(db, site, desk, client=make_client(db, site, display_tag="Teal Otter 3"))
        make_visit(
            db,
            site,
            desk,
            status=VisitStatus.AFTERCARE,
            client=make_client(db, site, display_tag="Jade Wren 9"),
        )
        booths[1].status = BoothStatus.NEEDS_CLEANING
        booths[2].status = BoothStatus.OUT_OF_SERVICE
        booths[2].out_of_service_reason = "Broken light"
        db.flush()
        clock.shift(timedelta(minutes=3))
        page = client.get("/board/").get_data(as_text=True)
    # The desk sees the client, the place, the time and the state: not what they use.
    assert "Amber Heron 27" in page and "3 min</strong> in booth" in page
    assert "Ketamine" not in page
    assert "Teal Otter 3" in page and "waiting" in page
    assert "Jade Wren 9" in page and "since use" in page
    assert "Mark booth 2 clean" in page and "Broken light" in page
    assert 'hx-get="/board/partial"' in page and 'hx-trigger="every 3s"' in page
    assert '<meta http-equiv="refresh" content="15">' in page


def test_check_due_then_overdue_is_computed_when_read(client, db):
    site, booths, desk = floor(db, client)
    site.booth_check_minutes = 5
    start = utcnow()
    visit = make_visit(db, site, desk, booth=booths[0], at=start)
    for minutes, expected in ((4, "ok"), (5, "due"), (9, "due"), (10, "overdue")):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            board = read_board(db, site, utcnow())
        tile = next(t for t in board.tiles if t.card and t.card.visit.id == visit.id)
        assert tile.card.tone == expected, minutes
    with time_machine.travel(start + timedelta(minutes=12, seconds=30), tick=False):
        page = client.get("/board/partial").get_data(as_text=True)
        assert read_board(db, site, utcnow()).tiles[0].card.overdue_minutes == 2
    assert "tile-overdue" in page and "Check overdue · 2 min" in page


def test_aftercare_uses_its_own_interval(db):
    site = make_site(db, aftercare_check_minutes=15)
    nurse = make_staff(db, Role.NURSE, [site])
    start = utcnow()
    make_visit(db, site, nurse, status=VisitStatus.AFTERCARE, at=start)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert read_board(db, site, utcnow()).aftercare[0].tone == "ok"
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        assert read_board(db, site, utcnow()).aftercare[0].tone == "due"
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        assert read_board(db, site, utcnow()).aftercare[0].tone == "overdue"


def test_board_shows_active_safety_flags_but_not_removed_ones(client, db):
    site, booths, nurse = floor(db, client, Role.NURSE)
    flagged = make_client(db, site)
    add_flag(db, nurse, flagged, kind=FlagKind.ALLERGY, note="Latex", ends_on=None)
    make_visit(db, site, nurse, booth=booths[0], client=flagged)
    page = client.get("/board/partial").get_data(as_text=True)
    assert "Allergy" in page


@pytest.mark.parametrize("visits", [2, 20])
def test_board_reads_in_a_constant_number_of_queries(db, count_queries, visits):
    site = make_site(db)
    from tests.factories import make_substances

    make_substances(db, site)
    nurse = make_staff(db, Role.NURSE, [site])
    booths = [make_booth(db, site, label=str(n)) for n in range(visits)]
    for number, booth in enumerate(booths):
        tagged = make_client(db, site)
        add_flag(db, nurse, tagged, kind=FlagKind.ALLERGY, note="Latex", ends_on=None)
        make_visit(db, site, nurse, booth=booth, client=tagged, substances=["heroin", "cocaine"])
        make_visit(
            db,
            site,
            nurse,
            client=make_client(db, site),
            status=VisitStatus.AFTERCARE if number % 2 else VisitStatus.WAITING,
        )
    db.expire_all()
    db.refresh(site)  # the request has its site loaded already; count the board's own work
    with count_queries() as counter:
        board = read_board(db, site, utcnow())
        assert len(board.tiles) == visits
        assert all(tile.card and tile.card.flags and tile.card.substances for tile in board.tiles)
    # Booths, open visits, their flags, their substances, the pick-list, the latest
    # observations, the running emergencies, the drug alerts and the samples awaiting custody:
    # nine, however many people are on the floor.
    assert counter.count == 9, counter.statements


def test_polling_does_not_keep_an_idle_tablet_signed_in(client, db):
    _site, _booths, desk = floor(db, client)
    with time_machine.travel(utcnow(), tick=False) as clock:
        sign_in(client, db, desk)
        for _ in range(14):
            clock.shift(timedelta(minutes=1))
            assert client.get("/board/partial", headers={"HX-Request": "true"}).status_code == 200
        # Had polling counted as activity, the session would run to minute 29; it ends at 15.
        clock.shift(timedelta(minutes=2))
        response = client.get("/board/partial", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/login"
    assert db.scalar(select(StaffSession).where(StaffSession.staff_id == desk.id)) is not None


def test_admin_cannot_see_the_board(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN, [make_site(db)]))
    assert client.get("/board/").status_code == 403
    assert client.get("/board/partial").status_code == 403


def test_floor_staff_take_a_booth_out_of_service_with_a_reason(client, db):
    _site, booths, _desk = floor(db, client)
    page = client.get(f"/board/booths/{booths[0].id}").get_data(as_text=True)
    assert ">Reason</label>" in page
    refused = client.post(
        f"/board/booths/{booths[0].id}/out-of-service", data={"reason": ""}, follow_redirects=True
    )
    assert refused.status_code == 422 and "Give a reason" in refused.get_data(as_text=True)
    too_long = client.post(
        f"/board/booths/{booths[0].id}/out-of-service", data={"reason": "Flooded " * 30}
    )
    body = too_long.get_data(as_text=True)
    assert too_long.status_code == 422 and "200 characters or fewer" in body
    assert "Flooded Flooded" in body  # what was typed is kept to shorten
    db.refresh(booths[0])
    assert booths[0].status is BoothStatus.FREE
    client.post(f"/board/booths/{booths[0].id}/out-of-service", data={"reason": "Spill"})
    db.refresh(booths[0])
    assert booths[0].status is BoothStatus.OUT_OF_SERVICE


def test_an_occupied_booths_page_leads_to_the_visit_of_who_is_in_it(client, db):
    site, booths, desk = floor(db, client)
    visit = make_visit(db, site, desk, booth=booths[0])
    page = client.get(f"/board/booths/{booths[0].id}").get_data(as_text=True)
    assert f'href="/visits/{visit.id}"' in page and f"Open the visit of {visit.display_tag}" in page
    assert "Open the visit of" not in client.get(f"/board/booths/{booths[1].id}").get_data(
        as_text=True
    )


def test_another_sites_booth_is_not_found(client, db):
    floor(db, client)
    theirs = make_booth(db, make_site(db), status=BoothStatus.NEEDS_CLEANING)
    assert client.post(f"/board/booths/{theirs.id}/clean").status_code == 404
    db.refresh(theirs)
    assert theirs.status is BoothStatus.NEEDS_CLEANING


def test_a_running_emergency_shows_on_every_board_and_the_button_only_to_clinicians(
    client, app, db
):
    from sitesys.incidents.services import start_response
    from sitesys.observations.scoring import Consciousness
    from sitesys.observations.services import ObservationInput, record_observation

    site, booths, nurse = floor(db, client, Role.NURSE)
    red = make_visit(
        db, site, nurse, booth=booths[0], client=make_client(db, site, display_tag="Amber Heron 27")
    )
    record_observation(
        db,
        nurse,
        red,
        ObservationInput(Consciousness.UNRESPONSIVE),
        "7e1b5bb6-9a0e-4f6b-8a43-0d7b1b0e2a11",
    )
    page = client.get("/board/partial").get_data(as_text=True)
    assert "tile-emergency" in page and ">Start emergency response</button>" in page
    desk = app.test_client()
    sign_in(desk, db, make_staff(db, Role.FRONT_DESK, [site]))
    desk_page = desk.get("/board/partial").get_data(as_text=True)
    assert "Start emergency response</button>" not in desk_page
    start_response(db, nurse, red)
    for board in (client.get("/board/partial"), desk.get("/board/partial")):
        body = board.get_data(as_text=True)
        assert "tile-emergency" in body and "Emergency response running" in body
    assert "Emergency response running — open it" in client.get("/board/partial").get_data(
        as_text=True
    )


def test_a_board_poll_reads_in_a_constant_number_of_queries(client, db, count_queries):
    """Checking the sign-in costs at most three queries (it was six) and the board nine (with
    the running emergencies, the drug alerts and the samples awaiting custody); crowds add
    none."""
    from tests.factories import make_substances

    site = make_site(db)
    make_substances(db, site)
    nurse = make_staff(db, Role.NURSE, [site])
    for number in range(5):
        make_visit(db, site, nurse, booth=make_booth(db, site, label=f"P{number}"))
    sign_in(client, db, nurse, site)
    db.expire_all()
    with count_queries() as counter:
        response = client.get("/board/partial", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert counter.count <= 12, counter.statements


def _observe(db, nurse, visit, **readings):
    from sitesys.observations.scoring import Consciousness
    from sitesys.observations.services import ObservationInput, record_observation

    readings.setdefault("consciousness", Consciousness.ALERT)
    record_observation(db, nurse, visit, ObservationInput(**readings), str(uuid.uuid4()))
    db.commit()


def _card(db, site, visit):
    board = read_board(db, site, utcnow())
    cards = [t.card for t in board.tiles if t.card] + board.waiting + board.aftercare
    return next(card for card in cards if card.visit.id == visit.id)


def test_a_partial_set_that_misses_what_worried_does_not_clear_a_red_flag(client, db):
    """Breathing 6 and SpO2 89 turn the tile red with the emergency prompt; a pulse taken on its
    own afterwards has not shown that the breathing recovered, so the tile stays red and on
    close watch. A set that measures breathing and oxygen again, and finds them calmer, ends it.
    """
    site, booths, nurse = floor(db, client, Role.NURSE)
    visit = make_visit(db, site, nurse, booth=booths[0])
    _observe(db, nurse, visit, respiratory_rate=6, spo2=89)
    assert _card(db, site, visit).prompts_emergency
    _observe(db, nurse, visit, pulse=80)
    card = _card(db, site, visit)
    assert card.tone == "emergency" and card.prompts_emergency and card.close_watch
    assert card.latest is not None and card.latest.respiratory_rate == 6
    page = client.get("/board/partial").get_data(as_text=True)
    assert "tile-emergency" in page and ">Start emergency response</button>" in page
    # The visit page agrees with the board.
    visit_page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "<strong>Start emergency response.</strong>" in visit_page
    assert "<strong>close watch</strong>" in visit_page
    _observe(db, nurse, visit, respiratory_rate=16, spo2=97)
    card = _card(db, site, visit)
    assert not card.prompts_emergency and not card.close_watch and card.tone == "ok"
    assert card.latest is not None and card.latest.respiratory_rate == 16
    visit_page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Start emergency response." not in visit_page


def test_a_worrying_observation_of_someone_waiting_shows_on_their_tile(client, db):
    from sitesys.observations.scoring import Consciousness

    site, _booths, nurse = floor(db, client, Role.NURSE)
    site.close_watch_minutes = 2
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        visit = make_visit(db, site, nurse)
        _observe(db, nurse, visit, consciousness=Consciousness.UNRESPONSIVE, respiratory_rate=5)
        page = client.get("/board/partial").get_data(as_text=True)
        assert "tile-emergency" in page and ">Start emergency response</button>" in page
        assert "close watch" in page
        clock.shift(timedelta(minutes=4))
        assert _card(db, site, visit).check.value == "overdue"
        waiting = make_visit(db, site, nurse)
        assert _card(db, site, waiting).check.value == "none"  # no observation: no clock
        # The overdue-alert job agrees with the board: one alert, for the one on close watch.
        assert raise_overdue_alerts(db) == 1
        [alert] = db.scalars(select(OverdueAlert)).all()
        assert alert.visit_id == visit.id


def test_moving_to_aftercare_does_not_restart_an_overdue_clock(client, db):
    site, booths, nurse = floor(db, client, Role.NURSE)
    site.booth_check_minutes, site.aftercare_check_minutes = 5, 15
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        visit = make_visit(db, site, nurse, booth=booths[0])
        clock.shift(timedelta(minutes=11))
        assert _card(db, site, visit).check.value == "overdue"
        response = client.post(
            f"/visits/{visit.id}/aftercare",
            data={"expected_status": "in_booth"},
            follow_redirects=True,
        )
        assert "moved to aftercare" in response.get_data(as_text=True)
        # Eleven minutes since use and never checked: due on the aftercare interval as well.
        clock.shift(timedelta(minutes=5))
        assert _card(db, site, visit).check.value == "due"
        _observe(db, nurse, visit)
        assert _card(db, site, visit).check.value == "ok"


def test_walk_ins_on_the_floor_have_tags_of_their_own(client, db):
    site, booths, desk = floor(db, client)
    first = make_visit(db, site, desk, booth=booths[0], id=uuid.UUID(int=0x3FA2 << 112))
    second = make_visit(db, site, desk, id=uuid.UUID(int=0x3FA3 << 112))
    assert first.display_tag.startswith("Walk-in ") and second.display_tag.startswith("Walk-in ")
    assert first.display_tag != second.display_tag
    page = client.get("/board/partial").get_data(as_text=True)
    assert first.display_tag in page and second.display_tag in page


def test_every_tile_lets_a_nurse_start_an_emergency_in_one_tap(client, app, db):
    """A calm tile has the button too (plain, not the large red one a red flag brings): someone
    can stop breathing between two checks."""
    site, booths, nurse = floor(db, client, Role.NURSE)
    calm = make_visit(db, site, nurse, booth=booths[0])
    waiting = make_visit(db, site, nurse)
    page = client.get("/board/partial").get_data(as_text=True)
    for visit in (calm, waiting):
        assert f'action="/incidents/start/{visit.id}"' in page
    assert 'class="button-danger-quiet">Start emergency response</button>' in page
    assert 'class="button-danger button-big">Start emergency response' not in page
    desk = app.test_client()
    sign_in(desk, db, make_staff(db, Role.FRONT_DESK, [site]))
    assert "/incidents/start/" not in desk.get("/board/partial").get_data(as_text=True)


def test_a_response_for_someone_who_has_left_shows_on_every_board_until_it_ends(client, app, db):
    """Someone checked out collapses just outside: the nurse starts a response on their visit
    from the visit page. The board has no tile for them any more, so the response shows above
    the booths, on the desk's board too, and is gone once it ends."""
    from sitesys.incidents.models import Incident
    from sitesys.incidents.services import start_response

    site, booths, nurse = floor(db, client, Role.NURSE)
    visit = make_visit(
        db, site, nurse, booth=booths[0], client=make_client(db, site, display_tag="Jade Wren 9")
    )
    other = make_site(db)
    other_nurse = make_staff(db, Role.NURSE, [other])
    elsewhere = make_visit(
        db,
        other,
        other_nurse,
        client=make_client(db, other, display_tag="Teal Otter 3"),
        status=VisitStatus.LEFT,
        left_at=utcnow(),
    )
    start_response(db, other_nurse, elsewhere)
    db.commit()
    checked_out = client.post(f"/visits/{visit.id}/check-out", data={"expected_status": "in_booth"})
    assert checked_out.status_code == 302
    assert "Emergency responses off the floor" not in client.get("/board/partial").get_data(
        as_text=True
    )
    assert client.post(f"/incidents/start/{visit.id}").status_code == 302
    incident = db.scalar(select(Incident).where(Incident.visit_id == visit.id))
    desk = app.test_client()
    sign_in(desk, db, make_staff(db, Role.FRONT_DESK, [site]))
    for board in (client.get("/board/partial"), desk.get("/board/partial")):
        body = board.get_data(as_text=True)
        assert 'aria-label="Emergency responses off the floor"' in body
        assert "Jade Wren 9" in body and "Left the site at" in body
        assert "Emergency response running since" in body
        assert "Teal Otter 3" not in body
    nurse_board = client.get("/board/partial").get_data(as_text=True)
    assert f'href="/incidents/{incident.id}/respond"' in nurse_board
    assert f"/incidents/{incident.id}/respond" not in desk.get("/board/partial").get_data(
        as_text=True
    )
    assert client.post(f"/incidents/{incident.id}/end").status_code == 302
    for board in (client.get("/board/partial"), desk.get("/board/partial")):
        assert "Emergency responses off the floor" not in board.get_data(as_text=True)


def test_a_substance_hidden_from_the_pick_list_keeps_its_name_on_the_floor(client, app, db):
    """Hiding Heroin from the desk's list must not turn the visits already naming it into the
    internal code "heroin" on the board and the visit page."""
    from sitesys.sites.models import SubstanceOption

    site, booths, nurse = floor(db, client, Role.NURSE)
    visit = make_visit(db, site, nurse, booth=booths[0], substances=["heroin"])
    heroin = db.scalar(
        select(SubstanceOption).where(
            SubstanceOption.site_id == site.id, SubstanceOption.code == "heroin"
        )
    )
    admin = app.test_client()
    sign_in(admin, db, make_staff(db, Role.ADMIN, [site]))
    assert admin.post(f"/sites/substances/{heroin.id}/hide").status_code == 302
    db.refresh(heroin)
    assert not heroin.is_active
    board = client.get("/board/partial").get_data(as_text=True)
    assert "Heroin · Inject" in board and "heroin ·" not in board
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Heroin" in page and ">heroin<" not in page
    desk_list = client.get("/checkin").get_data(as_text=True)
    assert 'value="heroin"' not in desk_list
