"""The ketamine bladder screen: asked (or skipped) from the visit page, its result with the advice
and the referral it calls for, and striking one through.
"""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.care.bladder import (
    TRIAGE_NOT_DIAGNOSIS,
    ScreenResult,
    Symptom,
    UseFrequency,
    assess,
)
from sitesys.care.forms import BladderScreenForm, StrikeScreenForm
from sitesys.care.loaders import get_bladder_screen_or_404
from sitesys.care.models import ReferralType, Urgency
from sitesys.care.screens import record_screen, screen_status, strike_screen
from sitesys.care.views import bp
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.db import committing, get_session


@bp.route("/visits/<uuid:visit_id>/bladder-screen", methods=["GET", "POST"])
@requires(Capability.SCREEN_CLIENTS)
def bladder_screen(visit_id: uuid.UUID) -> ResponseReturnValue:
    db, site = get_session(), current_site()
    visit = get_visit_or_404(db, visit_id, site, for_update=request.method == "POST")
    form = BladderScreenForm()
    if request.method == "GET":
        form.submission_key.data = str(uuid.uuid4())
        status = screen_status(db, site, visit)
        if status.this_visit is not None:
            return redirect(url_for("care.bladder_result", screen_id=status.this_visit.id))
    elif form.validate_on_submit():
        skipped = bool(form.skip.data)
        with committing(db, show_refusal=False) as outcome:
            screened = record_screen(
                db,
                current_staff(),
                site,
                visit,
                submission_key=form.submission_key.data,
                symptoms={Symptom(s) for s in form.symptoms.data or []},
                use_frequency=UseFrequency(form.use_frequency.data)
                if form.use_frequency.data
                else None,
                skipped=skipped,
            )
            outcome.say(
                _("Bladder screen skipped for this visit.")
                if skipped
                else _("Bladder screen recorded: %(result)s.", result=screened.screen.result.label),
                "info" if skipped else "success",
            )
        if outcome.refusal is None:
            if skipped:
                return redirect(url_for("checkin.visit", visit_id=visit.id))
            return redirect(url_for("care.bladder_result", screen_id=screened.screen.id))
        flash(str(outcome.refusal), outcome.refusal.category)
        return redirect(url_for("checkin.visit", visit_id=visit.id))
    return (
        render_template(
            "care/bladder_screen.html",
            form=form,
            visit=visit,
            triage=TRIAGE_NOT_DIAGNOSIS,
            interval=site.bladder_screen_days,
        ),
        422 if request.method == "POST" else 200,
    )


@bp.get("/bladder-screens/<uuid:screen_id>")
@requires(Capability.SCREEN_CLIENTS)
def bladder_result(screen_id: uuid.UUID) -> ResponseReturnValue:
    db, site = get_session(), current_site()
    screen = get_bladder_screen_or_404(db, screen_id, site)
    assessment = assess(frozenset(screen.symptoms))
    return render_template(
        "care/bladder_result.html",
        screen=screen,
        skipped=screen.result is ScreenResult.SKIPPED,
        assessment=assessment,
        triage=TRIAGE_NOT_DIAGNOSIS,
        referral_type=ReferralType.UROLOGY.value,
        referral_urgency=(Urgency.URGENT if assessment.same_day_review else Urgency.SOON).value,
        strike_form=StrikeScreenForm(),
    )


@bp.post("/bladder-screens/<uuid:screen_id>/strike")
@requires(Capability.SCREEN_CLIENTS)
def strike_bladder_screen(screen_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    screen = get_bladder_screen_or_404(db, screen_id, current_site(), for_update=True)
    form = StrikeScreenForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for striking the screen through."), "error")
        return redirect(url_for("care.bladder_result", screen_id=screen_id))
    with committing(db) as outcome:
        strike_screen(db, current_staff(), screen, form.reason.data or "")
        outcome.say(_("Screen struck through; it stays on the record."))
    return redirect(url_for("care.bladder_result", screen_id=screen_id))
