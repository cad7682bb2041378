"""Sign in, sign out and switch site."""

from __future__ import annotations

import math
import threading
from datetime import UTC, datetime, timedelta
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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import Session

from sitesys.auth.forms import (
    ChangePasswordForm,
    FirstPasswordForm,
    LoginForm,
    LogoutForm,
    SwitchSiteForm,
)
from sitesys.auth.guard import current_staff, current_staff_session, safe_next
from sitesys.auth.loaders import get_workplace_or_404
from sitesys.auth.models import Staff
from sitesys.auth.passwords import hash_password, verify_password
from sitesys.auth.permissions import any_staff
from sitesys.auth.roles import LANDING_ENDPOINTS
from sitesys.auth.services import (
    AccountLocked,
    PasswordRefused,
    SignInRefused,
    begin_sign_in,
    check_new_password,
    check_password,
    complete_sign_in,
    end_session,
    finish_sign_in,
    set_own_password,
    switch_site,
)
from sitesys.clock import utcnow
from sitesys.db import committing, get_session
from sitesys.extensions import limiter
from sitesys.record_ids import record_id

bp = Blueprint("auth", __name__)

WRONG_CREDENTIALS = _l("Username or password is wrong.")


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
CHECKS_BUSY = _l("Many sign-ins are being checked at once. Wait a few seconds, then sign in again.")
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
        title=_("Too many sign-in attempts"),
        lines=[
            _(
                "There were too many sign-in attempts from this connection. "
                "Wait a minute, then try again."
            ),
            _("Staff already signed in can carry on working."),
        ],
        links=[(url_for("auth.login"), _("Back to sign in"))],
    )
    response = make_response(page, 429)
    response.headers["Retry-After"] = "60"
    return response


def _locked_message(locked: AccountLocked) -> str:
    minutes = max(1, math.ceil((locked.until - utcnow()).total_seconds() / 60))
    return str(
        ngettext(
            "Too many failed sign-ins: this account is locked for %(num)d more minute.",
            "Too many failed sign-ins: this account is locked for %(num)d more minutes.",
            minutes,
        )
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
            # A fresh cookie at every sign-in (no session fixation).
            session.clear()
            if staff.must_change_password:
                # The password is right but an admin knows it: its owner sets their own before
                # any session begins. The step waits in the sealed cookie, for a few minutes.
                session[PENDING] = {"staff_id": staff.id, "since": utcnow().timestamp()}
                return redirect(
                    url_for("auth.first_password", next=safe_next(request.args.get("next")))
                )
            return _signed_in(db, staff)
    return render_template("auth/login.html", form=form, error=error), status


#: A sign-in whose password was right but must be changed first (the cookie's key).
PENDING = "sign_in_pending"
PENDING_FOR = timedelta(minutes=10)


def _signed_in(db: Session, staff: Staff) -> ResponseReturnValue:
    with committing(db):
        complete_sign_in(db, staff)
    login_user(staff)
    return redirect(safe_next(request.args.get("next")) or _landing(staff))


def _landing(staff: Staff) -> str:
    """The page a role starts on (auth/roles.py: LANDING_ENDPOINTS); the home page for a role
    with none, or for someone with no site to work at yet (the home page tells them why).
    """
    endpoint = LANDING_ENDPOINTS.get(staff.role)
    if endpoint is None or endpoint not in current_app.view_functions:
        return url_for("home.index")
    if staff.role.needs_site and not staff.sites:
        return url_for("home.index")
    return url_for(endpoint)


def _pending_staff(db: Session) -> Staff | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    since = datetime.fromtimestamp(float(pending.get("since", 0)), UTC)
    if utcnow() - since > PENDING_FOR:
        session.pop(PENDING, None)
        return None
    staff = db.get(Staff, int(pending.get("staff_id", 0)))
    if staff is None or not staff.is_active or not staff.must_change_password:
        return None
    return staff


@bp.route("/login/new-password", methods=["GET", "POST"])
def first_password() -> ResponseReturnValue:
    """Set one's own password in place of the one an admin issued, then sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    db = get_session()
    staff = _pending_staff(db)
    if staff is None:
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    form = FirstPasswordForm()
    status = 200
    if form.validate_on_submit():
        new_password = form.new_password.data or ""
        try:
            check_new_password(staff, new_password)
        except PasswordRefused as refused:
            form.new_password.errors = [str(refused)]
            status = 422
        else:
            if verify_password(staff.password_hash, new_password):
                form.new_password.errors = [
                    _("Choose a password other than the one you were given.")
                ]
                return render_template("auth/first_password.html", form=form, staff=staff), 422
            new_hash = hash_password(new_password)  # outside any transaction
            staff = db.get(Staff, staff.id, with_for_update=True) or staff
            with committing(db):
                set_own_password(db, staff, new_hash, at_sign_in=True, keep_session_id=None)
            session.pop(PENDING, None)
            flash(_("Your password is changed."), "success")
            return _signed_in(db, staff)
    elif form.errors:
        status = 422
    return render_template("auth/first_password.html", form=form, staff=staff), status


def _others_ended(ended: int) -> str:
    if not ended:
        return ""
    return " " + str(
        ngettext("Your %(num)d other session ended.", "Your %(num)d other sessions ended.", ended)
    )


@bp.route("/account/password", methods=["GET", "POST"])
@any_staff
def change_password() -> ResponseReturnValue:
    """Staff change their own password; their other sessions end."""
    form = ChangePasswordForm()
    staff = current_staff()
    status = 200
    if form.validate_on_submit():
        new_password = form.new_password.data or ""
        try:
            check_new_password(staff, new_password)
        except PasswordRefused as refused:
            form.new_password.errors = [str(refused)]
            status = 422
        else:
            db = get_session()
            current_hash = staff.password_hash
            db.rollback()  # nothing held open while argon2 runs
            if not verify_password(current_hash, form.current_password.data or ""):
                form.current_password.errors = [_("That is not your current password.")]
                return render_template("auth/change_password.html", form=form), 422
            new_hash = hash_password(new_password)
            with committing(db) as outcome:
                locked = db.get(Staff, staff.id, with_for_update=True) or staff
                ended = set_own_password(
                    db,
                    locked,
                    new_hash,
                    at_sign_in=False,
                    keep_session_id=current_staff_session().id,
                )
                outcome.say(_("Your password is changed.") + _others_ended(ended))
            return redirect(url_for("home.index"))
    elif form.errors:
        status = 422
    return render_template("auth/change_password.html", form=form), status


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
    flash(_("You have been signed out."), "info")
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
        outcome.say(_("You are now working at %(site)s.", site=site.name))
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
