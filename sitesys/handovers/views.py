"""Handover pages: history, starting one, the handover itself, actions, acknowledgement,
addenda and printing (the draft's saving is in draft_views.py, shift set-up in setup_views.py).
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.clock import day_bounds, utcnow
from sitesys.db import get_session
from sitesys.forms import ConfirmForm
from sitesys.handovers import draft_views, setup_views
from sitesys.handovers.forms import (
    AcknowledgeForm,
    ActionForm,
    AddendumForm,
    HistoryFilterForm,
    draft_form_for,
)
from sitesys.handovers.loading import get_handover_or_404
from sitesys.handovers.models import (
    Handover,
    HandoverAlert,
    HandoverAlertKind,
)
from sitesys.handovers.services import (
    HandoverError,
    acknowledge_handover,
    add_action,
    add_addendum,
    handover_choices,
    refresh_snapshot,
    remove_action,
    start_handover,
    submission_problems,
)
from sitesys.handovers.setup import shift_after, site_shifts
from sitesys.pagination import paginate

bp = Blueprint("handovers", __name__, url_prefix="/handovers")


@bp.get("/")
@requires(Capability.HAND_OVER)
def index() -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    filters = HistoryFilterForm(request.args)
    filters.validate()
    statement = (
        select(Handover)
        .where(Handover.site_id == site.id)
        .options(joinedload(Handover.outgoing_lead), joinedload(Handover.acknowledged_by))
        .order_by(Handover.shift_starts_at.desc())
    )
    start, end = day_bounds(
        None if filters.date_from.errors else filters.date_from.data,
        None if filters.date_to.errors else filters.date_to.data,
        site.zone,
    )
    if start is not None:
        statement = statement.where(Handover.shift_starts_at >= start)
    if end is not None:
        statement = statement.where(Handover.shift_starts_at < end)
    if filters.shift.data and not filters.shift.errors:
        # "late" finds the Late shift: shift names are unique at a site without regard to case.
        statement = statement.where(func.lower(Handover.shift_name) == filters.shift.data.lower())
    page = paginate(db, statement)
    flagged = set(
        db.scalars(
            select(HandoverAlert.shift_key).where(
                HandoverAlert.site_id == site.id,
                HandoverAlert.kind == HandoverAlertKind.UNACKNOWLEDGED,
                HandoverAlert.cleared_at.is_(None),
            )
        )
    )
    now = utcnow()
    return render_template(
        "handovers/index.html",
        page=page,
        filters=filters,
        flagged=flagged,
        choices=handover_choices(db, site, now),
        upcoming=shift_after(db, site, now),
    )


@bp.get("/current")
@requires(Capability.HAND_OVER)
def current() -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    now = utcnow()
    choices = handover_choices(db, site, now)
    if not choices:
        return render_template("handovers/no_shift.html", has_shifts=bool(site_shifts(db, site)))
    only = choices[0][1] if len(choices) == 1 else None
    if only is not None:
        return redirect(url_for("handovers.show", handover_id=only.id))
    return render_template("handovers/start.html", choices=choices, now=now, confirm=ConfirmForm())


@bp.post("/start")
@requires(Capability.HAND_OVER)
def start() -> ResponseReturnValue:
    """Start the handover of the shift the lead chose (by its key) among those offered now."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    site = current_site()
    choices = handover_choices(db, site, utcnow())
    key = request.form.get("shift", "")
    shift = next((shift for shift, _ in choices if shift.key == key), None)
    if shift is None and not key and len(choices) == 1:
        shift = choices[0][0]  # a form from before the choice existed: only one shift to start
    if shift is None:
        if not choices:
            message = "There is no shift running now, so there is nothing to hand over."
        elif key:
            message = "That shift can no longer be handed over here; choose one of these."
        else:
            message = "Several shifts can be handed over now; choose which one."
        flash(message, "error")
        return redirect(url_for("handovers.current"))
    handover = start_handover(db, current_staff(), site, shift)
    db.commit()
    return redirect(url_for("handovers.show", handover_id=handover.id))


