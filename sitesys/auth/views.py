"""Sign in, sign out and switch site."""

from __future__ import annotations

import math

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from sitesys.auth.forms import LoginForm, LogoutForm, SwitchSiteForm
from sitesys.auth.guard import current_staff, current_staff_session, safe_next
from sitesys.auth.loaders import get_workplace_or_404
from sitesys.auth.models import Staff
from sitesys.auth.permissions import any_staff
from sitesys.auth.services import (
    AccountLocked,
    SignInRefused,
    authenticate,
    end_session,
    start_session,
    switch_site,
)
from sitesys.clock import utcnow
from sitesys.db import committing, get_session
from sitesys.record_ids import record_id

bp = Blueprint("auth", __name__)

WRONG_CREDENTIALS = "Username or password is wrong."


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        db = get_session()
        signed_in: Staff | None = None
        # A refused sign-in is answered inside the block, so that its record is committed too:
        # the lockout counts failures, and the audit trail shows them.
        with committing(db):
            try:
                staff = authenticate(db, form.username.data or "", form.password.data or "")
            except AccountLocked as locked:
                minutes = max(1, math.ceil((locked.until - utcnow()).total_seconds() / 60))
                error = (
                    "Too many failed sign-ins: this account is locked for "
                    f"{minutes} more minute{'s' if minutes != 1 else ''}."
                )
                status = 429
            except SignInRefused:
                error = WRONG_CREDENTIALS
                status = 401
            else:
                # A fresh cookie and a fresh server session at every sign-in (no session
                # fixation).
                session.clear()
                start_session(db, staff)
                signed_in = staff
        if signed_in is not None:
            login_user(signed_in)
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
