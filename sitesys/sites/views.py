"""Admin pages for sites and booths."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select

from sitesys.auth.guard import current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.db import committing, get_session
from sitesys.forms import ConfirmForm
from sitesys.sites.booths import mark_clean, return_to_service, set_retired, take_out_of_service
from sitesys.sites.forms import (
    BoothForm,
    OutOfServiceForm,
    SiteForm,
    SubstanceForm,
    language_settings,
    show_languages,
)
from sitesys.sites.loaders import (
    get_booth_or_404,
    get_site_or_404,
    get_substance_or_404,
    sites_managed_by,
)
from sitesys.sites.models import Booth, BoothKind, Site, SubstanceOption
from sitesys.sites.services import (
    BoothKindLocked,
    SettingsChanged,
    SiteSettings,
    add_booth,
    add_substance,
    create_site,
    set_substance_active,
    settings_version,
    site_substances,
    update_booth,
    update_site,
)

bp = Blueprint("sites", __name__, url_prefix="/sites")


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
    "retain_notes_years",
    "retain_clients_years",
    "naloxone_prompt_minutes",
    "bladder_screen_days",
    "suppression_threshold",
)


def _settings(form: SiteForm, site: Site | None = None) -> SiteSettings:
    given = {
        name: getattr(form, name).data or getattr(NEW_SITE, name)
        for name in ("time_zone", *PREFILLED, "privacy_contact", "privacy_legal_basis")
    }
    return SiteSettings(
        name=form.name.data or "",
        is_active=bool(form.is_active.data),
        public_alerts_enabled=bool(form.public_alerts_enabled.data),
        desk_rescue_actions=bool(form.desk_rescue_actions.data),
        two_factor_for_all=bool(form.two_factor_for_all.data),
        **given,
        **language_settings(form, site),
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
        with committing(db, show_refusal=False) as outcome:
            site = create_site(db, current_staff(), _settings(form))
            outcome.say(_("Created %(site)s. Add its booths next.", site=site.name))
        if not outcome.refused:
            return redirect(url_for("sites.booths", site_id=site.id))
        form.name.errors = [str(outcome.refusal)]
    return render_template("sites/form.html", form=form, site=None)


@bp.route("/<int:site_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_SITES)
def edit(site_id: int) -> ResponseReturnValue:
    db = get_session()
    posted = request.method == "POST"
    site = get_site_or_404(db, site_id, sites_managed_by(current_staff()), for_update=posted)
    form = SiteForm(obj=site)
    if not posted:
        form.version.data = settings_version(site)
        show_languages(form, site)
    if form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            update_site(
                db,
                current_staff(),
                site,
                _settings(form, site),
                opened_version=form.version.data or "",
            )
            outcome.say(_("Saved %(site)s.", site=site.name))
        if not outcome.refused:
            return redirect(url_for("sites.index"))
        if isinstance(outcome.refusal, SettingsChanged):
            # Show the settings as they are now, to be changed again from there.
            flash(str(outcome.refusal), outcome.refusal.category)
            form = SiteForm(formdata=None, obj=site)
            form.version.data = settings_version(site)
            show_languages(form, site)
            return render_template("sites/form.html", form=form, site=site), 409
        form.name.errors = [str(outcome.refusal)]
    return render_template("sites/form.html", form=form, site=site)


@bp.route("/<int:site_id>/booths", methods=["GET", "POST"])
@requires(Capability.MANAGE_SITES)
def booths(site_id: int) -> ResponseReturnValue:
    db = get_session()
    site = get_site_or_404(db, site_id, sites_managed_by(current_staff()))
    form = BoothForm()
    if form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            booth = add_booth(
                db,
                current_staff(),
                site,
                label=form.label.data or "",
                kind=BoothKind(form.kind.data),
                position=form.position.data or 0,
            )
            outcome.say(_("Added Booth %(booth)s.", booth=booth.label))
        if not outcome.refused:
            return redirect(url_for("sites.booths", site_id=site_id))
        form.label.errors = [str(outcome.refusal)]
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
    posted = request.method == "POST"
    booth = get_booth_or_404(db, booth_id, sites_managed_by(current_staff()), for_update=posted)
    form = BoothForm(obj=booth)
    if not posted:
        form.kind.data = booth.kind.value
    if form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            update_booth(
                db,
                current_staff(),
                booth,
                label=form.label.data or "",
                kind=BoothKind(form.kind.data),
                position=form.position.data or 0,
            )
            outcome.say(_("Saved Booth %(booth)s.", booth=booth.label))
        if not outcome.refused:
            return redirect(url_for("sites.booths", site_id=booth.site_id))
        problem = form.kind if isinstance(outcome.refusal, BoothKindLocked) else form.label
        problem.errors = [str(outcome.refusal)]
    return render_template("sites/booth_form.html", form=form, booth=booth)


def _booth_to_change(booth_id: int) -> Booth:
    """The booth a set-up action changes, locked; the action's confirmation checked (400)."""
    booth = get_booth_or_404(
        get_session(), booth_id, sites_managed_by(current_staff()), for_update=True
    )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return booth