@bp.get("/<uuid:handover_id>")
@requires(Capability.HAND_OVER)
def show(handover_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    if not handover.is_frozen:
        return draft_views.compose(handover, draft_form_for(handover))
    return _frozen(handover)


def _frozen(handover: Handover, status: int = 200, **forms: object) -> ResponseReturnValue:
    addendum_form = forms.get("addendum_form") or AddendumForm()
    if isinstance(addendum_form, AddendumForm) and not addendum_form.submission_key.data:
        # A fresh key per form shown: sent twice, it adds one addendum.
        addendum_form.submission_key.data = str(uuid.uuid4())
    return (
        render_template(
            "handovers/show.html",
            handover=handover,
            ack_form=forms.get("ack_form") or AcknowledgeForm(),
            addendum_form=addendum_form,
            can_acknowledge=handover.outgoing_lead_id != current_staff().id,
        ),
        status,
    )


@bp.post("/<uuid:handover_id>/refresh")
@requires(Capability.HAND_OVER)
def refresh(handover_id: uuid.UUID) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    site = current_site()
    handover = get_handover_or_404(db, handover_id, site)
    try:
        refresh_snapshot(db, current_staff(), handover, site)
    except HandoverError as refused:
        db.rollback()
        flash(str(refused), "error")
    else:
        db.commit()
        flash("Snapshot taken again from the floor as it is now.", "success")
    return redirect(url_for("handovers.show", handover_id=handover_id))


@bp.post("/<uuid:handover_id>/actions")
@requires(Capability.HAND_OVER)
def actions(handover_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    form = ActionForm()
    if not form.validate_on_submit():
        flash("An action needs what is to be done and who owns it.", "error")
        return redirect(url_for("handovers.show", handover_id=handover_id))
    try:
        add_action(
            db,
            current_staff(),
            handover,
            form.what.data or "",
            form.owner.data or "",
            form.by_when.data,
        )
    except HandoverError as refused:
        db.rollback()
        flash(str(refused), "error")
    else:
        db.commit()
        flash("Action added.", "success")
    return redirect(url_for("handovers.show", handover_id=handover_id) + "#actions")


@bp.post("/<uuid:handover_id>/actions/<int:action_id>/remove")
@requires(Capability.HAND_OVER)
def remove(handover_id: uuid.UUID, action_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    try:
        remove_action(db, current_staff(), handover, action_id)
    except HandoverError as refused:
        db.rollback()
        flash(str(refused), "error")
    else:
        db.commit()
        flash("Action removed from the draft.", "success")
    return redirect(url_for("handovers.show", handover_id=handover_id) + "#actions")


@bp.post("/<uuid:handover_id>/acknowledge")
@requires(Capability.HAND_OVER)
def acknowledge(handover_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        return _frozen(handover, 422, ack_form=form)
    try:
        acknowledge_handover(db, current_staff(), handover, form.readback_note.data)
    except HandoverError as refused:
        db.rollback()
        flash(str(refused), "error")
        return redirect(url_for("handovers.show", handover_id=handover_id))
    db.commit()
    flash(f"You acknowledged the {handover.shift_name} handover.", "success")
    return redirect(url_for("handovers.show", handover_id=handover_id))


@bp.post("/<uuid:handover_id>/addenda")
@requires(Capability.HAND_OVER)
def addenda(handover_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    form = AddendumForm()
    if not form.validate_on_submit():
        return _frozen(handover, 422, addendum_form=form)
    try:
        add_addendum(
            db,
            current_staff(),
            handover,
            form.text.data or "",
            form.reason.data or "",
            form.submission_key.data or "",
        )
    except HandoverError as refused:
        db.rollback()
        flash(str(refused), "error")
    else:
        db.commit()
        flash("Addendum added below the handover.", "success")
    return redirect(url_for("handovers.show", handover_id=handover_id))


@bp.get("/<uuid:handover_id>/print")
@requires(Capability.HAND_OVER)
def printable(handover_id: uuid.UUID) -> ResponseReturnValue:
    handover = get_handover_or_404(get_session(), handover_id, current_site())
    return render_template(
        "handovers/print.html", handover=handover, problems=submission_problems(handover)
    )


# Saving and submitting the draft live in draft_views.py, on this blueprint.
bp.add_url_rule("/<uuid:handover_id>/draft", "draft", draft_views.draft, methods=["POST"])
bp.add_url_rule("/<uuid:handover_id>/submit", "submit", draft_views.submit, methods=["POST"])
# The admin's shift and stock set-up lives in setup_views.py, on this blueprint.
bp.add_url_rule("/setup/<int:site_id>", "setup", setup_views.setup, methods=["GET", "POST"])
bp.add_url_rule(
    "/setup/<any(shifts, items):kind>/<int:record_id>/retire",
    "retire",
    setup_views.retire,
    methods=["POST"],
)
