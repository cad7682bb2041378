"""Recording observations from a visit: quick check, full set, strike-through, SpO2 scale."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.auth.guard import current_site, current_staff, safe_next
from sitesys.auth.permissions import Capability, requires
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.checkin.models import Visit
from sitesys.clock import nearest_instant, utcnow
from sitesys.db import get_session
from sitesys.incidents.floor import open_incident_for_visit
from sitesys.observations.forms import ObservationForm, QuickCheckForm, ScaleForm, StrikeForm
from sitesys.observations.models import Observation, Pupils
from sitesys.observations.record import observation_page
from sitesys.observations.scoring import Consciousness, Poss, SpO2Scale, format_rass
from sitesys.observations.services import (
    ObservationError,
    ObservationInput,
    VisitHasLeft,
    record_observation,
    record_quick_check,
    set_spo2_scale,
    strike_observation,
)
from sitesys.sites.models import Site

bp = Blueprint("observations", __name__)

# RASS as the form and the reasons write it: a true minus sign, and a plus for agitation.
bp.add_app_template_filter(format_rass, "rass")


def _observed_at(site: Site, wall: time | None) -> datetime | None:
    """A wall-clock time typed at the site, as the instant with that time nearest to now.

    At 00:05, "23:50" is yesterday's; at 12:00, "12:05" is five minutes ahead (and refused as
    in the future) rather than yesterday's (and refused as too long ago); at 23:58, "00:02" is
    tomorrow's, also in the future. The service then judges the instant.
    """
    if wall is None:
        return None
    return nearest_instant(wall, site.zone, utcnow())


def _reading(form: ObservationForm) -> ObservationInput:
    return ObservationInput(
        consciousness=Consciousness(form.consciousness.data),
        respiratory_rate=form.respiratory_rate.data,
        spo2=form.spo2.data,
        on_oxygen=bool(form.on_oxygen.data),
        pulse=form.pulse.data,
        systolic_bp=form.systolic_bp.data,
        temperature=form.temperature.data,
        poss=Poss(form.poss.data) if form.poss.data else None,
        rass=int(form.rass.data) if form.rass.data not in (None, "") else None,
        pupils=Pupils(form.pupils.data) if form.pupils.data else None,
        vomiting={"yes": True, "no": False}.get(form.vomiting.data or ""),
        note=form.note.data,
    )


def _back_to(visit: Visit) -> str:
    return safe_next(request.args.get("next")) or url_for("checkin.visit", visit_id=visit.id)


def _announce(db: Session, visit: Visit, observation: Observation) -> None:
    if observation.news2_partial:
        flash(f"Observation saved: {observation.score_summary}.", "success")
    elif observation.news2_total is not None:
        flash(
            f"Observation saved: NEWS2 {observation.news2_total} ({observation.level_label}).",
            "success",
        )
    else:
        flash("Observation saved.", "success")
    if observation.prompts_emergency:
        reasons = "; ".join(observation.reason_list or ["NEWS2 high"])
        if open_incident_for_visit(db, visit) is not None:
            # Telling the team to start what they are already doing sends them to the start
            # button in the middle of the response; say it is running and why it still matters.
            flash(f"Emergency response running: {reasons}", "warning")
        else:
            flash(f"Start emergency response now: {reasons}", "error")


@bp.route("/visits/<uuid:visit_id>/observations/new", methods=["GET", "POST"])
@requires(Capability.RECORD_OBSERVATIONS)
def new(visit_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    visit = get_visit_or_404(db, visit_id, site, for_update=request.method == "POST")
    form = ObservationForm()
    if not form.submission_key.data:
        form.submission_key.data = str(uuid.uuid4())
    error = None
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        observed_at = _observed_at(site, form.observed_at.data)
        try:
            observation = record_observation(
                db,
                current_staff(),
                visit,
                _reading(form),
                form.submission_key.data,
                observed_at=observed_at,
                backdate_reason=form.backdate_reason.data,
            )
        except (ObservationError, ValueError) as refused:
            db.rollback()
            error = str(refused)
            if isinstance(refused, VisitHasLeft):
                status = 409
        else:
            db.commit()
            _announce(db, visit, observation)
            return redirect(_back_to(visit))
    return render_template("observations/new.html", form=form, visit=visit, error=error), status


@bp.post("/visits/<uuid:visit_id>/quick-check")
@requires(Capability.RECORD_OBSERVATIONS)
def quick_check(visit_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site(), for_update=True)
    form = QuickCheckForm()
    if not form.validate_on_submit():
        flash("That button was out of date; tap Quick check again.", "error")
        return redirect(_back_to(visit))
    try:
        observation = record_quick_check(db, current_staff(), visit, form.submission_key.data)
    except ObservationError as refused:
        db.rollback()
        flash(str(refused), "error")
        return redirect(_back_to(visit))
    db.commit()
    flash(
        f"Quick check recorded at {observation.recorded_at.astimezone(visit.site.zone):%H:%M}: "
        "responsive, breathing normally.",
        "success",
    )
    return redirect(_back_to(visit))


@bp.post("/observations/<int:observation_id>/strike")
@requires(Capability.RECORD_OBSERVATIONS)
def strike(observation_id: int) -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    observation = db.scalar(
        select(Observation)
        .join(Visit, Visit.id == Observation.visit_id)
        .where(Observation.id == observation_id, Visit.site_id == site.id)
        .with_for_update(of=Observation)
    )
    if observation is None:
        abort(404)
    form = StrikeForm()
    if not form.validate_on_submit():
        # The reason's own message (missing or too long); a stale form has none of its own.
        flash(next(iter(form.reason.errors), "The form was out of date; try again."), "error")
    else:
        try:
            strike_observation(db, current_staff(), observation, form.reason.data or "")
        except ObservationError as refused:
            db.rollback()
            flash(str(refused), "error")
        else:
            db.commit()
            flash("Observation struck through; it stays on the record with your reason.", "success")
    return redirect(
        safe_next(request.args.get("next"))
        or url_for("checkin.visit", visit_id=observation.visit_id)
    )


@bp.get("/visits/<uuid:visit_id>/observations")
@requires(Capability.RECORD_OBSERVATIONS)
def index(visit_id: uuid.UUID) -> ResponseReturnValue:
    """All of a visit's observations, a page at a time: the visit page shows the newest only."""
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site())
    page = observation_page(db, visit, request.args.get("page", 1, type=int))
    if page is None:
        abort(404)
    return render_template(
        "observations/index.html", visit=visit, page=page, strike_form=StrikeForm()
    )


@bp.post("/visits/<uuid:visit_id>/spo2-scale")
@requires(Capability.RECORD_OBSERVATIONS)
def scale(visit_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site(), for_update=True)
    form = ScaleForm()
    if not form.validate_on_submit():
        flash("Choose a scale and give the clinical reason.", "error")
        return redirect(url_for("checkin.visit", visit_id=visit.id))
    try:
        set_spo2_scale(
            db, current_staff(), visit, SpO2Scale(int(form.scale.data)), form.reason.data or ""
        )
    except ObservationError as refused:
        db.rollback()
        flash(str(refused), "error")
    else:
        db.commit()
        flash(f"SpO2 scale {form.scale.data} is used for this visit from now on.", "success")
    return redirect(url_for("checkin.visit", visit_id=visit.id))
