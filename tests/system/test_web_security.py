"""CSRF, security headers, limits and error pages."""

from __future__ import annotations

from sqlalchemy import func, select

from sitesys.auth.models import StaffSession
from sitesys.auth.roles import Role
from tests.factories import make_site, make_staff, sign_in


def test_post_without_csrf_token_changes_nothing_and_sends_to_sign_in(client, db):
    site = make_site(db)
    admin = make_staff(db, Role.ADMIN, [site])
    target = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, admin)
    response = client.post(f"/staff/{target.id}/deactivate", csrf=False, follow_redirects=True)
    assert response.request.path == "/login"
    assert "That form had expired, so nothing was saved." in response.get_data(as_text=True)
    db.refresh(target)
    assert target.is_active
    admin_session = db.scalar(select(StaffSession).where(StaffSession.staff_id == admin.id))
    assert admin_session is not None and admin_session.end_reason == "form_expired"


def test_post_with_another_sessions_token_is_refused(client, app, db):
    site = make_site(db)
    admin = make_staff(db, Role.ADMIN, [site])
    target = make_staff(db, Role.NURSE, [site])
    other = app.test_client()
    foreign_token = other.csrf_token()
    sign_in(client, db, admin)
    client.csrf_token()  # this session's own secret differs from the other's
    response = client.post(f"/staff/{target.id}/deactivate", data={"csrf_token": foreign_token})
    assert response.status_code == 302
    db.refresh(target)
    assert target.is_active


def test_htmx_post_without_token_gets_a_redirect_header_not_a_page(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post("/logout", csrf=False, headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_security_headers_on_pages(client, db):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_static_files_are_cacheable_and_public(client, db):
    with client.get("/static/css/sitesys.css") as response:
        assert response.status_code == 200
        assert response.headers.get("Cache-Control") != "no-store"
        assert "X-Content-Type-Options" in response.headers


def test_no_page_loads_anything_from_another_origin(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    page = client.get("/").get_data(as_text=True)
    assert "http://" not in page and "https://" not in page
    assert "<script>" not in page and " style=" not in page


def test_unknown_page_gets_a_plain_404(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.get("/no-such-page")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Not found" in text and "Traceback" not in text


def test_oversized_request_is_refused_with_413(client, db):
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post("/staff/new", data={"display_name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_unexpected_error_shows_a_plain_500_page(database_url, monkeypatch):
    from sitesys.auth import guard
    from tests.conftest import build_app

    app = build_app(database_url)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(guard, "PUBLIC_ENDPOINTS", guard.PUBLIC_ENDPOINTS | {"boom"})
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "Nothing was saved" in body
    assert "internal detail" not in body and "Traceback" not in body


def test_the_session_cookie_is_sealed_so_a_flashed_tag_cannot_be_read(app, client, db):
    import pytest
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import BadSignature

    from sitesys.clients.models import Client
    from tests.checkin.helpers import check_in, floor

    floor(db, client)
    response = check_in(client, client_code="zqxv93")
    cookie = response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    tag = db.scalar(select(Client.display_tag))
    # Flask's own cookie format (signed, readable by anyone) cannot open it...
    readable = SecureCookieSessionInterface().get_signing_serializer(app)
    with pytest.raises(BadSignature):
        readable.loads(cookie)
    # ...while the server can, and the flashed message naming the client is inside.
    sealed = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert any(tag in message for _category, message in sealed["_flashes"])
    assert tag not in cookie


def test_a_tampered_session_cookie_is_no_session(client, db):
    sign_in(client, db, make_staff(db, Role.NURSE, [make_site(db)]))
    assert client.get("/").status_code == 200
    cookie = client.get_cookie("sitesys_session")
    assert cookie is not None
    client.set_cookie("sitesys_session", cookie.value[:-4] + "AAAA")
    assert client.get("/").status_code == 302


def test_a_null_character_in_a_form_or_link_is_refused_plainly_and_saves_nothing(client, db):
    """No keyboard types a null character, but a pasted text or a crafted request can, and
    PostgreSQL's text cannot store one: refused whole with a plain message, on both databases."""
    from sitesys.audit.models import AuditEvent
    from sitesys.clients.models import ClientFlag
    from tests.factories import make_client

    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    client_record = make_client(db, site)
    sign_in(client, db, nurse)
    events_before = db.scalar(select(func.count()).select_from(AuditEvent))
    response = client.post(
        f"/clients/{client_record.id}/flags",
        data={"kind": "allergy", "note": "Latex\x00", "ends_on": ""},
    )
    assert response.status_code == 400
    assert "a null character" in response.get_data(as_text=True)
    assert db.scalars(select(ClientFlag)).all() == []
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    search = client.get("/board/?q=a\x00b")
    assert search.status_code == 400
    signed_out = client.application.test_client()
    login = signed_out.post("/login", data={"username": "demo\x00", "password": "x"})
    assert login.status_code == 400 and "a null character" in login.get_data(as_text=True)


def test_every_page_names_its_own_icon_so_browsers_do_not_ask_for_a_missing_one(client, db):
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/img/icon.svg" type="image/svg+xml">' in page
    with client.get("/static/img/icon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
