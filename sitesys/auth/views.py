"""Sign in, sign out and switch site."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

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
from markupsafe import Markup
from sqlalchemy.orm import Session

from sitesys.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    EnrolForm,
    FirstPasswordForm,
    LoginForm,
    LogoutForm,
    NewRecoveryCodesForm,
    SwitchSiteForm,
)
from sitesys.auth.guard import current_staff, current_staff_session, safe_next
from sitesys.auth.language import SITE_DEFAULT, LanguageForm, choose_language
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
from sitesys.auth.two_factor import (
    CodeRefused,
    SecretBox,
    begin_code_check,
    confirm_app_code,
    enrol,
    finish_code_check,
    first_code_right,
    hash_recovery_codes,
    is_enrolled,
    is_totp_shaped,
    matching_recovery_code,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    qr_svg,
    record_enrolment_failure,
    recovery_codes_left,
    replace_recovery_codes,
    secret_box_for,
    spaced,
    two_factor_required,
)
from sitesys.clock import utcnow
from sitesys.db import committing, get_session
from sitesys.extensions import limiter
from sitesys.i18n import forget_choice, pseudo_allowed
from sitesys.record_ids import record_id

F = TypeVar("F", bound=Callable[..., Any])

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


def sign_in_limited(view: F) -> F:
    """The per-address and all-addresses limits every step of a sign-in posts under."""
    every_address = limiter.limit(
        sign_in_limit_all,
        methods=["POST"],
        key_func=lambda: "every address",
        on_breach=too_many_sign_ins,
    )
    per_address = limiter.limit(sign_in_limit, methods=["POST"], on_breach=too_many_sign_ins)
    return cast("F", per_address(every_address(view)))


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limited
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
            # The password is right. What may still stand before the session begins (a code
            # from the app, a password of one's own, enrolling in two-factor) waits in the
            # sealed cookie, for a few minutes.
            session[PENDING] = {
                "staff_id": staff.id,
                "since": utcnow().timestamp(),
                "code_ok": False,
                "next": safe_next(request.args.get("next")),
            }
            return _next_step(db, staff)
    return render_template("auth/login.html", form=form, error=error), status


#: A sign-in whose password was right and which has steps still to take (the cookie's key).
PENDING = "sign_in_pending"
PENDING_FOR = timedelta(minutes=10)


def _next_step(db: Session, staff: Staff) -> ResponseReturnValue:
    """After the password, in order: the code of two-factor sign-in (when enrolled), a password
    of one's own (when an admin issued it), enrolling in two-factor (when it is required and not
    set up); then the session begins. Nothing else is reachable before it does.
    """
    pending = session.get(PENDING) or {}
    if is_enrolled(staff) and not pending.get("code_ok"):
        return redirect(url_for("auth.login_code"))
    if staff.must_change_password:
        return redirect(url_for("auth.first_password"))
    if two_factor_required(staff) and not is_enrolled(staff):
        return redirect(url_for("auth.enrol_two_factor"))
    session.pop(PENDING, None)
    return _signed_in(db, staff, pending.get("next"))


def _signed_in(db: Session, staff: Staff, next_url: str | None = None) -> ResponseReturnValue:
    with committing(db):
        complete_sign_in(db, staff)
    login_user(staff)
    return redirect(safe_next(next_url) or _landing(staff))


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
    if staff is None or not staff.is_active:
        return None
    return staff


def _code_passed(staff: Staff) -> bool:
    """The pending sign-in's code step is behind it (or it has none)."""
    pending = session.get(PENDING) or {}
    return not is_enrolled(staff) or bool(pending.get("code_ok"))


