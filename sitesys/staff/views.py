"""Admin pages for staff accounts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from sitesys.auth.forms import ResetTwoFactorForm
from sitesys.auth.guard import current_staff
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, requires
from sitesys.auth.roles import Role
from sitesys.auth.two_factor import is_enrolled, reset_two_factor, two_factor_required
from sitesys.db import committing, get_session
from sitesys.forms import ConfirmForm, choices
from sitesys.pagination import paginate
from sitesys.sites.models import Site
from sitesys.staff.forms import EditStaffForm, StaffFilterForm, StaffForm
from sitesys.staff.loaders import get_staff_or_404
from sitesys.staff.queries import ACTIVE, ALL, INACTIVE, StaffFilters, staff_statement
from sitesys.staff.services import (
    NoSiteChosen,
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


def _site_choices(session: Session) -> tuple[list[SelectChoice], dict[int, Site]]:
    sites = list(session.scalars(select(Site).order_by(Site.name).limit(500)))
    return choices((site.id, site.name) for site in sites), {site.id: site for site in sites}


def _filters(form: StaffFilterForm) -> StaffFilters:
    """The list's filters as the form gives them; a role or status not offered is ignored."""
    form.validate()
    role, status = form.role.data, form.status.data
    return StaffFilters(
        text=form.q.data,
        role=Role(role) if role in {member.value for member in Role} else None,
        status=status if status in (ACTIVE, INACTIVE, ALL) else ACTIVE,
    )


@bp.get("/")
@requires(Capability.MANAGE_STAFF)
def index() -> ResponseReturnValue:
    filters = StaffFilterForm(request.args)
    page = paginate(get_session(), staff_statement(_filters(filters)))
    return render_template("staff/index.html", page=page, filters=filters)


@bp.route("/new", methods=["GET", "POST"])
@requires(Capability.MANAGE_STAFF)
def new() -> ResponseReturnValue:
    db = get_session()
    form = StaffForm()
    form.sites.choices, sites = _site_choices(db)
    if not form.validate_on_submit():
        return render_template("staff/form.html", form=form, staff=None)
    password = generate_password(form.username.data or "")
    with committing(db, show_refusal=False) as outcome:
        staff = create_staff(
            db,
            current_staff(),
            username=form.username.data or "",
            display_name=form.display_name.data or "",
            role=Role(form.role.data),
            sites=[sites[site_id] for site_id in form.sites.data or [] if site_id in sites],
            password=password,
            must_change=True,
        )
    refusal = outcome.refusal
    if refusal is None:
        # As after a reset: a page of its own, so that a reload cannot add the account again.
        cookie_session[RESET_TO_SHOW] = {
            "staff_id": staff.id,
            "password": password,
            "created": True,
        }
        return redirect(url_for("staff.new_password", staff_id=staff.id))
    if isinstance(refusal, UsernameTaken):
        twin = just_added_by(db, current_staff(), form.username.data or "")
        if twin is not None:
            return _already_added(twin)
    (form.sites if isinstance(refusal, NoSiteChosen) else form.username).errors = [str(refusal)]
    return render_template("staff/form.html", form=form, staff=None)


def _already_added(staff: Staff) -> ResponseReturnValue:
    """The answer to "Add staff member" sent twice: the account the first one made."""
    waiting = cookie_session.get(RESET_TO_SHOW)
    if isinstance(waiting, dict) and waiting.get("staff_id") == staff.id:
        return redirect(url_for("staff.new_password", staff_id=staff.id))
    flash(
        _(
            "%(name)s (%(username)s) was added by your first tap, whose page showed the password "
            "once only. If it was not noted, reset the password.",
            name=staff.display_name,
            username=staff.username,
        ),
        "info",
    )
    return redirect(url_for("staff.edit", staff_id=staff.id))


