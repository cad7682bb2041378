"""A site marked closed: its alerts do not run, so nobody may start working there."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import StaffSession
from sitesys.auth.roles import Role
from sitesys.auth.services import SiteClosed, start_session, switch_site
from sitesys.refusals import Refused
from tests.factories import make_site, make_staff, sign_in


def test_switching_to_a_closed_site_is_refused_with_a_message(client, db):
    open_site = make_site(db, name="Alpha")
    closed = make_site(db, name="Beta", is_active=False)
    nurse = make_staff(db, Role.NURSE, [open_site, closed])
    sign_in(client, db, nurse, open_site)
    home = client.get("/").get_data(as_text=True)
    assert "Work at Beta" not in home
    response = client.post("/switch-site", data={"site_id": closed.id}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Beta is closed, so you cannot switch to it." in body
    staff_session = db.scalar(select(StaffSession).where(StaffSession.staff_id == nurse.id))
    assert staff_session is not None and staff_session.site_id == open_site.id
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "auth.site_switched")) is None


def test_signing_in_starts_at_an_open_site(db):
    closed = make_site(db, name="Alpha", is_active=False)
    open_site = make_site(db, name="Beta")
    nurse = make_staff(db, Role.NURSE, [closed, open_site])
    start_session(db, nurse)
    staff_session = db.scalar(select(StaffSession).where(StaffSession.staff_id == nurse.id))
    assert staff_session is not None and staff_session.site_id == open_site.id


def test_a_session_at_a_site_closed_mid_shift_keeps_working_and_is_warned(client, db):
    site = make_site(db, name="Harbour Street")
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse, site)
    assert "is marked closed" not in client.get("/").get_data(as_text=True)
    site.is_active = False
    db.flush()
    home = client.get("/")
    body = home.get_data(as_text=True)
    assert home.status_code == 200
    assert (
        "Harbour Street is marked closed, so SiteSys is not raising overdue-check or handover "
        "alerts here." in body
    )
    # Not thrown off mid-shift: the board still opens for the visits under way, and says it too.
    board = client.get("/board/")
    assert board.status_code == 200
    assert "Harbour Street is marked closed" in board.get_data(as_text=True)


def test_switching_to_a_closed_site_is_a_refusal_naming_the_site(db):
    open_site = make_site(db, name="Alpha")
    closed = make_site(db, name="Beta", is_active=False)
    nurse = make_staff(db, Role.NURSE, [open_site, closed])
    start_session(db, nurse, open_site)
    staff_session = db.scalar(select(StaffSession).where(StaffSession.staff_id == nurse.id))
    with pytest.raises(SiteClosed) as refused:
        switch_site(db, staff_session, closed)
    assert str(refused.value) == (
        "Beta is closed, so you cannot switch to it. Ask an admin to reopen it if it is in use."
    )
    assert isinstance(refused.value, Refused) and refused.value.category == "error"
    assert staff_session.site_id == open_site.id
