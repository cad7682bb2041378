"""Sign in, sign out and switch site."""

from __future__ import annotations

import math
import threading
from typing import cast

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import Session

from sitesys.auth.forms import LoginForm, LogoutForm, SwitchSiteForm
from sitesys.auth.guard import current_staff, current_staff_session, safe_next
from sitesys.auth.loaders import get_workplace_or_404
from sitesys.auth.models import Staff
from sitesys.auth.permissions import any_staff
from sitesys.auth.services import (
    AccountLocked,
    SignInRefused,
    begin_sign_in,
    check_password,
    complete_sign_in,
    end_session,
    finish_sign_in,
    switch_site,
)
from sitesys.clock import utcnow
from sitesys.db import committing, get_session
from sitesys.extensions import limiter
from sitesys.record_ids import record_id

bp = Blueprint("auth", __name__)

WRONG_CREDENTIALS = "Username or password is wrong."


def sign_in_limit() -> str:
    """Sign-in attempts per address (Flask-Limiter, counted in Redis where SITESYS_REDIS_URL is
    set; config.py): it stops a flood of argon2 work, and the per-account lockout (in the
    database) stops guessing.
    """
    return str(current_app.config["SITESYS"].sign_in_limit)


def sign_in_limit_all() -> str:
    """Sign-in attempts from every address together (config.py)."""
    return str(current_app.config["SITESYS"].sign_in_limit_all)


#: What a sign-in is told when this worker is already checking as many passwords as it may.
CHECKS_BUSY = "Many sign-ins are being checked at once. Wait a few seconds, then sign in again."
#: How long a sign-in waits for a free check (a shift signing in together) before being told so.
CHECK_WAIT_SECONDS = 0.25


def _password_checks() -> threading.BoundedSemaphore:
    """The app's gate on argon2 checks at once (config.py: password_checks_at_once)."""
    gates = current_app.extensions
    gate = gates.get("sitesys.password_checks")
    if gate is None:
        at_once = int(current_app.config["SITESYS_PASSWORD_CHECKS_AT_ONCE"])
        gate = gates.setdefault("sitesys.password_checks", threading.BoundedSemaphore(at_once))
    return cast(threading.BoundedSemaphore, gate)


def too_many_sign_ins(_limit: RequestLimit) -> Response:
    """The page over the sign-in limits: plain and cheap (a flood is answered with it)."""
    page = render_template(
        "errors/standalone.html",
        code=429,
        title="Too many sign-in attempts",
        lines=[
            "There were too many sign-in attempts from this connection. "
            "Wait a minute, then try again.",
            "Staff already signed in can carry on working.",
        ],
        links=[(url_for("auth.login"), "Back to sign in")],
    )
    response = make_response(page, 429)
    response.headers["Retry-After"] = "60"
    return response


def _locked_message(locked: AccountLocked) -> str:
    minutes = max(1, math.ceil((locked.until - utcnow()).total_seconds() / 60))
    return (
        "Too many failed sign-ins: this account is locked for "
        f"{minutes} more minute{'s' if minutes != 1 else ''}."
    )


class ChecksBusy(Exception):
    """The worker is checking as many passwords as it may: nothing was checked or recorded."""


def _check_password(db: Session, username: str, password: str) -> Staff:
    """The password step in three parts: two short writes with the argon2 work between them,
    outside any transaction. Raises AccountLocked or SignInRefused once their records are
    committed (the lockout counts failures, and the audit trail shows them).
    """
    gate = _password_checks()
    if not gate.acquire(timeout=CHECK_WAIT_SECONDS):
        raise ChecksBusy()
    try:
        refusal: AccountLocked | SignInRefused | None = None
        with committing(db):
            try:
                check = begin_sign_in(db, username)
            except AccountLocked as locked:
                refusal = locked
        if refusal is not None:
            raise refusal
        verdict = check_password(check, password)
    finally:
        gate.release()
    staff = None
    with committing(db):
        try:
            staff = finish_sign_in(db, check, verdict)
        except (AccountLocked, SignInRefused) as refused:
            refusal = refused
    if refusal is not None or staff is None:
        raise refusal or SignInRefused()
    return staff


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"], on_breach=too_many_sign_ins)
@limiter.limit(
    sign_in_limit_all,
    methods=["POST"],
    key_func=lambda: "every address",
    on_breach=too_many_sign_ins,
)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        db = get_session()
        try:
            staff = _check_password(db, form.username.data or "", form.password.data or "")
        except ChecksBusy:
            return render_template("auth/login.html", form=form, error=CHECKS_BUSY), 503
        except AccountLocked as locked:
            error, status = _locked_message(locked), 429
        except SignInRefused:
            error, status = WRONG_CREDENTIALS, 401
        else:
            with committing(db):
                # A fresh cookie and a fresh server session at every sign-in (no session
                # fixation).
                session.clear()
                complete_sign_in(db, staff)
            login_user(staff)
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@any_staff
def logout() -> ResponseReturnValue:
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    with committing(db):
        end_session(db, current_staff_session(), "logout")
    logout_user()
    session.clear()
    # Said once the cookie is cleared: clearing it would take the message with it.
    flash("You have been signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/switch-site")
@any_staff
def switch() -> ResponseReturnValue:
    form = SwitchSiteForm()
    site_id = record_id(form.site_id.data)
    if not form.validate_on_submit() or site_id is None:
        abort(400)
    db = get_session()
    site = get_workplace_or_404(db, current_staff(), site_id)
    with committing(db) as outcome:
        switch_site(db, current_staff_session(), site)
        outcome.say(f"You are now working at {site.name}.")
    return redirect(url_for("home.index"))


@bp.post("/session/stay")
@any_staff
def stay_signed_in() -> ResponseReturnValue:
    """'Stay signed in' in the idle warning: a request of the person's own, which (as any such
    request does, in the guard) moves the idle clock on. Nothing else is changed or recorded.
    """
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400)
    return "", 204
