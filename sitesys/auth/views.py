"""Sign in, sign out and switch site."""

from __future__ import annotations

import math

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from sitesys.auth.forms import LoginForm, LogoutForm, SwitchSiteForm
from sitesys.auth.guard import current_staff, current_staff_session, safe_next
from sitesys.auth.permissions import any_staff
from sitesys.auth.services import (
    AccountLocked,
    SignInRefused,
    SiteClosed,
    authenticate,
    end_session,
    start_session,
    switch_site,
)
from sitesys.clock import utcnow
from sitesys.db import get_session
from sitesys.record_ids import record_id
from sitesys.sites.models import Site

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
            # A fresh cookie and a fresh server session at every sign-in (no session fixation).
            session.clear()
            start_session(db, staff)
            db.commit()
            login_user(staff)
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        db.commit()
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@any_staff
def logout() -> ResponseReturnValue:
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    end_session(db, current_staff_session(), "logout")
    db.commit()
    logout_user()
    session.clear()
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
    site = db.scalar(select(Site).where(Site.id == site_id))
    if site is None or not current_staff().can_work_at(site.id):
        abort(404)
    try:
        switch_site(db, current_staff_session(), site)
    except SiteClosed:
        flash(
            f"{site.name} is closed, so you cannot switch to it. "
            "Ask an admin to reopen it if it is in use.",
            "error",
        )
        return redirect(url_for("home.index"))
    db.commit()
    flash(f"You are now working at {site.name}.", "success")
    return redirect(url_for("home.index"))
