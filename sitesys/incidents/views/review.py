"""Manager review: take into review, findings, actions with owners, close, reopen."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.db import get_session
from sitesys.forms import ConfirmForm
from sitesys.incidents.forms import ReopenForm, ReviewActionForm, ReviewForm
from sitesys.incidents.loaders import get_incident_or_404, get_review_action_or_404
from sitesys.incidents.review import (
    ReviewActionRefused,
    ReviewInput,
    add_review_action,
    close_incident,
    complete_review_action,
    record_review,
    reopen_incident,
    take_into_review,
)
from sitesys.incidents.views import bp, committing_or_403
from sitesys.incidents.views.report import offer_owners, render_show
from sitesys.versions.services import SavedElsewhere


@bp.post("/<uuid:incident_id>/review/take")
@requires(Capability.REVIEW_INCIDENTS)
def take(incident_id: uuid.UUID) -> ResponseReturnValue:
    """Take a submitted report into review, as its reviewer."""
    db = get_session()
    incident = get_incident_or_404(db, incident_id, current_site(), for_update=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with committing_or_403(db) as outcome:
        take_into_review(db, current_staff(), incident)
        outcome.say(_("Taken into review. You are its reviewer."))
    return redirect(url_for("incidents.show", incident_id=incident.id))


@bp.post("/<uuid:incident_id>/review")
@requires(Capability.REVIEW_INCIDENTS)
def save_review(incident_id: uuid.UUID) -> ResponseReturnValue:
    """Save the findings, contributing factors and learning."""
    db = get_session()
    incident = get_incident_or_404(db, incident_id, current_site(), for_update=True)
    form = ReviewForm()
    if not form.validate_on_submit():
        return render_show(incident, review_form=form, status=422)
    review = ReviewInput(
        findings=form.findings.data or "",
        contributing_factors=form.contributing_factors.data or "",
        learning=form.learning.data or "",
    )
    with committing_or_403(db) as outcome:
        record_review(db, current_staff(), incident, review, version=form.version.data or "")
        outcome.say(_("Review saved."))
    if isinstance(outcome.refusal, SavedElsewhere):
        # Another tab saved first: the review as it is now, with this tab's text beside it.
        return render_show(incident, unsaved_review=review, status=409)
    return redirect(url_for("incidents.show", incident_id=incident.id))


@bp.post("/<uuid:incident_id>/review/actions", endpoint="add_review_action")
@requires(Capability.REVIEW_INCIDENTS)
def add_action(incident_id: uuid.UUID) -> ResponseReturnValue:
    """Add an action the review decided on, with its owner and due date."""
    db = get_session()
    site = current_site()
    incident = get_incident_or_404(db, incident_id, site, for_update=True)
    form = ReviewActionForm()
    offer_owners(form, db, site)
    if not form.validate_on_submit() or form.due_on.data is None:
        return render_show(incident, review_action_form=form, status=422)
    with committing_or_403(db, show_refusal=False) as outcome:
        add_review_action(
            db,
            current_staff(),
            incident,
            description=form.description.data or "",
            owner_id=int(form.owner.data),
            due_on=form.due_on.data,
            submission_key=form.submission_key.data,
        )
        outcome.say(_("Review action added."))
    refused = outcome.refusal
    if isinstance(refused, ReviewActionRefused):
        field = getattr(form, refused.field)
        field.errors = [*field.errors, str(refused)]
        return render_show(incident, review_action_form=form, status=422)
    if refused is not None:
        flash(str(refused), refused.category)
    return redirect(url_for("incidents.show", incident_id=incident.id))


@bp.post("/<uuid:incident_id>/review/actions/<int:review_action_id>/done")
@requires(Capability.REVIEW_INCIDENTS)
def review_action_done(incident_id: uuid.UUID, review_action_id: int) -> ResponseReturnValue:
    """Mark a review action done."""
    db = get_session()
    incident = get_incident_or_404(db, incident_id, current_site(), for_update=True)
    action = get_review_action_or_404(db, review_action_id, incident)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with committing_or_403(db) as outcome:
        complete_review_action(db, current_staff(), incident, action)
        outcome.say(_("Review action marked done."))
    return redirect(url_for("incidents.show", incident_id=incident.id))


@bp.post("/<uuid:incident_id>/close")
@requires(Capability.REVIEW_INCIDENTS)
def close(incident_id: uuid.UUID) -> ResponseReturnValue:
    """Close a reviewed incident."""
    db = get_session()
    incident = get_incident_or_404(db, incident_id, current_site(), for_update=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with committing_or_403(db) as outcome:
        close_incident(db, current_staff(), incident)
        outcome.say(_("Incident closed."))
    return redirect(url_for("incidents.show", incident_id=incident.id))


@bp.post("/<uuid:incident_id>/reopen")
@requires(Capability.REVIEW_INCIDENTS)
def reopen(incident_id: uuid.UUID) -> ResponseReturnValue:
    """Reopen a closed incident into review, with a reason kept in its history."""
    db = get_session()
    incident = get_incident_or_404(db, incident_id, current_site(), for_update=True)
    form = ReopenForm()
    if not form.validate_on_submit():
        return render_show(incident, reopen_form=form, status=422)
    with committing_or_403(db) as outcome:
        reopen_incident(db, current_staff(), incident, form.reason.data or "")
        outcome.say(_("Incident reopened into review."))
    return redirect(url_for("incidents.show", incident_id=incident.id))