def _back_to_booths(site_id: int) -> ResponseReturnValue:
    return redirect(url_for("sites.booths", site_id=site_id))


@bp.post("/booths/<int:booth_id>/out-of-service")
@requires(Capability.MANAGE_SITES)
def booth_out_of_service(booth_id: int) -> ResponseReturnValue:
    db = get_session()
    booth = get_booth_or_404(db, booth_id, sites_managed_by(current_staff()), for_update=True)
    site_id = booth.site_id
    form = OutOfServiceForm(prefix="oos")
    if not form.validate_on_submit():
        expired = bool(form.csrf_token.errors)
        flash(
            _("The form had expired; try again.")
            if expired
            else _("Give a reason for taking the booth out of service."),
            "error",
        )
        return _back_to_booths(site_id)
    with committing(db) as outcome:
        outcome.say(take_out_of_service(db, current_staff(), booth, form.reason.data or ""))
    return _back_to_booths(site_id)


@bp.post("/booths/<int:booth_id>/back-in-service")
@requires(Capability.MANAGE_SITES)
def booth_back_in_service(booth_id: int) -> ResponseReturnValue:
    db = get_session()
    booth = _booth_to_change(booth_id)
    site_id = booth.site_id
    with committing(db) as outcome:
        outcome.say(return_to_service(db, current_staff(), booth))
    return _back_to_booths(site_id)


@bp.post("/booths/<int:booth_id>/clean")
@requires(Capability.MANAGE_SITES)
def clean_booth(booth_id: int) -> ResponseReturnValue:
    db = get_session()
    booth = _booth_to_change(booth_id)
    site_id = booth.site_id
    with committing(db) as outcome:
        outcome.say(mark_clean(db, current_staff(), booth))
    return _back_to_booths(site_id)


@bp.post("/booths/<int:booth_id>/retire")
@requires(Capability.MANAGE_SITES)
def retire_booth(booth_id: int) -> ResponseReturnValue:
    db = get_session()
    booth = _booth_to_change(booth_id)
    site_id = booth.site_id
    with committing(db) as outcome:
        outcome.say(set_retired(db, current_staff(), booth, retired=True))
    return _back_to_booths(site_id)


@bp.post("/booths/<int:booth_id>/restore")
@requires(Capability.MANAGE_SITES)
def restore_booth(booth_id: int) -> ResponseReturnValue:
    db = get_session()
    booth = _booth_to_change(booth_id)
    site_id = booth.site_id
    with committing(db) as outcome:
        outcome.say(set_retired(db, current_staff(), booth, retired=False))
    return _back_to_booths(site_id)


@bp.route("/<int:site_id>/substances", methods=["GET", "POST"])
@requires(Capability.MANAGE_SITES)
def substances(site_id: int) -> ResponseReturnValue:
    db = get_session()
    site = get_site_or_404(db, site_id, sites_managed_by(current_staff()))
    form = SubstanceForm()
    if form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            option = add_substance(db, current_staff(), site, form.label.data or "")
            outcome.say(_("Added %(substance)s to the pick-list.", substance=option.label))
        if not outcome.refused:
            return redirect(url_for("sites.substances", site_id=site_id))
        form.label.errors = [str(outcome.refusal)]
    return render_template(
        "sites/substances.html",
        site=site,
        form=form,
        options=site_substances(db, site),
        confirm=ConfirmForm(),
    )


def _substance_to_change(option_id: int) -> SubstanceOption:
    """The pick-list entry an action changes, locked; the action's confirmation checked (400)."""
    option = get_substance_or_404(
        get_session(), option_id, sites_managed_by(current_staff()), for_update=True
    )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return option


@bp.post("/substances/<int:option_id>/show")
@requires(Capability.MANAGE_SITES)
def show_substance(option_id: int) -> ResponseReturnValue:
    db = get_session()
    option = _substance_to_change(option_id)
    with committing(db) as outcome:
        set_substance_active(db, current_staff(), option, active=True)
        outcome.say(_("%(substance)s is shown at the desk.", substance=option.label))
    return redirect(url_for("sites.substances", site_id=option.site_id))


@bp.post("/substances/<int:option_id>/hide")
@requires(Capability.MANAGE_SITES)
def hide_substance(option_id: int) -> ResponseReturnValue:
    db = get_session()
    option = _substance_to_change(option_id)
    with committing(db) as outcome:
        set_substance_active(db, current_staff(), option, active=False)
        outcome.say(_("%(substance)s is hidden at the desk.", substance=option.label))
    return redirect(url_for("sites.substances", site_id=option.site_id))
