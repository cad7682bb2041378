"""A record id from a tampered form, link or header is "not a choice" or "not found", never an
error page: a number longer than the database stores, or a digit `int()` cannot read."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sitesys.audit.services import record_event
from sitesys.auth.models import StaffSession
from sitesys.auth.roles import Role
from sitesys.checkin.models import Visit, VisitStatus
from sitesys.record_ids import MAX_RECORD_ID, record_id, whole_number
from tests.checkin.helpers import check_in_form, floor
from tests.factories import make_site, make_staff, make_visit, sign_in

TOO_LONG = "99999999999999999999"
NOT_PLAIN = "\u00b2"  # a superscript two: str.isdigit() says yes, int() says no
BAD_IDS = [TOO_LONG, str(MAX_RECORD_ID + 1), NOT_PLAIN]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (str(MAX_RECORD_ID), MAX_RECORD_ID), ("0", None), (" 1", None), ("-3", None),
     ("", None), (None, None), *((bad, None) for bad in BAD_IDS)],
)  # fmt: skip
def test_record_id_reads_only_ids_the_database_can_hold(value, expected):
    assert record_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0), ("99", 99), ("100", None), ("0099", None), (NOT_PLAIN, None), ("", None)],
)
def test_whole_number_reads_plain_digits_up_to_the_largest_allowed(value, expected):
    assert whole_number(value, 99) == expected


@pytest.mark.parametrize("booth", BAD_IDS)
def test_a_check_in_to_a_booth_that_cannot_exist_is_refused_with_the_form(client, db, booth):
    floor(db, client)
    form = {**check_in_form(client_code=None, walk_in="y", booth=booth), "submit": "1"}
    response = client.post("/checkin", data=form)
    assert response.status_code == 422
    assert "Choose one of the free booths or the waiting list." in response.get_data(as_text=True)
    assert db.scalars(select(Visit)).all() == []


@pytest.mark.parametrize("booth", BAD_IDS)
def test_moving_to_a_booth_that_cannot_exist_changes_nothing(client, db, booth):
    site, _booths, desk = floor(db, client)
    visit = make_visit(db, site, desk)
    response = client.post(
        f"/visits/{visit.id}/booth", data={"expected_status": "waiting", "booth": booth}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choose a free booth." in page
    db.refresh(visit)
    assert visit.status is VisitStatus.WAITING and visit.booth_id is None


def test_a_link_to_a_booth_beyond_any_id_is_not_found(client, db):
    floor(db, client)
    assert client.get(f"/board/booths/{TOO_LONG}").status_code == 404
    assert client.get(f"/board/booths/{MAX_RECORD_ID + 1}").status_code == 404


@pytest.mark.parametrize(
    "stamp", [f"{TOO_LONG}.x.1", f"{NOT_PLAIN}.x.1", f"1.x.{TOO_LONG}", f"1.x.{NOT_PLAIN}"]
)
def test_a_tampered_board_stamp_is_simply_not_current(client, db, stamp):
    floor(db, client, Role.NURSE)
    response = client.get("/board/partial", headers={"HX-Request": "true", "X-Board-Stamp": stamp})
    assert response.status_code == 200
    assert "data-board-stamp" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", [NOT_PLAIN, TOO_LONG])
def test_a_page_number_that_is_not_one_shows_the_first_page(client, db, page):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.get(f"/staff/?page={page}")
    assert response.status_code == 200


@pytest.mark.parametrize("site_id", BAD_IDS)
def test_switching_to_a_site_that_cannot_exist_is_refused(client, db, site_id):
    mine = make_site(db)
    nurse = make_staff(db, Role.NURSE, [mine])
    sign_in(client, db, nurse)
    assert client.post("/switch-site", data={"site_id": site_id}).status_code == 400
    staff_session = db.scalar(select(StaffSession).where(StaffSession.staff_id == nurse.id))
    assert staff_session is not None and staff_session.site_id == mine.id


@pytest.mark.parametrize("value", BAD_IDS)
def test_audit_filters_that_cannot_match_a_record_are_ignored(client, db, value):
    site = make_site(db)
    admin = make_staff(db, Role.ADMIN)
    record_event(db, "visit.checked_in", actor=admin, site_id=site.id)
    sign_in(client, db, admin)
    response = client.get("/audit/", query_string={"site": value, "actor": value})
    assert response.status_code == 200
