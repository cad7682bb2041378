from __future__ import annotations

from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import Staff, StaffSession
from sitesys.auth.passwords import verify_password
from sitesys.auth.roles import Role
from sitesys.auth.services import start_session
from tests.factories import make_site, make_staff, sign_in


def audit(db, action):
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_admin_creates_staff_and_sees_the_password_once(client, db):
    site = make_site(db)
    admin = make_staff(db, Role.ADMIN)
    sign_in(client, db, admin)
    page = client.get("/staff/new").get_data(as_text=True)
    for label in ("Username", "Display name", "Role", "Sites"):
        assert f">{label}<" in page
    response = client.post(
        "/staff/new",
        data={
            "username": "Sam.Lee",
            "display_name": "Sam Lee",
            "role": "nurse",
            "sites": [site.id],
        },
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "shown this once only" in body
    staff = db.scalar(select(Staff).where(Staff.username == "sam.lee"))
    assert (
        staff is not None and staff.role is Role.NURSE and [s.id for s in staff.sites] == [site.id]
    )
    shown = body.split('data-testid="new-password">')[1].split("<")[0]
    assert verify_password(staff.password_hash, shown)
    assert response.headers["Cache-Control"] == "no-store"
    [event] = audit(db, "staff.created")
    assert event.actor_id == admin.id and event.detail["role"] == "nurse"
    assert shown not in str(event.detail)


def test_duplicate_or_bad_username_is_refused_with_a_message(client, db):
    make_staff(db, Role.NURSE, username="sam")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    taken = client.post(
        "/staff/new", data={"username": "sam", "display_name": "Sam", "role": "nurse"}
    )
    assert "The username sam is already taken." in taken.get_data(as_text=True)
    bad = client.post("/staff/new", data={"username": "a b", "display_name": "A", "role": "nurse"})
    assert "lower-case letters" in bad.get_data(as_text=True)
    unknown_role = client.post(
        "/staff/new", data={"username": "newbie", "display_name": "N", "role": "superuser"}
    )
    assert "Not a valid choice" in unknown_role.get_data(as_text=True)
    assert db.scalar(select(Staff).where(Staff.username.in_(["a b", "newbie"]))) is None


def test_changing_a_role_ends_the_accounts_sessions(client, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    start_session(db, nurse, site)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(
        f"/staff/{nurse.id}/edit",
        data={"display_name": "Renamed", "role": "manager", "sites": [site.id]},
    )
    assert response.status_code == 302
    db.refresh(nurse)
    assert nurse.role is Role.MANAGER and nurse.display_name == "Renamed"
    sessions = db.scalars(select(StaffSession).where(StaffSession.staff_id == nurse.id))
    assert all(s.end_reason == "role_changed" for s in sessions)
    [event] = audit(db, "staff.updated")
    assert event.detail["role_from"] == "nurse" and event.detail["role_to"] == "manager"


def test_admin_cannot_deactivate_or_demote_themselves(client, db):
    admin = make_staff(db, Role.ADMIN)
    sign_in(client, db, admin)
    response = client.post(f"/staff/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    response = client.post(f"/staff/{admin.id}/edit", data={"display_name": "Me", "role": "nurse"})
    assert "You cannot remove your own admin role." in response.get_data(as_text=True)
    db.refresh(admin)
    assert admin.is_active and admin.role is Role.ADMIN


def test_deactivate_and_reactivate_are_audited(client, db):
    nurse = make_staff(db, Role.NURSE)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    client.post(f"/staff/{nurse.id}/deactivate")
    db.refresh(nurse)
    assert not nurse.is_active
    client.post(f"/staff/{nurse.id}/reactivate")
    db.refresh(nurse)
    assert nurse.is_active
    assert len(audit(db, "staff.deactivated")) == len(audit(db, "staff.reactivated")) == 1


def test_password_reset_shows_a_new_password_once_and_ends_sessions(client, db):
    nurse = make_staff(db, Role.NURSE)
    old_hash = nurse.password_hash
    start_session(db, nurse)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(f"/staff/{nurse.id}/reset-password")
    body = response.get_data(as_text=True)
    shown = body.split('data-testid="new-password">')[1].split("<")[0]
    db.refresh(nurse)
    assert nurse.password_hash != old_hash and verify_password(nurse.password_hash, shown)
    sessions = db.scalars(select(StaffSession).where(StaffSession.staff_id == nurse.id))
    assert all(s.end_reason == "password_reset" for s in sessions)
    assert client.get(f"/staff/{nurse.id}/edit").get_data(as_text=True).count(shown) == 0


def test_staff_list_filters_and_paginates(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN, username="zz.admin"))
    for number in range(55):
        make_staff(db, Role.FRONT_DESK, username=f"desk{number:02d}")
    first = client.get("/staff/?role=front_desk").get_data(as_text=True)
    assert "desk00" in first and "desk49" in first and "desk50" not in first
    assert "Next page" in first
    second = client.get("/staff/?role=front_desk&page=2").get_data(as_text=True)
    assert "desk54" in second and "Next page" not in second
    assert "zz.admin" not in second
    searched = client.get("/staff/?q=desk07").get_data(as_text=True)
    assert "desk07" in searched and "desk08" not in searched
