from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import Staff, StaffSession
from sitesys.auth.passwords import verify_password
from sitesys.auth.roles import Role
from sitesys.auth.services import start_session
from sitesys.clock import utcnow
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
    # A page of its own, so that reloading it cannot add the account again.
    assert response.status_code == 302
    staff = db.scalar(select(Staff).where(Staff.username == "sam.lee"))
    assert response.location == f"/staff/{staff.id}/new-password"
    response = client.get(response.location)
    body = response.get_data(as_text=True)
    assert "Account created for Sam Lee" in body and "shown this once only" in body
    assert (
        staff is not None and staff.role is Role.NURSE and [s.id for s in staff.sites] == [site.id]
    )
    shown = body.split('data-testid="new-password">')[1].split("<")[0]
    assert verify_password(staff.password_hash, shown)
    assert response.headers["Cache-Control"] == "no-store"
    [event] = audit(db, "staff.created")
    assert event.actor_id == admin.id and event.detail["role"] == "nurse"
    assert shown not in str(event.detail)


def _add_sam(client, site):
    return client.post(
        "/staff/new",
        data={
            "username": "sam.lee",
            "display_name": "Sam Lee",
            "role": "nurse",
            "sites": [site.id],
        },
    )


def test_add_staff_member_sent_twice_answers_with_the_account_it_made(client, db):
    """A double tap: the second answer leads to the password the first made, not "username
    taken", and one account and one audit event exist."""
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    first = _add_sam(client, site)
    again = _add_sam(client, site)
    staff = db.scalar(select(Staff).where(Staff.username == "sam.lee"))
    assert first.location == again.location == f"/staff/{staff.id}/new-password"
    body = client.get(again.location).get_data(as_text=True)
    shown = body.split('data-testid="new-password">')[1].split("<")[0]
    assert verify_password(staff.password_hash, shown)
    # The password shown, a third tap leads to the account, saying how to get a new password.
    third = client.get(_add_sam(client, site).location, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Sam Lee (sam.lee) was added by your first tap" in third
    assert "If it was not noted, reset the password." in third
    assert "already taken" not in third and shown not in third
    assert len(audit(db, "staff.created")) == 1
    assert (
        db.scalar(select(func.count()).select_from(Staff).where(Staff.username == "sam.lee")) == 1
    )


def test_a_username_taken_by_someone_else_or_long_ago_is_still_refused(client, db, app):
    site = make_site(db)
    first_admin = make_staff(db, Role.ADMIN)
    sign_in(client, db, first_admin)
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert _add_sam(client, site).status_code == 302
        assert db.scalar(select(Staff).where(Staff.username == "sam.lee")) is not None
        other = app.test_client()
        sign_in(other, db, make_staff(db, Role.ADMIN))
        assert "The username sam.lee is already taken." in _add_sam(other, site).get_data(
            as_text=True
        )
        clock.shift(timedelta(minutes=3))
        assert "The username sam.lee is already taken." in _add_sam(client, site).get_data(
            as_text=True
        )
    assert len(audit(db, "staff.created")) == 1


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
    assert "Choose one of the roles in the list." in unknown_role.get_data(as_text=True)
    assert "Not a valid choice" not in unknown_role.get_data(as_text=True)
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
    assert "Saved Renamed." in client.get(response.location).get_data(as_text=True)
    db.refresh(nurse)
    assert nurse.role is Role.MANAGER and nurse.display_name == "Renamed"
    sessions = db.scalars(select(StaffSession).where(StaffSession.staff_id == nurse.id))
    assert all(s.end_reason == "role_changed" for s in sessions)
    [event] = audit(db, "staff.updated")
    assert event.detail["role_from"] == "nurse" and event.detail["role_to"] == "manager"


def test_admin_cannot_deactivate_or_demote_themselves(client, db):
    admin = make_staff(db, Role.ADMIN)
    sign_in(client, db, admin)
    own_page = client.get(f"/staff/{admin.id}/edit").get_data(as_text=True)
    assert "Deactivate account" not in own_page
    assert "This is your own account: another admin can deactivate it" in own_page
    response = client.post(f"/staff/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    response = client.post(f"/staff/{admin.id}/edit", data={"display_name": "Me", "role": "nurse"})
    assert "You cannot remove your own admin role." in response.get_data(as_text=True)
    db.refresh(admin)
    assert admin.is_active and admin.role is Role.ADMIN


def test_deactivate_and_reactivate_are_audited(client, db):
    nurse = make_staff(db, Role.NURSE)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    start_session(db, nurse)
    done = client.post(f"/staff/{nurse.id}/deactivate", follow_redirects=True)
    assert f"{nurse.display_name} is deactivated; 1 open session ended." in done.get_data(
        as_text=True
    )
    db.refresh(nurse)
    assert not nurse.is_active
    again = client.post(f"/staff/{nurse.id}/reactivate", follow_redirects=True)
    assert f"{nurse.display_name} is active again." in again.get_data(as_text=True)
    db.refresh(nurse)
    assert nurse.is_active
    assert len(audit(db, "staff.deactivated")) == len(audit(db, "staff.reactivated")) == 1


def test_password_reset_shows_a_new_password_once_and_ends_sessions(client, db):
    nurse = make_staff(db, Role.NURSE)
    old_hash = nurse.password_hash
    start_session(db, nurse)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(f"/staff/{nurse.id}/reset-password", follow_redirects=True)
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


def _ticked_sites(page):
    """The site ids whose checkboxes are ticked on a staff form."""
    boxes = re.findall(r'<input[^>]*name="sites"[^>]*>', page)
    return {int(re.search(r'value="(\d+)"', box).group(1)) for box in boxes if "checked" in box}


def test_the_edit_page_ticks_the_sites_the_person_works_at(client, db):
    works_at, other = make_site(db), make_site(db)
    nurse = make_staff(db, Role.NURSE, [works_at])
    sign_in(client, db, make_staff(db, Role.ADMIN))
    page = client.get(f"/staff/{nurse.id}/edit").get_data(as_text=True)
    assert _ticked_sites(page) == {works_at.id}
    assert re.search(r'<option selected value="nurse">', page)
    assert other.id not in _ticked_sites(page)


def test_saving_the_edit_page_unchanged_keeps_the_sites(client, db):
    first, second = make_site(db), make_site(db)
    nurse = make_staff(db, Role.NURSE, [first, second], display_name="Sam Lee")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    page = client.get(f"/staff/{nurse.id}/edit").get_data(as_text=True)
    # What the browser sends back when the admin taps Save without changing anything.
    response = client.post(
        f"/staff/{nurse.id}/edit",
        data={"display_name": "Sam Lee", "role": "nurse", "sites": sorted(_ticked_sites(page))},
    )
    assert response.status_code == 302
    db.refresh(nurse)
    assert {site.id for site in nurse.sites} == {first.id, second.id}
    [event] = audit(db, "staff.updated")
    assert event.detail["site_ids"] == sorted([first.id, second.id])


def test_taking_every_site_from_a_non_admin_is_refused(client, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site], display_name="Sam Lee")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(
        f"/staff/{nurse.id}/edit", data={"display_name": "Sam Lee", "role": "nurse"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose at least one site: a nurse without a site cannot use SiteSys." in body
    db.refresh(nurse)
    assert [s.id for s in nurse.sites] == [site.id] and audit(db, "staff.updated") == []
    created = client.post(
        "/staff/new", data={"username": "nosite", "display_name": "No Site", "role": "nurse"}
    )
    assert "Choose at least one site" in created.get_data(as_text=True)
    assert db.scalar(select(Staff).where(Staff.username == "nosite")) is None


def test_an_admin_may_be_left_without_a_site(client, db):
    site = make_site(db)
    other_admin = make_staff(db, Role.ADMIN, [site], display_name="Ada")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(
        f"/staff/{other_admin.id}/edit", data={"display_name": "Ada", "role": "admin"}
    )
    assert response.status_code == 302
    db.refresh(other_admin)
    assert other_admin.sites == []


def test_a_name_or_username_of_spaces_is_refused(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(
        "/staff/new",
        data={"username": "blank", "display_name": "   ", "role": "nurse", "sites": [site.id]},
    )
    assert "Enter the name colleagues know them by." in response.get_data(as_text=True)
    assert db.scalar(select(Staff).where(Staff.username == "blank")) is None
    response = client.post(
        "/staff/new",
        data={"username": "   ", "display_name": "Sam", "role": "nurse", "sites": [site.id]},
    )
    assert "Enter a username." in response.get_data(as_text=True)
    nurse = make_staff(db, Role.NURSE, [site], display_name="Sam Lee")
    response = client.post(
        f"/staff/{nurse.id}/edit",
        data={"display_name": "   ", "role": "nurse", "sites": [site.id]},
    )
    assert "Enter the name colleagues know them by." in response.get_data(as_text=True)
    db.refresh(nurse)
    assert nurse.display_name == "Sam Lee" and audit(db, "staff.updated") == []


def test_reloading_the_new_password_page_does_not_reset_the_password_again(client, db):
    nurse = make_staff(db, Role.NURSE, display_name="Sam Lee")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(f"/staff/{nurse.id}/reset-password")
    # Redirected to a page of its own, and the password is not in the address.
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == f"/staff/{nurse.id}/new-password"
    shown_page = client.get(location).get_data(as_text=True)
    shown = shown_page.split('data-testid="new-password">')[1].split("<")[0]
    db.refresh(nurse)
    reset_hash = nurse.password_hash
    assert verify_password(reset_hash, shown)
    # The browser's reload asks for the same page again: no second reset, no password shown.
    reloaded = client.get(location, follow_redirects=True).get_data(as_text=True)
    assert shown not in reloaded and 'data-testid="new-password"' not in reloaded
    assert "The new password of Sam Lee was shown once only and cannot be shown again." in reloaded
    db.refresh(nurse)
    assert nurse.password_hash == reset_hash
    assert len(audit(db, "staff.password_reset")) == 1


def test_a_waiting_password_is_shown_only_on_its_own_accounts_page(client, db):
    nurse, other = make_staff(db, Role.NURSE), make_staff(db, Role.NURSE)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    client.post(f"/staff/{nurse.id}/reset-password")
    other_page = client.get(f"/staff/{other.id}/new-password", follow_redirects=True)
    assert 'data-testid="new-password"' not in other_page.get_data(as_text=True)


def test_a_tampered_role_is_refused_in_plain_words_and_changes_nothing(client, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site], display_name="Sam Lee")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(
        f"/staff/{nurse.id}/edit",
        data={"display_name": "Sam Lee", "role": "superuser", "sites": [site.id]},
    )
    body = response.get_data(as_text=True)
    assert "Choose one of the roles in the list." in body and "Not a valid choice" not in body
    db.refresh(nurse)
    assert nurse.role is Role.NURSE and audit(db, "staff.updated") == []
    listed = client.get("/staff/?role=superuser").get_data(as_text=True)
    assert "Not a valid choice" not in listed


def test_a_refused_staff_change_leaves_nothing_half_saved(client, db):
    """A refused change is rolled back whole: the account, its sites, its sessions and the
    audit trail stay as they were, the page shows what is saved rather than what was typed,
    and no "Saved" message is shown."""
    first, second = make_site(db), make_site(db)
    admin = make_staff(db, Role.ADMIN, [first], display_name="Ada Admin")
    sign_in(client, db, admin)
    demoted = client.post(
        f"/staff/{admin.id}/edit",
        data={"display_name": "Typed Name", "role": "nurse", "sites": [second.id]},
    )
    body = demoted.get_data(as_text=True)
    assert demoted.status_code == 200
    assert "You cannot remove your own admin role." in body
    assert "<h1>Edit Ada Admin</h1>" in body and "Saved" not in body
    deactivated = client.post(f"/staff/{admin.id}/deactivate", follow_redirects=True)
    page = deactivated.get_data(as_text=True)
    assert deactivated.request.path == f"/staff/{admin.id}/edit"
    assert "You cannot deactivate your own account." in page and "is deactivated" not in page
    db.refresh(admin)
    assert admin.display_name == "Ada Admin" and admin.role is Role.ADMIN and admin.is_active
    assert [site.id for site in admin.sites] == [first.id]
    sessions = list(db.scalars(select(StaffSession).where(StaffSession.staff_id == admin.id)))
    assert sessions and all(s.ended_at is None for s in sessions)
    assert db.scalar(select(AuditEvent).where(AuditEvent.action.startswith("staff."))) is None


@pytest.mark.backend("postgresql")
def test_a_change_to_an_account_locks_its_row_and_reading_it_does_not(client, db, count_queries):
    """Two admins changing one account at once take turns; the page alone locks nothing."""
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site], display_name="Sam Lee")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    with count_queries() as reading:
        assert client.get(f"/staff/{nurse.id}/edit").status_code == 200
    with count_queries() as changing:
        client.post(
            f"/staff/{nurse.id}/edit",
            data={"display_name": "Sam Lee", "role": "nurse", "sites": [site.id]},
        )
    assert not any("FOR UPDATE" in statement for statement in reading.statements)
    assert any(
        "FROM staff" in statement and "FOR UPDATE OF staff" in statement
        for statement in changing.statements
    )
