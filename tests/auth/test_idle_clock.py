"""The idle clock: moved by a person's own requests, kept even when their page fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from sitesys.auth.models import StaffSession
from sitesys.auth.roles import Role
from sitesys.checkin.models import Visit
from sitesys.clock import utcnow
from sitesys.db import get_database
from tests.checkin.helpers import check_in_form, floor
from tests.factories import make_booth, make_site, make_staff, make_substances, sign_in


def test_a_refused_form_still_moves_the_idle_clock(client, db):
    site, _booths, _desk = floor(db, client)
    site.idle_timeout_minutes = 15
    db.flush()
    with time_machine.travel(utcnow(), tick=False) as clock:
        clock.shift(timedelta(minutes=14))
        # No substance chosen: the desk is told, nothing is saved, the page rolls back.
        refused = client.post("/checkin", data={**check_in_form(substances=None), "submit": "1"})
        assert refused.status_code == 422
        clock.shift(timedelta(minutes=14))
        assert client.get("/checkin").status_code == 200
    assert db.scalar(select(func.count()).select_from(Visit)) == 0


@pytest.mark.committed
def test_a_check_in_after_a_quiet_minute_moves_the_clock_and_saves(committed_app):
    """Real commits: the clock is moved in its own write before the check-in's write begins, so
    on SQLite neither waits for the other's lock."""
    database = get_database(committed_app)
    with database.new_session() as session:
        site = make_site(session)
        make_substances(session, site)
        make_booth(session, site, label="1")
        desk = make_staff(session, Role.FRONT_DESK, [site])
        tablet = committed_app.test_client()
        sign_in(tablet, session, desk)
        session.commit()
    later = utcnow() + timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        response = tablet.post(
            "/checkin", data={**check_in_form(walk_in="y", client_code=None), "submit": "1"}
        )
    assert response.status_code == 302
    with database.new_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 1
        last_seen = session.scalar(select(StaffSession.last_seen_at))
        assert last_seen == later
