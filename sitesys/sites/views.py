"""Admin pages for sites and booths."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.auth.guard import current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.db import get_session
from sitesys.forms import ConfirmForm
from sitesys.sites.forms import BoothForm, OutOfServiceForm, SiteForm, SubstanceForm
from sitesys.sites.models import (
    Booth,
    BoothKind,
    Site,
    SubstanceOption,
)
from sitesys.sites.services import (
    BoothKindLocked,
    SettingsChanged,
    SiteError,
    SiteSettings,
    add_booth,
    add_substance,
    create_site,
    mark_clean,
    return_to_service,
    set_retired,
    set_substance_active,
    settings_version,
    site_substances,
    take_out_of_service,
    update_booth,
    update_site,
)

bp = Blueprint("sites", __name__, url_prefix="/sites")


def get_site_or_404(session: Session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        abort(404)
    return site


def get_booth_or_404(session: Session, booth_id: int) -> Booth:
    booth = session.get(Booth, booth_id)
    if booth is None:
        abort(404)
    return booth


#: What a new site starts with (the form is filled with it, and an empty field falls back to it).
NEW_SITE = SiteSettings(name="")
#: The settings the new-site form shows filled in.
PREFILLED = (
    "closing_time",
    "code_hint",
    "code_pattern",
    "idle_timeout_minutes",
    "absolute_timeout_hours",
    "booth_check_minutes",
    "aftercare_check_minutes",
    "close_watch_minutes",
    "handover_ack_minutes",
    "draft_reminder_hours",
    "custody_alert_minutes",
    "result_days",
)


def _settings(form: SiteForm) -> SiteSettings:
    given = {
        name: getattr(form, name).data or getattr(NEW_SITE, name)
        for name in ("time_zone", *PREFILLED)
    }
    return SiteSettings(
        name=form.name.data or "",
        is_active=bool(form.is_active.data),
        public_alerts_enabled=bool(form.public_alerts_enabled.data),
        **given,
    )


@bp.get("/")
@requires(Capability.MANAGE_SITES)
def index() -> ResponseReturnValue:
    db = get_session()
    counts: dict[int, int] = dict(
        db.execute(  # type: ignore[arg-type]
            select(Booth.site_id, func.count())
            .where(Booth.is_retired.is_(False))
            .group_by(Booth.site_id)
        ).all()
    )
    sites = list(db.scalars(select(Site).order_by(Site.name).limit(500)))
    return render_template("sites/index.html", sites=sites, booth_counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@requires(Capability.MANAGE_SITES)
def new() -> ResponseReturnValue:
    form = SiteForm()
    if request.method == "GET":
        for name in PREFILLED:
            getattr(form, name).data = getattr(NEW_SITE, name)
    if form.validate_on_submit():
        db = get_session()
        try:
            site = create_site(db, current_staff(), _settings(form))
        except SiteError as error:
            form.name.errors = [str(error)]
        else:
            db.commit()
            flash(f"Created {site.name}. Add its booths next.", "success")
            return redirect(url_for("sites.booths", site_id=site.id))
    return render_template("sites/form.html", form=form, site=None)


@bp.route("/<int:site_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_SITES)
def edit(site_id: int) -> ResponseReturnValue:
    db = get_session()
    site = get_site_or_404(db, site_id)
    form = SiteForm(obj=site)
    if request.method == "GET":
        form.version.data = settings_version(site)
    if form.validate_on_submit():
        try:
            update_site(
                db, current_staff(), site, _settings(form), opened_version=form.version.data or ""
            )
        except SettingsChanged as error:
            # Show the settings as they are now, to be changed again from there.
            flash(str(error), "error")
            form = SiteForm(formdata=None, obj=site)
            form.version.data = settings_version(site)
            return render_template("sites/form.html", form=form, site=site), 409
        except SiteError as error:
            form.name.errors = [str(error)]
        else:
            db.commit()
            flash(f"Saved {site.name}.", "success")
            return redirect(url_for("sites.index"))
    return render_template("sites/form.html", form=form, site=site)


@bp.route("/<int:site_id>/booths", methods=["GET", "POST"])
@requires(Capability.MANAGE_SITES)
def booths(site_id: int) -> ResponseReturnValue:
    db = get_session()
    site = get_site_or_404(db, site_id)
    form = BoothForm()
    if form.validate_on_submit():
        try:
            booth = add_booth(
                db,
                current_staff(),
                site,
                label=form.label.data or "",
                kind=BoothKind(form.kind.data),
                position=form.position.data or 0,
            )
        except SiteError as error:
            form.label.errors = [str(error)]
        else:
            db.commit()
            flash(f"Added Booth {booth.label}.", "success")
            return redirect(url_for("sites.booths", site_id=site.id))
    return render_template(
        "sites/booths.html",
        site=site,
        form=form,
        out_of_service=OutOfServiceForm(prefix="oos"),
        confirm=ConfirmForm(),
    )


@bp.route("/booths/<int:booth_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_SITES)
def edit_booth(booth_id: int) -> ResponseReturnValue:
    db = get_session()
    booth = get_booth_or_404(db, booth_id)
    form = BoothForm(obj=booth)
    if request.method == "GET":
        form.kind.data = booth.kind.value
    if form.validate_on_submit():
        try:
            update_booth(
                db,
                current_staff(),
                booth,
                label=form.label.data or "",
                kind=BoothKind(form.kind.data),
                position=form.position.data or 0,
            )
        except BoothKindLocked as error:
            form.kind.errors = [str(error)]
        except SiteError as error:
            form.label.errors = [str(error)]
        else:
            db.commit()
            flash(f"Saved Booth {booth.label}.", "success")
            return redirect(url_for("sites.booths", site_id=booth.site_id))
    return render_template("sites/booth_form.html", form=form, booth=booth)


@bp.post("/booths/<int:booth_id>/<action>")
@requires(Capability.MANAGE_SITES)
def booth_action(booth_id: int, action: str) -> ResponseReturnValue:
    db = get_session()
    booth = get_booth_or_404(db, booth_id)
    actor = current_staff()
    try:
        if action == "out-of-service":
            form = OutOfServiceForm(prefix="oos")
            if not form.validate_on_submit():
                raise SiteError(
                    "Give a reason for taking the booth out of service."
                    if form.csrf_token.errors == []
                    else "The form had expired; try again."
                )
            take_out_of_service(db, actor, booth, form.reason.data or "")
            message = f"Booth {booth.label} is out of service."
        else:
            if not ConfirmForm().validate_on_submit():
                abort(400)
            if action == "back-in-service":
                return_to_service(db, actor, booth)
                message = f"Booth {booth.label} is back in service and needs cleaning."
            elif action == "clean":
                mark_clean(db, actor, booth)
                message = f"Booth {booth.label} is clean and free."
            elif action in ("retire", "restore"):
                set_retired(db, actor, booth, action == "retire")
                message = (
                    f"Booth {booth.label} is {'retired' if action == 'retire' else 'restored'}."
                )
            else:
                abort(404)
    except SiteError as error:
        db.rollback()
        flash(str(error), "error")
    else:
        db.commit()
        flash(message, "success")
    return redirect(url_for("sites.booths", site_id=booth.site_id))


@bp.route("/<int:site_id>/substances", methods=["GET", "POST"])
@requires(Capability.MANAGE_SITES)
def substances(site_id: int) -> ResponseReturnValue:
    db = get_session()
    site = get_site_or_404(db, site_id)
    form = SubstanceForm()
    if form.validate_on_submit():
        try:
            option = add_substance(db, current_staff(), site, form.label.data or "")
        except SiteError as error:
            form.label.errors = [str(error)]
        else:
            db.commit()
            flash(f"Added {option.label} to the pick-list.", "success")
            return redirect(url_for("sites.substances", site_id=site.id))
    return render_template(
        "sites/substances.html",
        site=site,
        form=form,
        options=site_substances(db, site),
        confirm=ConfirmForm(),
    )


@bp.post("/substances/<int:option_id>/<action>")
@requires(Capability.MANAGE_SITES)
def substance_action(option_id: int, action: str) -> ResponseReturnValue:
    db = get_session()
    option = db.get(SubstanceOption, option_id)
    if option is None or action not in ("show", "hide"):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    set_substance_active(db, current_staff(), option, action == "show")
    db.commit()
    flash(f"{option.label} is {'shown' if action == 'show' else 'hidden'} at the desk.", "success")
    return redirect(url_for("sites.substances", site_id=option.site_id))