@bp.route("/login/new-password", methods=["GET", "POST"])
def first_password() -> ResponseReturnValue:
    """Set one's own password in place of the one an admin issued, then sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    db = get_session()
    staff = _pending_staff(db)
    if staff is None or not _code_passed(staff):
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    if not staff.must_change_password:
        return _next_step(db, staff)
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
            flash(_("Your password is changed."), "success")
            return _next_step(db, staff)
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
                return render_template(
                    "auth/change_password.html", form=form, language_form=_language_form()
                ), 422
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
    return render_template(
        "auth/change_password.html", form=form, language_form=_language_form()
    ), status


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


def _language_form() -> LanguageForm:
    form = LanguageForm(formdata=None, prefix="language")
    form.language.data = current_staff().language or SITE_DEFAULT
    return form


@bp.post("/account/language")
@any_staff
def choose_own_language() -> ResponseReturnValue:
    """Staff choose the language of their own screens (on their account page)."""
    form = LanguageForm(prefix="language")
    if not form.validate_on_submit():
        flash(_("Choose one of the languages in the list."), "error")
        return redirect(url_for("auth.change_password"))
    chosen = None if form.language.data == SITE_DEFAULT else form.language.data
    db = get_session()
    with committing(db) as outcome:
        staff = db.get(Staff, current_staff().id, with_for_update=True) or current_staff()
        if choose_language(db, staff, chosen, pseudo_allowed=pseudo_allowed()):
            # Said in the language just chosen, as the next page will be.
            forget_choice()
            outcome.say(_("Your language is saved."))
    return redirect(url_for("auth.change_password"))


# --- Two-factor sign-in (auth/two_factor.py) ------------------------------------------------------

WRONG_CODE = _l(
    "That code is not right, or it was used already. Type the code your app shows now, "
    "or one of your recovery codes."
)
WRONG_FIRST_CODE = _l(
    "That code is not right. Type the 6-digit code the app shows now for SiteSys; if it keeps "
    "failing, check that the phone's clock is set automatically."
)
#: The secret being enrolled, until its first code confirms it (the sealed cookie's key; never
#: in a URL or a log).
ENROLLING = "two_factor_enrolling"
#: New recovery codes, waiting in the sealed cookie for the one page that shows them.
CODES_TO_SHOW = "recovery_codes_to_show"


def _secret_box() -> SecretBox:
    return secret_box_for(current_app.config)


def _check_code(db: Session, staff: Staff, typed: str) -> str:
    """The code step in three parts, as the password's (a recovery code's argon2 check runs
    outside any transaction, through the same gate). Raises AccountLocked or CodeRefused once
    their records are committed; returns "app" or "recovery".
    """
    gate = None if is_totp_shaped(typed) else _password_checks()
    if gate is not None and not gate.acquire(timeout=CHECK_WAIT_SECONDS):
        raise ChecksBusy()
    try:
        refusal: AccountLocked | CodeRefused | None = None
        with committing(db):
            try:
                check = begin_code_check(db, staff, typed)
            except AccountLocked as locked:
                refusal = locked
        if refusal is not None:
            raise refusal
        recovery_id = matching_recovery_code(check, typed)
    finally:
        if gate is not None:
            gate.release()
    kind = None
    with committing(db):
        try:
            kind = finish_code_check(db, _secret_box(), check, typed, recovery_id)
        except (AccountLocked, CodeRefused) as refused:
            refusal = refused
    if refusal is not None or kind is None:
        raise refusal or CodeRefused()
    return kind


@bp.route("/login/code", methods=["GET", "POST"])
@sign_in_limited
def login_code() -> ResponseReturnValue:
    """The second step of a sign-in: a code from the app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    db = get_session()
    staff = _pending_staff(db)
    if staff is None or not is_enrolled(staff):
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    if _code_passed(staff):
        return _next_step(db, staff)
    form = CodeForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            kind = _check_code(db, staff, form.code.data or "")
        except ChecksBusy:
            return render_template("auth/code.html", form=form, error=CHECKS_BUSY), 503
        except AccountLocked as locked:
            # The password must be given again once the lock is over.
            session.pop(PENDING, None)
            error, status = _locked_message(locked), 429
        except CodeRefused:
            error, status = WRONG_CODE, 401
        else:
            session[PENDING] = {**session[PENDING], "code_ok": True}
            if kind == "recovery":
                flash(
                    ngettext(
                        "You signed in with a recovery code; it cannot be used again. "
                        "%(num)d recovery code left: make new ones under Two-factor sign-in "
                        "once you have your phone.",
                        "You signed in with a recovery code; it cannot be used again. "
                        "%(num)d recovery codes left: make new ones under Two-factor sign-in "
                        "once you have your phone.",
                        recovery_codes_left(db, staff),
                    ),
                    "warning",
                )
            return _next_step(db, staff)
    elif form.errors:
        status = 422
    return render_template("auth/code.html", form=form, error=error), status


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"], on_breach=too_many_sign_ins)
def enrol_two_factor() -> ResponseReturnValue:
    """Set up two-factor sign-in where it is required: scan the QR code (or type the secret),
    confirm with a first code; the session then begins and the recovery codes are shown once.
    """
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    db = get_session()
    staff = _pending_staff(db)
    if staff is None or not _code_passed(staff):
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    if staff.must_change_password or is_enrolled(staff) or not two_factor_required(staff):
        return _next_step(db, staff)
    waiting = session.get(ENROLLING)
    if not isinstance(waiting, dict) or waiting.get("staff_id") != staff.id:
        waiting = {"staff_id": staff.id, "secret": new_secret()}
        session[ENROLLING] = waiting
    secret = str(waiting["secret"])
    form = EnrolForm()
    status = 200
    if form.validate_on_submit():
        typed = form.code.data or ""
        if not first_code_right(secret, typed):
            with committing(db):
                record_enrolment_failure(db, staff)
            form.code.errors = [str(WRONG_FIRST_CODE)]
            status = 422
        else:
            staff_id = staff.id
            codes = new_recovery_codes()
            db.rollback()  # nothing held open while argon2 hashes the recovery codes
            hashed = hash_recovery_codes(codes)
            with committing(db, show_refusal=False) as outcome:
                locked = db.get(Staff, staff_id, with_for_update=True, populate_existing=True)
                if locked is None:
                    abort(404)
                enrol(db, locked, _secret_box(), secret, typed, hashed)
            if not outcome.refused:
                pending = session.pop(PENDING, None) or {}
                session.pop(ENROLLING, None)
                with committing(db):
                    complete_sign_in(db, locked)
                login_user(locked)
                session[CODES_TO_SHOW] = {
                    "staff_id": locked.id,
                    "codes": codes,
                    "next": safe_next(pending.get("next")),
                    "at_sign_in": True,
                }
                return redirect(url_for("auth.recovery_codes"))
            form.code.errors = [str(outcome.refusal)]
            status = 422
    elif form.errors:
        status = 422
    uri = provisioning_uri(secret, staff.username)
    return render_template(
        "auth/enrol.html",
        form=form,
        staff=staff,
        qr=Markup(qr_svg(uri)),  # noqa: S704 - segno's own SVG of our URI, no user text
        secret=spaced(secret),
    ), status


