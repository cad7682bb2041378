"""Handover pages: compose, submit, acknowledge, addenda, history, and shift set-up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

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
    draft_version,
)
from sitesys.handovers.models import (
    Handover,
    HandoverAlert,
    HandoverAlertKind,
    IllnessSeverity,
)
from sitesys.handovers.services import (
    Draft,
    DraftConflict,
    HandoverError,
    HandoverFrozen,
    HandoverIncomplete,
    acknowledge_handover,
    add_action,
    add_addendum,
    handover_choices,
    refresh_snapshot,
    remove_action,
    save_draft,
    start_handover,
    submission_problems,
    submit_handover,
)
from sitesys.handovers.setup import shift_after, site_shifts
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
        choices=handover_choices(db, site, now),
        upcoming=shift_after(db, site, now),
    )


@bp.get("/current")
@roles_required(*CLINICAL_ROLES)
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
@roles_required(*CLINICAL_ROLES)
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
@roles_required(*CLINICAL_ROLES)
def show(handover_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    if not handover.is_frozen:
        return _compose(handover, draft_form_for(handover))
    return _frozen(handover)


def _compose(
    handover: Handover,
    form: DraftForm,
    status: int = 200,
    problems: list[str] | None = None,
    unsaved: list[Unsaved] | None = None,
    conflict: datetime | None = None,
) -> ResponseReturnValue:
    return (
        render_template(
            "handovers/compose.html",
            handover=handover,
            form=form,
            action_form=ActionForm(),
            confirm=ConfirmForm(),
            problems=problems or [],
            unsaved=unsaved or [],
            conflict=conflict,
        ),
        status,
    )


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


#: Fields of the draft form that are not the lead's typing.
_CONTROL_FIELDS = frozenset({"csrf_token", "version", "save"})


@dataclass(frozen=True)
class Unsaved:
    """A field whose typing failed a check, so its saved value was left as it was."""

    field_id: str
    label: str
    message: str


def _unsaved(form: DraftForm) -> list[Unsaved]:
    return [
        Unsaved(f.id, f.label.text, f.errors[0])
        for f in form
        if f.errors and f.name not in _CONTROL_FIELDS
    ]


def _draft(form: DraftForm, handover: Handover) -> Draft:
    """What the form holds; a field that failed its check keeps its saved value (a draft is a
    draft: one bad count must not throw away the summary typed beside it).
    """
    invalid = set(form.errors)

    def text(name: str, saved: str | None) -> str | None:
        return saved if name in invalid else getattr(form, name).data

    return Draft(
        summary=text("summary", handover.summary),
        situation_awareness=text("situation_awareness", handover.situation_awareness),
        notes=text("notes", handover.notes),
        severities={
            person.id: IllnessSeverity(value)
            if (value := getattr(form, f"severity_{person.id}").data)
            else None
            for person in handover.people
            if f"severity_{person.id}" not in invalid
        },
        stock={
            row.id: getattr(form, f"stock_{row.id}").data
            for row in handover.stock
            if f"stock_{row.id}" not in invalid
        },
    )


def _save_status(**context: object) -> ResponseReturnValue:
    """The autosave's answer: the status line, and beside each field whether it was saved.

    Always 200: htmx 2 swaps no 4xx answer by default, and a status line left saying "Draft
    saved" after a refused save is how typing was lost. The words say what happened.
    """
    return render_template("handovers/_save_status.html", **context)


#: A form without a readable version is treated as loaded before any save: it is refused.
_STALE = datetime.min.replace(tzinfo=UTC)


def _save(handover_id: uuid.UUID, submitting: bool) -> ResponseReturnValue:
    """Save the valid part of the draft; then, if asked and nothing was refused, submit it."""
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    form = draft_form_for(handover)
    form.validate()
    unsaved = _unsaved(form)
    staff = current_staff()
    try:
        save_draft(db, staff, handover, _draft(form, handover), form.loaded_version() or _STALE)
        if submitting and not unsaved:
            submit_handover(db, staff, handover)
    except HandoverFrozen as frozen:
        db.rollback()
        if is_htmx():
            return _save_status(frozen=True, submitted_at=frozen.submitted_at)
        flash(str(frozen), "error")
        return redirect(url_for("handovers.show", handover_id=handover_id))
    except DraftConflict as conflict:
        db.rollback()
        if is_htmx():
            return _save_status(conflict=conflict.saved_at)
        return _compose(handover, form, 409, conflict=conflict.saved_at)
    except HandoverIncomplete as incomplete:
        db.commit()  # what was typed is kept; only the submission is refused
        form.version.data = draft_version(handover)
        return _compose(handover, form, 422, incomplete.problems)
    db.commit()
    form.version.data = draft_version(handover)  # the next save from this page builds on this one
    if is_htmx():
        return _save_status(handover=handover, form=form, unsaved=unsaved)
    if unsaved:
        return _compose(handover, form, 422, unsaved=unsaved)
    if submitting:
        flash(
            "Handover submitted. The incoming lead acknowledges it under their own login.",
            "success",
        )
    else:
        flash("Draft saved.", "success")
    return redirect(url_for("handovers.show", handover_id=handover.id))


@bp.post("/<uuid:handover_id>/draft")
@roles_required(*CLINICAL_ROLES)
def draft(handover_id: uuid.UUID) -> ResponseReturnValue:
    """Save the draft: on every change when JavaScript is on, or with the Save draft button."""
    return _save(handover_id, submitting=False)


@bp.post("/<uuid:handover_id>/submit")
@roles_required(*CLINICAL_ROLES)
def submit(handover_id: uuid.UUID) -> ResponseReturnValue:
    """Save what is on the screen, then freeze the handover if it is complete."""
    return _save(handover_id, submitting=True)


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
