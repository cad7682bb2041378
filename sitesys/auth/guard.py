"""Who may see what: deny by default, role checks, and the current site of the request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, Response, flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from sitesys.auth.models import Staff, StaffSession
from sitesys.auth.services import TOUCH_EVERY, resolve_session, touch_session
from sitesys.clock import utcnow
from sitesys.db import get_database, get_session, view_is_marked
from sitesys.extensions import login_manager
from sitesys.sites.models import Site

F = TypeVar("F", bound=Callable[..., Any])

#: Pages that must work while the database is down (the paper fallback sheets). They are served
#: as to an anonymous visitor even to a signed-in tablet: loading the member of staff behind a
#: session cookie is a database query, and the navigation and badges would ask for it.
OFFLINE_ENDPOINTS = frozenset({"fallback.sheets"})

#: The only endpoints reachable without signing in. The client-facing pages (a drug-check
#: result by sample code, a site's drug alerts) show nothing of any site, visit or client and
#: are rate-limited per address (drugchecks/views/public.py, alerts/views/public.py).
PUBLIC_ENDPOINTS = (
    frozenset(
        {
            "auth.login",
            "auth.first_password",
            # The second step of a sign-in, and enrolment in it: the sealed cookie names the
            # account whose password was right (auth/views.py: PENDING).
            "auth.login_code",
            "auth.enrol_two_factor",
            "system.healthz",
            "system.readyz",
            "system.scheduler_health",
            "static",
            "results.lookup",
            "public_alerts.about",
            "public_alerts.site",
            "privacy.notice",
            "privacy.site",
            "code_recipe.show",
            # Wall-board displays check their own display token (board/views/displays.py).
            "display.show",
            "display.pair",
            "display.partial",
        }
    )
    | OFFLINE_ENDPOINTS
)

SESSION_END_MESSAGES = {
    "idle_timeout": _l("You were signed out because the tablet was idle. Please sign in again."),
    "absolute_timeout": _l("Your session reached its time limit. Please sign in again."),
    "deactivated": _l(_l("This account has been deactivated. Speak to your manager.")),
    "deactivated_by_admin": _l(_l("This account has been deactivated. Speak to your manager.")),
    "password_reset": _l("Your password was reset. Sign in with the new one."),
    "password_changed": _l("Your password was changed. Sign in with the new one."),
    "role_changed": _l("Your role was changed. Please sign in again."),
    "two_factor_reset": _l("Your two-factor sign-in was reset. Sign in and set it up again."),
    "logout": _l("You have been signed out."),
}


class NoSiteAssigned(Forbidden):
    description = _l("Your account is not assigned to a site yet. Ask an admin to add you to one.")


def passive(view: F) -> F:
    """Mark a view whose requests (board polling) must not keep an idle session alive."""
    view.sitesys_passive = True  # type: ignore[attr-defined]
    return view


def current_staff() -> Staff:
    return cast(Staff, current_user._get_current_object())


def current_staff_session() -> StaffSession:
    return cast(StaffSession, g.staff_session)


def current_site() -> Site:
    """The site this request works at; 403 when the account has none."""
    site: Site | None = g.get("site")
    if site is None:
        raise NoSiteAssigned()
    return site


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _load_staff(token: str) -> Staff | None:
    """Resolve the cookie's token, move the idle clock on, and load the staff member.

    The check is one query in the request's own session, which loads the staff member and their
    site with it. The idle clock (moved at most once a minute, never by board polling) is moved
    in its own short write, committed before the request's own transaction begins, so a page that
    fails and rolls back never undoes it: the request's session is rolled back first (on SQLite a
    writing request's transaction already holds the write lock) and the check made again.
    """
    now = utcnow()
    session = get_session()
    resolved = resolve_session(session, token, now)
    found = resolved.staff_session
    passive = view_is_marked("sitesys_passive")
    if found is not None and not passive and now - found.last_seen_at >= TOUCH_EVERY:
        staff_session_id = found.id  # read before the rollback expires it
        session.rollback()
        with get_database().new_session(write=True) as touch:
            touch_session(touch, staff_session_id, now)
            touch.commit()
        resolved = resolve_session(session, token, now)
        found = resolved.staff_session
    if found is None:
        g.session_end_reason = resolved.reason
        return None
    return _attach(found, token, resolved.at_site)


def _attach(staff_session: StaffSession, token: str, at_site: bool) -> Staff:
    """Make the signed-in staff member and their site this request's (their first site when
    they no longer work at the session's).
    """
    staff = staff_session.staff
    staff.attach_session_token(token)
    g.staff_session = staff_session
    site = staff_session.site if at_site else None
    if site is None:
        site = staff.first_site
    g.site = site
    return staff


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths may be returned to after sign-in."""
    # Browsers read a backslash as a slash, so "/\\evil.example" would leave the site.
    if not target or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def send_to_login(message: Any = None, category: str = "info") -> Response:
    if message:
        flash(str(message), category)
    target = url_for("auth.login")
    if request.method == "GET" and not is_htmx() and request.path != "/":
        target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        response = Response(status=401)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    return cast(Response, redirect(target))


def _require_login() -> Response | None:
    if request.endpoint in OFFLINE_ENDPOINTS:
        # Flask-Login keeps the request's user in g._login_user and loads it from the cookie
        # only when that is unset: setting it here means nothing in this request loads it.
        g._login_user = login_manager.anonymous_user()
        return None
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if current_user.is_authenticated:
        return None
    reason = g.get("session_end_reason")
    return send_to_login(SESSION_END_MESSAGES.get(reason or ""), "warning")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    # IP/user-agent binding means nothing when every tablet shares one address; the server-side
    # session does the real work.
    login_manager.session_protection = None
    login_manager.user_loader(_load_staff)
    app.before_request(_require_login)