@bp.get("/account/two-factor/recovery-codes")
@any_staff
def recovery_codes() -> ResponseReturnValue:
    """New recovery codes, shown this once (taken out of the sealed cookie as they are)."""
    staff = current_staff()
    waiting = session.pop(CODES_TO_SHOW, None)
    if not isinstance(waiting, dict) or waiting.get("staff_id") != staff.id:
        flash(
            _(
                "Recovery codes are shown once only and cannot be shown again. If they were not "
                "noted, make new ones here."
            ),
            "info",
        )
        return redirect(url_for("auth.two_factor"))
    onward = safe_next(waiting.get("next")) or (
        _landing(staff) if waiting.get("at_sign_in") else url_for("auth.two_factor")
    )
    return render_template("auth/recovery_codes.html", codes=list(waiting["codes"]), onward=onward)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@any_staff
@limiter.limit(sign_in_limit, methods=["POST"], on_breach=too_many_sign_ins)
def two_factor() -> ResponseReturnValue:
    """One's own two-factor status, and new recovery codes (a code from the app first)."""
    db = get_session()
    staff = current_staff()
    form = NewRecoveryCodesForm()
    status = 200
    if form.validate_on_submit() and is_enrolled(staff):
        refused: AccountLocked | CodeRefused | None = None
        with committing(db):
            locked = db.get(Staff, staff.id, with_for_update=True, populate_existing=True) or staff
            try:
                confirm_app_code(db, _secret_box(), locked, form.code.data or "")
            except (AccountLocked, CodeRefused) as refusal:
                refused = refusal
        if isinstance(refused, AccountLocked):
            form.code.errors = [_locked_message(refused)]
            status = 429
        elif refused is not None:
            form.code.errors = [_("That code is not right, or it was used already.")]
            status = 422
        else:
            codes = new_recovery_codes()
            db.rollback()  # nothing held open while argon2 hashes them
            hashed = hash_recovery_codes(codes)
            with committing(db):
                locked = (
                    db.get(Staff, staff.id, with_for_update=True, populate_existing=True) or staff
                )
                replace_recovery_codes(db, locked, hashed)
            session[CODES_TO_SHOW] = {"staff_id": staff.id, "codes": codes}
            return redirect(url_for("auth.recovery_codes"))
    elif form.errors:
        status = 422
    return render_template(
        "auth/two_factor.html",
        form=form,
        staff=staff,
        enrolled=is_enrolled(staff),
        required=two_factor_required(staff),
        codes_left=recovery_codes_left(db, staff) if is_enrolled(staff) else 0,
    ), status
