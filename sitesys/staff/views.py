"""Admin pages for staff accounts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask.typing import ResponseReturnValue
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload
from wtforms.fields.choices import SelectChoice

from sitesys.auth.guard import current_staff
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, requires
from sitesys.auth.roles import Role
from sitesys.db import get_session
from sitesys.forms import ConfirmForm, choices
from sitesys.pagination import paginate
from sitesys.sites.models import Site
from sitesys.staff.forms import EditStaffForm, StaffFilterForm, StaffForm
from sitesys.staff.services import (
    NoSiteChosen,
    StaffError,
    UsernameTaken,
    create_staff,
    deactivate_staff,
    just_added_by,
    reactivate_staff,
    reset_password,
    update_staff,
)
from sitesys.words import generate_password

bp = Blueprint("staff", __name__, url_prefix="/staff")

#: Where a new account's or a reset password waits, in the sealed session cookie, for the one
#: page that shows it.
RESET_TO_SHOW = "staff_reset_to_show"


def get_staff_or_404(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        abort(404)
    return staff


def _site_choices(session: Session) -> tuple[list[SelectChoice], dict[int, Site]]:
    sites = list(session.scalars(select(Site).order_by(Site.name).limit(500)))
    return choices((site.id, site.name) for site in sites), {site.id: site for site in sites}


@bp.get("/")
@requires(Capability.MANAGE_STAFF)
def index() -> ResponseReturnValue:
    db = get_session()
    filters = StaffFilterForm(request.args)
    filters.validate()
    statement = select(Staff).options(selectinload(Staff.sites)).order_by(Staff.username)
    if filters.q.data:
        pattern = f"%{filters.q.data.lower()}%"
        statement = statement.where(
            or_(Staff.username.like(pattern), Staff.display_name.ilike(pattern))
        )
    if filters.role.data in {role.value for role in Role}:
        statement = statement.where(Staff.role == Role(filters.role.data))
    if filters.status.data != "all":
        statement = statement.where(Staff.is_active.is_(filters.status.data != "inactive"))
    return render_template("staff/index.html", page=paginate(db, statement), filters=filters)


@bp.route("/new", methods=["GET", "POST"])
@requires(Capability.MANAGE_STAFF)
def new() -> ResponseReturnValue:
    db = get_session()
    form = StaffForm()
    form.sites.choices, sites = _site_choices(db)
    if form.validate_on_submit():
        password = generate_password()
        try:
            staff = create_staff(
                db,
                current_staff(),
                username=form.username.data or "",
                display_name=form.display_name.data or "",
                role=Role(form.role.data),
                sites=[sites[site_id] for site_id in form.sites.data or [] if site_id in sites],
                password=password,
            )
        except NoSiteChosen as error:
            form.sites.errors = [str(error)]
        except UsernameTaken as error:
            db.rollback()
            twin = just_added_by(db, current_staff(), form.username.data or "")
            if twin is not None:
                return _already_added(twin)
            form.username.errors = [str(error)]
        except StaffError as error:
            form.username.errors = [str(error)]
        else:
            db.commit()
            # As after a reset: a page of its own, so that a reload cannot add the account again.
            cookie_session[RESET_TO_SHOW] = {
                "staff_id": staff.id,
                "password": password,
                "created": True,
            }
            return redirect(url_for("staff.new_password", staff_id=staff.id))
    return render_template("staff/form.html", form=form, staff=None)


def _already_added(staff: Staff) -> ResponseReturnValue:
    """The answer to "Add staff member" sent twice: the account the first one made."""
    waiting = cookie_session.get(RESET_TO_SHOW)
    if isinstance(waiting, dict) and waiting.get("staff_id") == staff.id:
        return redirect(url_for("staff.new_password", staff_id=staff.id))
    flash(
        f"{staff.display_name} ({staff.username}) was added by your first tap, whose page showed "
        "the password once only. If it was not noted, reset the password.",
        "info",
    )
    return redirect(url_for("staff.edit", staff_id=staff.id))


@bp.route("/<int:staff_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_STAFF)
def edit(staff_id: int) -> ResponseReturnValue:
    db = get_session()
    staff = get_staff_or_404(db, staff_id)
    form = EditStaffForm(obj=None if request.method == "POST" else staff)
    form.sites.choices, sites = _site_choices(db)
    if request.method == "GET":
        # Set after the form is built: given obj, WTForms fills these from staff.role (an enum)
        # and staff.sites (Site objects), which match no choice, so nothing would be ticked and
        # saving the page unchanged would take every site away.
        form.role.data = staff.role.value
        form.sites.data = [site.id for site in staff.sites]
    if form.validate_on_submit():
        try:
            update_staff(
                db,
                current_staff(),
                staff,
                display_name=form.display_name.data or "",
                role=Role(form.role.data),
                sites=[sites[site_id] for site_id in form.sites.data or [] if site_id in sites],
            )
        except NoSiteChosen as error:
            form.sites.errors = [str(error)]
        except StaffError as error:
            form.role.errors = [str(error)]
        else:
            db.commit()
            flash(f"Saved {staff.display_name}.", "success")
            return redirect(url_for("staff.index"))
    return render_template("staff/form.html", form=form, staff=staff, confirm=ConfirmForm())


def _confirmed_action(staff_id: int, action: str) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    staff = get_staff_or_404(db, staff_id)
    try:
        if action == "deactivate":
            ended = deactivate_staff(db, current_staff(), staff)
            sessions = "1 open session" if ended == 1 else f"{ended} open sessions"
            message = f"{staff.display_name} is deactivated; {sessions} ended."
        else:
            reactivate_staff(db, current_staff(), staff)
            message = f"{staff.display_name} is active again."
    except StaffError as error:
        flash(str(error), "error")
        return redirect(url_for("staff.edit", staff_id=staff.id))
    db.commit()
    flash(message, "success")
    return redirect(url_for("staff.index"))


@bp.post("/<int:staff_id>/deactivate")
@requires(Capability.MANAGE_STAFF)
def deactivate(staff_id: int) -> ResponseReturnValue:
    return _confirmed_action(staff_id, "deactivate")


@bp.post("/<int:staff_id>/reactivate")
@requires(Capability.MANAGE_STAFF)
def reactivate(staff_id: int) -> ResponseReturnValue:
    return _confirmed_action(staff_id, "reactivate")


@bp.post("/<int:staff_id>/reset-password")
@requires(Capability.MANAGE_STAFF)
def password(staff_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    staff = get_staff_or_404(db, staff_id)
    new_password = generate_password()
    reset_password(db, current_staff(), staff, new_password)
    db.commit()
    # POST-redirect-GET, so that reloading the page cannot send the reset again. The password
    # waits for that one page in the session cookie, which is encrypted (sitesys.session_cookie)
    # and never in a URL, and is taken out as it is shown.
    cookie_session[RESET_TO_SHOW] = {"staff_id": staff.id, "password": new_password}
    return redirect(url_for("staff.new_password", staff_id=staff.id))


@bp.get("/<int:staff_id>/new-password")
@requires(Capability.MANAGE_STAFF)
def new_password(staff_id: int) -> ResponseReturnValue:
    staff = get_staff_or_404(get_session(), staff_id)
    waiting = cookie_session.pop(RESET_TO_SHOW, None)
    if not isinstance(waiting, dict) or waiting.get("staff_id") != staff.id:
        flash(
            f"The new password of {staff.display_name} was shown once only and cannot be shown "
            "again. If it was not noted, reset the password again.",
            "info",
        )
        return redirect(url_for("staff.edit", staff_id=staff.id))
    return render_template(
        "staff/password.html",
        staff=staff,
        password=waiting["password"],
        reset=not waiting.get("created"),
    )