@bp.route("/<int:staff_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_STAFF)
def edit(staff_id: int) -> ResponseReturnValue:
    db = get_session()
    staff = get_staff_or_404(db, staff_id, for_update=request.method == "POST")
    form = EditStaffForm(obj=None if request.method == "POST" else staff)
    form.sites.choices, sites = _site_choices(db)
    if request.method == "GET":
        # Set after the form is built: given obj, WTForms fills these from staff.role (an enum)
        # and staff.sites (Site objects), which match no choice, so nothing would be ticked and
        # saving the page unchanged would take every site away.
        form.role.data = staff.role.value
        form.sites.data = [site.id for site in staff.sites]
    if form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            update_staff(
                db,
                current_staff(),
                staff,
                display_name=form.display_name.data or "",
                role=Role(form.role.data),
                sites=[sites[site_id] for site_id in form.sites.data or [] if site_id in sites],
            )
            outcome.say(_("Saved %(name)s.", name=staff.display_name))
        refusal = outcome.refusal
        if refusal is None:
            return redirect(url_for("staff.index"))
        (form.sites if isinstance(refusal, NoSiteChosen) else form.role).errors = [str(refusal)]
    return render_template(
        "staff/form.html",
        form=form,
        staff=staff,
        confirm=ConfirmForm(),
        reset_two_factor=ResetTwoFactorForm(),
        two_factor={"enrolled": is_enrolled(staff), "required": two_factor_required(staff)},
    )


@bp.post("/<int:staff_id>/deactivate")
@requires(Capability.MANAGE_STAFF)
def deactivate(staff_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    staff = get_staff_or_404(db, staff_id, for_update=True)
    with committing(db) as outcome:
        ended = deactivate_staff(db, current_staff(), staff)
        outcome.say(
            ngettext(
                "%(name)s is deactivated; %(num)d open session ended.",
                "%(name)s is deactivated; %(num)d open sessions ended.",
                ended,
                name=staff.display_name,
            )
        )
    if outcome.refused:
        return redirect(url_for("staff.edit", staff_id=staff_id))
    return redirect(url_for("staff.index"))


@bp.post("/<int:staff_id>/reset-two-factor")
@requires(Capability.MANAGE_STAFF)
def two_factor(staff_id: int) -> ResponseReturnValue:
    """A colleague lost their phone: their two-factor is cleared, their sessions end, and they
    set it up again at their next sign-in.
    """
    form = ResetTwoFactorForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("Choose why two-factor sign-in is being reset; nothing was changed."), "error")
        return redirect(url_for("staff.edit", staff_id=staff_id))
    db = get_session()
    staff = get_staff_or_404(db, staff_id, for_update=True)
    with committing(db) as outcome:
        ended = reset_two_factor(db, current_staff(), staff, form.reason.data or "")
        outcome.say(
            ngettext(
                "Two-factor sign-in of %(name)s is reset; %(num)d open session ended. They set "
                "it up again when they next sign in.",
                "Two-factor sign-in of %(name)s is reset; %(num)d open sessions ended. They set "
                "it up again when they next sign in.",
                ended,
                name=staff.display_name,
            )
        )
    return redirect(url_for("staff.edit", staff_id=staff_id))


@bp.post("/<int:staff_id>/reactivate")
@requires(Capability.MANAGE_STAFF)
def reactivate(staff_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    staff = get_staff_or_404(db, staff_id, for_update=True)
    with committing(db) as outcome:
        reactivate_staff(db, current_staff(), staff)
        outcome.say(_("%(name)s is active again.", name=staff.display_name))
    if outcome.refused:
        return redirect(url_for("staff.edit", staff_id=staff_id))
    return redirect(url_for("staff.index"))


@bp.post("/<int:staff_id>/reset-password")
@requires(Capability.MANAGE_STAFF)
def password(staff_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    staff = get_staff_or_404(db, staff_id, for_update=True)
    new_password = generate_password(staff.username)
    with committing(db) as outcome:
        reset_password(db, current_staff(), staff, new_password)
    if outcome.refused:
        return redirect(url_for("staff.edit", staff_id=staff_id))
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
            _(
                "The new password of %(name)s was shown once only and cannot be shown again. "
                "If it was not noted, reset the password again.",
                name=staff.display_name,
            ),
            "info",
        )
        return redirect(url_for("staff.edit", staff_id=staff.id))
    return render_template(
        "staff/password.html",
        staff=staff,
        password=waiting["password"],
        reset=not waiting.get("created"),
    )
