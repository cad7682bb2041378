"""Handover pages: compose, submit, acknowledge, addenda, history, and shift set-up."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.auth.guard import current_site, current_staff, is_htmx, roles_required
from sitesys.auth.roles import CLINICAL_ROLES
from sitesys.db import get_session, utcnow
from sitesys.handovers import setup_views
from sitesys.handovers.forms import (
    AcknowledgeForm,
    ActionForm,
    AddendumForm,
    DraftForm,
    HistoryFilterForm,
    draft_form_for,
)
from sitesys.handovers.models import (
    Handover,
    HandoverAlert,
    HandoverAlertKind,
    IllnessSeverity,
)
from sitesys.handovers.services import (
    Draft,
    HandoverError,
    HandoverIncomplete,
    acknowledge_handover,
    add_action,
    add_addendum,
    find_handover,
    refresh_snapshot,
    remove_action,
    save_draft,
    start_handover,
    submission_problems,
    submit_handover,
)
from sitesys.handovers.setup import (
    shift_after,
    shift_now,
    site_shifts,
)
from sitesys.pagination import paginate
from sitesys.sites.models import Site
from sitesys.staff.forms import ConfirmForm

bp = Blueprint("handovers", __name__, url_prefix="/handovers")


def get_handover_or_404(session: Session, handover_id: uuid.UUID, site: Site) -> Handover:
    handover = session.scalar(
        select(Handover)
        .where(Handover.id == handover_id, Handover.site_id == site.id)
        .options(
            selectinload(Handover.people),
            selectinload(Handover.stock),
            selectinload(Handover.actions),
            selectinload(Handover.addenda),
            joinedload(Handover.outgoing_lead),
            joinedload(Handover.acknowledged_by),
        )
    )
    if handover is None:
        abort(404)
    return handover


@bp.get("/")
@roles_required(*CLINICAL_ROLES)
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
    if filters.date_from.data and not filters.date_from.errors:
        start = datetime.combine(filters.date_from.data, time(0), tzinfo=site.zone)
        statement = statement.where(Handover.shift_starts_at >= start)
    if filters.date_to.data and not filters.date_to.errors:
        end = datetime.combine(filters.date_to.data, time(0), tzinfo=site.zone) + timedelta(days=1)
        statement = statement.where(Handover.shift_starts_at < end)
    if filters.shift.data:
        statement = statement.where(Handover.shift_name == filters.shift.data)
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
        current=shift_now(db, site, now),
        upcoming=shift_after(db, site, now),
    )


@bp.get("/current")
@roles_required(*CLINICAL_ROLES)
def current() -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    shift = shift_now(db, site, utcnow())
    if shift is None:
        return render_template("handovers/no_shift.html", has_shifts=bool(site_shifts(db, site)))
    existing = find_handover(db, site, shift)
    if existing is not None:
        return redirect(url_for("handovers.show", handover_id=existing.id))
    return render_template("handovers/start.html", shift=shift, confirm=ConfirmForm())


@bp.post("/start")
@roles_required(*CLINICAL_ROLES)
def start() -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    site = current_site()
    shift = shift_now(db, site, utcnow())
    if shift is None:
        flash("There is no shift running now, so there is nothing to hand over.", "error")
        return redirect(url_for("handovers.current"))
    handover = start_handover(db, current_staff(), site, shift)
    db.commit()
    return redirect(url_for("handovers.show", handover_id=handover.id))


@bp.get("/<uuid:handover_id>")
@roles_required(*CLINICAL_ROLES)
def show(handover_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    if not handover.is_frozen:
        return _compose(handover, draft_form_for(handover))
    return _frozen(handover)


def _compose(
    handover: Handover, form: DraftForm, status: int = 200, problems: list[str] | None = None
) -> ResponseReturnValue:
    return (
        render_template(
            "handovers/compose.html",
            handover=handover,
            form=form,
            action_form=ActionForm(),
            confirm=ConfirmForm(),
            problems=problems or [],
        ),
        status,
    )


def _frozen(handover: Handover, status: int = 200, **forms: object) -> ResponseReturnValue:
    return (
        render_template(
            "handovers/show.html",
            handover=handover,
            ack_form=forms.get("ack_form") or AcknowledgeForm(),
            addendum_form=forms.get("addendum_form") or AddendumForm(),
            can_acknowledge=handover.outgoing_lead_id != current_staff().id,
        ),
        status,
    )


def _draft(form: DraftForm, handover: Handover) -> Draft:
    return Draft(
        summary=form.summary.data,
        situation_awareness=form.situation_awareness.data,
        notes=form.notes.data,
        severities={
            person.id: IllnessSeverity(value)
            if (value := getattr(form, f"severity_{person.id}").data)
            else None
            for person in handover.people
        },
        stock={row.id: getattr(form, f"stock_{row.id}").data for row in handover.stock},
    )


@bp.post("/<uuid:handover_id>/draft")
@roles_required(*CLINICAL_ROLES)
def draft(handover_id: uuid.UUID) -> ResponseReturnValue:
    """Save the draft: on every change when JavaScript is on, or with the Save draft button."""
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    form = draft_form_for(handover)
    if not form.validate_on_submit():
        if is_htmx():
            return render_template("handovers/_save_status.html", error=True), 422
        return _compose(handover, form, 422)
    try:
        save_draft(db, current_staff(), handover, _draft(form, handover))
    except HandoverError as refused:
        db.rollback()
        flash(str(refused), "error")
        return redirect(url_for("handovers.show", handover_id=handover_id))
    db.commit()
    if is_htmx():
        return render_template("handovers/_save_status.html", handover=handover, error=False)
    flash("Draft saved.", "success")
    return redirect(url_for("handovers.show", handover_id=handover.id))


@bp.post("/<uuid:handover_id>/submit")
@roles_required(*CLINICAL_ROLES)
def submit(handover_id: uuid.UUID) -> ResponseReturnValue:
    """Save what is on the screen, then freeze the handover if it is complete."""
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    form = draft_form_for(handover)
    if not form.validate_on_submit():
        return _compose(handover, form, 422)
    staff = current_staff()
    try:
        save_draft(db, staff, handover, _draft(form, handover))
        submit_handover(db, staff, handover)
    except HandoverIncomplete as incomplete:
        db.commit()  # what was typed is kept; only the submission is refused
        return _compose(handover, draft_form_for(handover), 422, incomplete.problems)
    except HandoverError as refused:
        db.rollback()
        flash(str(refused), "error")
        return redirect(url_for("handovers.show", handover_id=handover_id))
    db.commit()
    flash("Handover submitted. The incoming lead acknowledges it under their own login.", "success")
    return redirect(url_for("handovers.show", handover_id=handover.id))


@bp.post("/<uuid:handover_id>/refresh")
@roles_required(*CLINICAL_ROLES)
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
@roles_required(*CLINICAL_ROLES)
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
@roles_required(*CLINICAL_ROLES)
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
@roles_required(*CLINICAL_ROLES)
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
@roles_required(*CLINICAL_ROLES)
def addenda(handover_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    form = AddendumForm()
    if not form.validate_on_submit():
        return _frozen(handover, 422, addendum_form=form)
    try:
        add_addendum(db, current_staff(), handover, form.text.data or "", form.reason.data or "")
    except HandoverError as refused:
        db.rollback()
        flash(str(refused), "error")
    else:
        db.commit()
        flash("Addendum added below the handover.", "success")
    return redirect(url_for("handovers.show", handover_id=handover_id))


@bp.get("/<uuid:handover_id>/print")
@roles_required(*CLINICAL_ROLES)
def printable(handover_id: uuid.UUID) -> ResponseReturnValue:
    handover = get_handover_or_404(get_session(), handover_id, current_site())
    return render_template(
        "handovers/print.html", handover=handover, problems=submission_problems(handover)
    )


# The admin's shift and stock set-up lives in setup_views.py, on this blueprint.
bp.add_url_rule("/setup/<int:site_id>", "setup", setup_views.setup, methods=["GET", "POST"])
bp.add_url_rule(
    "/setup/<any(shifts, items):kind>/<int:record_id>/retire",
    "retire",
    setup_views.retire,
    methods=["POST"],
)
