"""Roles are enforced on the server for every route; other sites' objects do not exist."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import StaffSession
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from tests.factories import make_site, make_staff, sign_in

ADMIN_PAGES = ["/staff/", "/staff/new", "/sites/", "/sites/new"]


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.NURSE, Role.MANAGER])
def test_admin_pages_refuse_other_roles(client, db, role):
    site = make_site(db)
    sign_in(client, db, make_staff(db, role, [site]))
    for url in [*ADMIN_PAGES, f"/sites/{site.id}/booths"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You do not have access to this" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.NURSE, Role.MANAGER])
def test_admin_actions_refuse_other_roles_and_change_nothing(client, db, role):
    site = make_site(db)
    target = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, make_staff(db, role, [site]))
    assert client.post(f"/staff/{target.id}/deactivate").status_code == 403
    db.refresh(target)
    assert target.is_active


def test_admin_pages_open_for_admin(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.NURSE])
def test_audit_log_refuses_floor_roles(client, db, role):
    sign_in(client, db, make_staff(db, role, [make_site(db)]))
    assert client.get("/audit/").status_code == 403


def test_switching_to_a_site_not_granted_is_not_found(client, db):
    mine, theirs = make_site(db), make_site(db)
    nurse = make_staff(db, Role.NURSE, [mine])
    sign_in(client, db, nurse)
    assert client.post("/switch-site", data={"site_id": theirs.id}).status_code == 404
    staff_session = db.scalar(select(StaffSession).where(StaffSession.staff_id == nurse.id))
    assert staff_session is not None and staff_session.site_id == mine.id


def test_switching_between_granted_sites_is_audited(client, db):
    first, second = make_site(db, name="Alpha"), make_site(db, name="Beta")
    nurse = make_staff(db, Role.NURSE, [first, second])
    sign_in(client, db, nurse, first)
    response = client.post("/switch-site", data={"site_id": second.id}, follow_redirects=True)
    assert "You are now working at Beta." in response.get_data(as_text=True)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "auth.site_switched"))
    assert event is not None and event.site_id == second.id and event.actor_id == nurse.id


def test_deactivation_locks_out_a_signed_in_user_on_the_next_request(client, app, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    admin = make_staff(db, Role.ADMIN)
    nurse_tablet = app.test_client()
    sign_in(nurse_tablet, db, nurse)
    assert nurse_tablet.get("/").status_code == 200
    sign_in(client, db, admin)
    client.post(f"/staff/{nurse.id}/deactivate")
    response = nurse_tablet.get("/", follow_redirects=True)
    assert response.request.path == "/login"
    assert "This account has been deactivated." in response.get_data(as_text=True)
    sessions = list(db.scalars(select(StaffSession).where(StaffSession.staff_id == nurse.id)))
    assert sessions and all(s.ended_at is not None and s.ended_at <= utcnow() for s in sessions)
