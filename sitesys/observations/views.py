"""Recording observations from a visit: quick check, full set, strike-through, SpO2 scale."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from sitesys.audit.reads import audit_read
from sitesys.auth.guard import current_site, current_staff, is_htmx, safe_next
from sitesys.auth.permissions import Capability, requires
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.checkin.models import Visit
from sitesys.clock import nearest_instant, utcnow, written
from sitesys.db import Outcome, committing, get_session
from sitesys.incidents.floor import open_incident_for_visit
from sitesys.observations.forms import ObservationForm, QuickCheckForm, ScaleForm, StrikeForm
from sitesys.observations.loaders import get_observation_or_404
from sitesys.observations.models import Observation, Pupils
from sitesys.observations.record import last_readings, observation_page
from sitesys.observations.scoring import Consciousness, Poss, SpO2Scale, format_rass
from sitesys.observations.services import (
    FormAlreadyUsed,
    FullSetAdvised,
    ObservationInput,
    VisitHasLeft,
    full_set_advice,
    full_set_reason,
    record_observation,
    record_quick_check,
    set_spo2_scale,
    strike_observation,
)

bp = Blueprint("observations", __name__)

# RASS as the form and the reasons write it: a true minus sign, and a plus for agitation.
bp.add_app_template_filter(format_rass, "rass")


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


def _next() -> str | None:
    """Where the nurse came from (the board, say), from the action's query string or the form;
    only a path on this site, never another site a crafted link names.
    """
    return safe_next(request.values.get("next"))


def _back_to(visit: Visit) -> str:
    return _next() or url_for("checkin.visit", visit_id=visit.id)


def _go(target: str) -> ResponseReturnValue:
    """Redirect; a button that posted through htmx (a board tile) is sent on by a full page
    change, so the page it goes to is never swapped into the tile.
    """
    if is_htmx():
        response = Response(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _announce(outcome: Outcome, db: Session, visit: Visit, observation: Observation) -> None:
    """Say what was saved: the score, and what to do about it when it asks for an emergency."""
    if observation.news2_partial:
        outcome.say(_("Observation saved: %(score)s.", score=observation.score_summary))
    elif observation.news2_total is not None:
        outcome.say(
            # TRANSLATORS: clinical ("Observation saved: NEWS2 5 (Medium).")
            _(
                "Observation saved: NEWS2 %(total)s (%(level)s).",
                total=observation.news2_total,
                level=observation.level_label,
            )
        )
    else:
        outcome.say(_("Observation saved."))
    if observation.prompts_emergency:
        # TRANSLATORS: clinical (a reason that prompts an emergency response)
        reasons = "; ".join(observation.reason_list or [_("NEWS2 high")])
        if open_incident_for_visit(db, visit) is not None:
            # Telling the team to start what they are already doing sends them to the start
            # button in the middle of the response; say it is running and why it still matters.
            # TRANSLATORS: clinical
            outcome.say(_("Emergency response running: %(reasons)s", reasons=reasons), "warning")
        else:
            # TRANSLATORS: clinical
            outcome.say(_("Start emergency response now: %(reasons)s", reasons=reasons), "error")


@bp.route("/visits/<uuid:visit_id>/observations/new", methods=["GET", "POST"])
@requires(Capability.RECORD_OBSERVATIONS)
def new(visit_id: uuid.UUID) -> ResponseReturnValue:
    """The full set: NEWS2 scored at once, red flags and close watch with it."""
    db = get_session()
    site = current_site()
    visit = get_visit_or_404(db, visit_id, site, for_update=request.method == "POST")
    form = ObservationForm()
    if not form.submission_key.data:
        form.submission_key.data = str(uuid.uuid4())
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _render_new(form, visit, status=status)
    # A nurse recording late types a time of day; it is the nearest instant with that time.
    typed = form.observed_at.data
    observed_at = None if typed is None else nearest_instant(typed, site.zone, utcnow())
    with committing(db, show_refusal=False) as outcome:
        observation = record_observation(
            db,
            current_staff(),
            visit,
            _reading(form),
            form.submission_key.data,
            observed_at=observed_at,
            backdate_reason=form.backdate_reason.data,
        )
        _announce(outcome, db, visit, observation)
    if outcome.refusal is not None:
        if isinstance(outcome.refusal, FormAlreadyUsed):
            form.submission_key.data = str(uuid.uuid4())  # this client's reading is a new one
        # The client left meanwhile, or the form was used before: a conflict, not bad input.
        conflict = isinstance(outcome.refusal, VisitHasLeft | FormAlreadyUsed)
        return _render_new(form, visit, error=str(outcome.refusal), status=409 if conflict else 422)
    return redirect(_back_to(visit))


def _render_new(
    form: ObservationForm, visit: Visit, *, error: str | None = None, status: int
) -> ResponseReturnValue:
    return (
        render_template(
            "observations/new.html",
            form=form,
            visit=visit,
            error=error,
            last=last_readings(get_session(), visit),
            back=_back_to(visit),
        ),
        status,
    )


@bp.post("/visits/<uuid:visit_id>/quick-check")
@requires(Capability.RECORD_OBSERVATIONS)
def quick_check(visit_id: uuid.UUID) -> ResponseReturnValue:
    """One tap: responsive and breathing normally, now. From the visit page or a board tile
    (which sends `next`); while a full set is advised, the nurse is asked first.
    """
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site(), for_update=True)
    form = QuickCheckForm()
    if not form.validate_on_submit():
        flash(_("That button was out of date; tap Quick check again."), "error")
        return _go(_back_to(visit))
    with committing(db, show_refusal=False) as outcome:
        observation = record_quick_check(
            db,
            current_staff(),
            visit,
            form.submission_key.data,
            despite_advice=form.despite_advice.data == "yes",
        )
        outcome.say(
            # TRANSLATORS: clinical
            _(
                "Quick check recorded at %(time)s: responsive, breathing normally.",
                time=written(observation.recorded_at.astimezone(visit.site.zone), "%H:%M"),
            )
        )
    if isinstance(outcome.refusal, FullSetAdvised):
        # Nothing recorded: the question page offers the full set first.
        return _go(url_for("observations.full_set_question", visit_id=visit.id, next=_next()))
    if outcome.refusal is not None:
        flash(str(outcome.refusal), outcome.refusal.category)
    return _go(_back_to(visit))


@bp.get("/visits/<uuid:visit_id>/quick-check")
@requires(Capability.RECORD_OBSERVATIONS)
def full_set_question(visit_id: uuid.UUID) -> ResponseReturnValue:
    """The question asked, without script, when a quick check is tapped while the latest full
    set raised a red flag or close watch: "Record a full set instead?"
    """
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site())
    worrying = full_set_advice(db, visit)
    if worrying is None:
        # Nothing to ask any more (a calmer full set came meanwhile, or the client left).
        return redirect(url_for("checkin.visit", visit_id=visit.id))
    return render_template(
        "observations/full_set_question.html",
        visit=visit,
        reason=full_set_reason(visit, worrying),
        form=QuickCheckForm(submission_key=str(uuid.uuid4()), despite_advice="yes"),
        next=_next(),
        back=_back_to(visit),
    )


@bp.post("/observations/<int:observation_id>/strike")
@requires(Capability.RECORD_OBSERVATIONS)
def strike(observation_id: int) -> ResponseReturnValue:
    """Strike a mistaken observation through; it stays on the record with the reason."""
    db = get_session()
    observation = get_observation_or_404(db, observation_id, current_site(), for_update=True)
    back = safe_next(request.args.get("next")) or url_for(
        "checkin.visit", visit_id=observation.visit_id
    )
    form = StrikeForm()
    if not form.validate_on_submit():
        # The reason's own message (missing or too long); a stale form has none of its own.
        flash(
            str(next(iter(form.reason.errors), _("The form was out of date; try again."))), "error"
        )
        return redirect(back)
    with committing(db) as outcome:
        strike_observation(db, current_staff(), observation, form.reason.data or "")
        outcome.say(_("Observation struck through; it stays on the record with your reason."))
    return redirect(back)


@bp.get("/visits/<uuid:visit_id>/observations")
@requires(Capability.RECORD_OBSERVATIONS)
def index(visit_id: uuid.UUID) -> ResponseReturnValue:
    """All of a visit's observations, a page at a time: the visit page shows the newest only."""
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site())
    page = observation_page(db, visit, request.args.get("page", 1, type=int))
    if page is None:
        abort(404)
    audit_read("visit.observations_read", visit, page=page.number)
    return render_template(
        "observations/index.html", visit=visit, page=page, strike_form=StrikeForm()
    )


@bp.post("/visits/<uuid:visit_id>/spo2-scale")
@requires(Capability.RECORD_OBSERVATIONS)
def scale(visit_id: uuid.UUID) -> ResponseReturnValue:
    """Set the SpO2 scale the visit's observations are scored on, with the clinical reason."""
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site(), for_update=True)
    form = ScaleForm()
    if not form.validate_on_submit():
        flash(_("Choose a scale and give the clinical reason."), "error")
        return redirect(url_for("checkin.visit", visit_id=visit.id))
    chosen = SpO2Scale(int(form.scale.data))
    with committing(db) as outcome:
        set_spo2_scale(db, current_staff(), visit, chosen, form.reason.data or "")
        outcome.say(
            _("SpO2 scale %(scale)s is used for this visit from now on.", scale=int(chosen))
        )
    return redirect(url_for("checkin.visit", visit_id=visit.id))
