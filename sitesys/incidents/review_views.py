"""Manager review: take into review, findings, actions with owners, close, reopen."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.db import get_session
from sitesys.forms import ConfirmForm, choices
from sitesys.incidents.forms import ReopenForm, ReviewActionForm, ReviewForm
from sitesys.incidents.loading import get_incident_or_404, get_review_action_or_404
from sitesys.incidents.models import Incident
from sitesys.incidents.report_views import render_show, site_staff_choices
from sitesys.incidents.review import (
    ReviewActionRefused,
    ReviewChanged,
    ReviewInput,
    add_review_action,
    close_incident,
    complete_review_action,
    record_review,
    reopen_incident,
    take_into_review,
)
from sitesys.incidents.services import IncidentError
from sitesys.refusals import NotAllowed


def _locked(incident_id: uuid.UUID) -> Incident:
    return get_incident_or_404(get_session(), incident_id, current_site(), for_update=True)


def _step(incident: Incident, step: Callable[[], object], message: str) -> ResponseReturnValue:
    """Run one review step, commit once, and say what happened (or why nothing did)."""
    db = get_session()
    try:
        step()
    except NotAllowed:
        abort(403)
    except IncidentError as error:
        db.rollback()
        flash(str(error), "error")
    else:
        db.commit()
        flash(message, "success")
    return redirect(url_for("incidents.show", incident_id=incident.id))


@requires(Capability.REVIEW_INCIDENTS)
def take(incident_id: uuid.UUID) -> ResponseReturnValue:
    incident = _locked(incident_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _step(
        incident,
        lambda: take_into_review(get_session(), current_staff(), incident),
        "Taken into review. You are its reviewer.",
    )


@requires(Capability.REVIEW_INCIDENTS)
def save_review(incident_id: uuid.UUID) -> ResponseReturnValue:
    incident = _locked(incident_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return render_show(incident, review_form=form, status=422)
    review = ReviewInput(
        findings=form.findings.data or "",
        contributing_factors=form.contributing_factors.data or "",
        learning=form.learning.data or "",
    )
    db = get_session()
    try:
        record_review(db, current_staff(), incident, review, version=form.version.data or "")
    except NotAllowed:
        abort(403)
    except ReviewChanged as changed:
        db.rollback()
        flash(str(changed), "error")
        return render_show(incident, unsaved_review=review, status=409)
    except IncidentError as error:
        db.rollback()
        flash(str(error), "error")
    else:
        db.commit()
        flash("Review saved.", "success")
    return redirect(url_for("incidents.show", incident_id=incident.id))


@requires(Capability.REVIEW_INCIDENTS)
def add_action(incident_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    incident = _locked(incident_id)
    form = ReviewActionForm()
    form.owner.choices = choices(
        [("", "Choose the owner")]
        + [(str(p.id), p.display_name) for p in site_staff_choices(db, current_site(), [])]
    )
    if not form.validate_on_submit() or form.due_on.data is None:
        return render_show(incident, review_action_form=form, status=422)
    try:
        add_review_action(
            db,
            current_staff(),
            incident,
            description=form.description.data or "",
            owner_id=int(form.owner.data),
            due_on=form.due_on.data,
            submission_key=form.submission_key.data,
        )
    except NotAllowed:
        abort(403)
    except ReviewActionRefused as refused:
        db.rollback()
        field = getattr(form, refused.field)
        field.errors = [*field.errors, str(refused)]
        return render_show(incident, review_action_form=form, status=422)
    except IncidentError as error:
        db.rollback()
        flash(str(error), "error")
        return redirect(url_for("incidents.show", incident_id=incident.id))
    db.commit()
    flash("Review action added.", "success")
    return redirect(url_for("incidents.show", incident_id=incident.id))


@requires(Capability.REVIEW_INCIDENTS)
def action_done(incident_id: uuid.UUID, review_action_id: int) -> ResponseReturnValue:
    incident = _locked(incident_id)
    action = get_review_action_or_404(get_session(), incident, review_action_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _step(
        incident,
        lambda: complete_review_action(get_session(), current_staff(), incident, action),
        "Review action marked done.",
    )


@requires(Capability.REVIEW_INCIDENTS)
def close(incident_id: uuid.UUID) -> ResponseReturnValue:
    incident = _locked(incident_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _step(
        incident,
        lambda: close_incident(get_session(), current_staff(), incident),
        "Incident closed.",
    )


@requires(Capability.REVIEW_INCIDENTS)
def reopen(incident_id: uuid.UUID) -> ResponseReturnValue:
    incident = _locked(incident_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return render_show(incident, reopen_form=form, status=422)
    reason = form.reason.data or ""
    return _step(
        incident,
        lambda: reopen_incident(get_session(), current_staff(), incident, reason),
        "Incident reopened into review.",
    )
