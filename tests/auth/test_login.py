from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import LoginFailure, StaffSession
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from tests.factories import PASSWORD, make_site, make_staff, totp_code


def sign_in_form(client, username: str, password: str):
    return client.post("/login", data={"username": username, "password": password})


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_login_page_has_labelled_fields_and_sign_in_button(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="username">Username</label>' in page
    assert '<label for="password">Password</label>' in page
    assert ">Sign in</button>" in page


def test_every_page_but_login_and_health_needs_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get("/staff/").status_code == 302
    assert client.get("/healthz").status_code == 200


def test_sign_in_opens_a_server_session_and_audits_it(client, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site], username="nia")
    response = sign_in_form(client, "NIA ", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/board/"  # a nurse lands on the board
    staff_session = db.scalar(select(StaffSession).where(StaffSession.staff_id == nurse.id))
    assert staff_session is not None and staff_session.ended_at is None
    assert staff_session.site_id == site.id
    assert [e.actor_id for e in events(db, "auth.signed_in")] == [nurse.id]
    home = client.get("/").get_data(as_text=True)
    assert "Hello, " + nurse.display_name in home
    assert site.name in home


def test_wrong_password_and_unknown_user_get_the_same_answer(client, db):
    make_staff(db, Role.NURSE, username="nia")
    wrong = sign_in_form(client, "nia", "not the password at all")
    unknown = sign_in_form(client, "nobody", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Username or password is wrong." in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(LoginFailure)) == 2
    assert db.scalar(select(func.count()).select_from(StaffSession)) == 0


def test_five_failures_lock_the_account_even_against_the_right_password(client, db):
    make_staff(db, Role.NURSE, username="nia")
    for _ in range(4):
        assert sign_in_form(client, "nia", "wrong password here").status_code == 401
    fifth = sign_in_form(client, "nia", "wrong password here")
    assert fifth.status_code == 429
    assert "locked for 10 more minutes" in fifth.get_data(as_text=True)
    right = sign_in_form(client, "nia", PASSWORD)
    assert right.status_code == 429
    assert db.scalar(select(func.count()).select_from(StaffSession)) == 0
    assert len(events(db, "auth.sign_in_refused_locked")) == 1


def test_lock_expires_after_ten_minutes(client, db):
    make_staff(db, Role.NURSE, username="nia")
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(5):
            sign_in_form(client, "nia", "wrong password here")
        clock.shift(timedelta(minutes=9, seconds=50))
        assert sign_in_form(client, "nia", PASSWORD).status_code == 429
        clock.shift(timedelta(seconds=20))
        assert sign_in_form(client, "nia", PASSWORD).status_code == 302
    assert db.scalar(select(func.count()).select_from(StaffSession)) == 1
    assert len(events(db, "auth.signed_in")) == 1


def test_one_locked_account_does_not_lock_colleagues_on_the_same_tablet(client, db):
    make_staff(db, Role.NURSE, username="nia")
    make_staff(db, Role.NURSE, username="sam")
    for _ in range(5):
        sign_in_form(client, "nia", "wrong password here")
    assert sign_in_form(client, "sam", PASSWORD).status_code == 302
    [signed_in] = db.scalars(select(StaffSession))
    assert signed_in.staff.username == "sam" and signed_in.ended_at is None


def test_unknown_usernames_lock_too_so_lockout_reveals_nothing(client, db):
    for _ in range(5):
        response = sign_in_form(client, "ghost", "wrong password here")
    assert response.status_code == 429


def test_deactivated_account_cannot_sign_in(client, db):
    make_staff(db, Role.NURSE, username="nia", is_active=False)
    response = sign_in_form(client, "nia", PASSWORD)
    assert response.status_code == 401
    assert "Username or password is wrong." in response.get_data(as_text=True)


def test_sign_in_issues_a_new_session_and_ignores_a_planted_one(client, db):
    make_staff(db, Role.NURSE, username="nia")
    with client.session_transaction() as cookie:
        cookie["planted"] = "by an attacker"
        cookie["_user_id"] = "forged-token"
    assert client.get("/").status_code == 302  # the forged token is not a session
    sign_in_form(client, "nia", PASSWORD)
    with client.session_transaction() as cookie:
        assert "planted" not in cookie
        assert cookie["_user_id"] != "forged-token"


def test_idle_timeout_signs_out_with_a_message(client, db):
    make_staff(db, Role.NURSE, [make_site(db, idle_timeout_minutes=15)], username="nia")
    with time_machine.travel(utcnow(), tick=False) as clock:
        sign_in_form(client, "nia", PASSWORD)
        clock.shift(timedelta(minutes=14))
        assert client.get("/").status_code == 200  # activity moves the idle clock on
        clock.shift(timedelta(minutes=14))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=16))
        response = client.get("/", follow_redirects=True)
    assert response.request.path == "/login"
    assert "signed out because the tablet was idle" in response.get_data(as_text=True)


def test_absolute_timeout_ends_even_a_busy_session(client, db):
    make_staff(db, Role.NURSE, [make_site(db, absolute_timeout_hours=12)], username="nia")
    with time_machine.travel(utcnow(), tick=False) as clock:
        sign_in_form(client, "nia", PASSWORD)
        elapsed = timedelta(0)
        while client.get("/").status_code == 200 and elapsed < timedelta(hours=14):
            clock.shift(timedelta(minutes=10))
            elapsed += timedelta(minutes=10)
        assert timedelta(hours=12) < elapsed <= timedelta(hours=12, minutes=10)
        response = client.get("/", follow_redirects=True)
    assert response.request.path == "/login"
    assert "Please sign in again." in response.get_data(as_text=True)


def test_logout_ends_the_session_so_a_copied_cookie_is_useless(client, app, db):
    make_staff(db, Role.NURSE, username="nia")
    sign_in_form(client, "nia", PASSWORD)
    with client.session_transaction() as cookie:
        stolen = dict(cookie)
    response = client.post("/logout", follow_redirects=True)
    assert "You have been signed out." in response.get_data(as_text=True)
    replay = app.test_client()
    with replay.session_transaction() as cookie:
        cookie.update(stolen)
    assert replay.get("/").status_code == 302
    ended = db.scalar(select(StaffSession))
    assert ended is not None and ended.end_reason == "logout"
    assert len(events(db, "auth.signed_out")) == 1


def test_logout_is_a_post_not_a_get(client, db):
    make_staff(db, Role.NURSE, username="nia")
    sign_in_form(client, "nia", PASSWORD)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_next_only_returns_to_our_own_pages(client, db):
    make_staff(db, Role.ADMIN, username="ada")
    client.post("/login?next=https://evil.example/", data={"username": "ada", "password": PASSWORD})
    # The page asked for is kept through the code step of two-factor sign-in.
    response = client.post("/login/code", data={"code": totp_code()})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    client.post("/login?next=/staff/", data={"username": "ada", "password": PASSWORD})
    response = client.post("/login/code", data={"code": totp_code(steps_ahead=1)})
    assert response.headers["Location"] == "/staff/"
