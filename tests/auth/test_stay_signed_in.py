"""'Stay signed in', the idle warning's button: it keeps the session and changes nothing else."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import StaffSession
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from tests.factories import make_site, make_staff, sign_in


def test_stay_signed_in_moves_the_idle_clock_so_the_session_outlives_its_timeout(client, db):
    site = make_site(db, idle_timeout_minutes=15)
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse, site)
    events_before = db.scalar(select(func.count()).select_from(AuditEvent))
    with time_machine.travel(utcnow(), tick=False) as clock:
        clock.shift(timedelta(minutes=13))
        stayed = client.post("/session/stay")
        assert stayed.status_code == 204
        assert db.scalar(select(StaffSession.last_seen_at)) == utcnow()
        # Staying signed in is no action on any record: the audit log is not added to.
        assert db.scalar(select(func.count()).select_from(AuditEvent)) == events_before
        # Fourteen minutes after the button, not 27 after the last page: still signed in.
        clock.shift(timedelta(minutes=14))
        assert client.get("/board/").status_code == 200
        clock.shift(timedelta(minutes=16))
        assert client.get("/board/").status_code == 302


def test_stay_signed_in_without_the_pages_csrf_token_is_refused_as_any_expired_form(client, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse, site)
    response = client.post("/session/stay", csrf=False)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert db.scalar(select(StaffSession.end_reason)) == "form_expired"


def test_stay_signed_in_does_not_revive_an_ended_session(client, db):
    site = make_site(db, idle_timeout_minutes=15)
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse, site)
    with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False):
        response = client.post("/session/stay")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
