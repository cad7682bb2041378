"""The handover draft page: composing it, saving as the lead types, and submitting it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_site, current_staff, is_htmx
from sitesys.auth.permissions import Capability, requires
from sitesys.db import committing, get_session
from sitesys.forms import ConfirmForm
from sitesys.handovers.forms import ActionForm, DraftForm, draft_form_for
from sitesys.handovers.loaders import get_handover_or_404
from sitesys.handovers.models import Handover, IllnessSeverity
from sitesys.handovers.services import (
    DRAFT,
    Draft,
    HandoverFrozen,
    draft_fields,
    draft_values,
    draft_version,
    draft_wanted,
    save_and_submit,
)
from sitesys.handovers.views import bp
from sitesys.supplies.stock import stock_take_from_handover
from sitesys.versions.queries import count_versions
from sitesys.versions.services import SavedElsewhere, typing_not_saved

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


@dataclass(frozen=True)
class Conflict:
    """A save refused because the draft was changed after this page was loaded: when, by whom."""

    saved_at: datetime
    saved_by: str | None


def _save(handover_id: uuid.UUID, submitting: bool) -> ResponseReturnValue:
    """Save the valid part of the draft; then, if asked and nothing was refused, submit it."""
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site(), for_update=True)
    form = draft_form_for(handover)
    form.validate()
    unsaved = _unsaved(form)
    with committing(db, show_refusal=False) as outcome:
        problems = save_and_submit(
            db,
            current_staff(),
            handover,
            _draft(form, handover),
            form.version.data or "",
            submit=submitting and not unsaved,
        )
        if submitting and not (unsaved or problems):
            # The lead's counts that differ from the stock ledger are a stock-take (supplies/).
            stock_take_from_handover(
                db,
                current_staff(),
                current_site(),
                [(row.id, row.item, row.count) for row in handover.stock],
            )
        if not (is_htmx() or unsaved or problems):
            outcome.say(
                _("Handover submitted. The incoming lead acknowledges it under their own login.")
                if submitting
                else _("Draft saved.")
            )
    refusal = outcome.refusal
    if isinstance(refusal, SavedElsewhere):
        conflict = Conflict(refusal.saved_at or handover.saved_at, refusal.saved_by)
        if is_htmx():
            # The typing stays in the fields on the screen; the status line says it was not
            # saved and why.
            return _save_status(conflict=conflict)
        # The draft as it is now, to make the change again on, and this page's typing beside
        # it so that none of it is lost.
        typed = typing_not_saved(
            draft_fields(handover, draft_wanted(handover, _draft(form, handover))),
            draft_fields(handover, draft_values(handover)),
        )
        return compose(
            handover, draft_form_for(handover, as_saved=True), 409, conflict=conflict, typed=typed
        )
    if isinstance(refusal, HandoverFrozen):
        if is_htmx():
            return _save_status(frozen=True, submitted_at=refusal.submitted_at)
        flash(str(refusal), refusal.category)
        return redirect(url_for("handovers.show", handover_id=handover_id))
    if refusal is not None:
        # No other refusal is expected of a save; shown as any refusal is.
        flash(str(refusal), refusal.category)
        return redirect(url_for("handovers.show", handover_id=handover_id))
    form.version.data = draft_version(handover)  # the next save from this page builds on this one
    if problems:
        return compose(handover, form, 422, problems)
    if is_htmx():
        return _save_status(handover=handover, form=form, unsaved=unsaved)
    if unsaved:
        return compose(handover, form, 422, unsaved=unsaved)
    return redirect(url_for("handovers.show", handover_id=handover.id))


@bp.post("/<uuid:handover_id>/draft")
@requires(Capability.HAND_OVER)
def draft(handover_id: uuid.UUID) -> ResponseReturnValue:
    """Save the draft: on every change when JavaScript is on, or with the Save draft button."""
    return _save(handover_id, submitting=False)


@bp.post("/<uuid:handover_id>/submit")
@requires(Capability.HAND_OVER)
def submit(handover_id: uuid.UUID) -> ResponseReturnValue:
    """Save what is on the screen, then freeze the handover if it is complete."""
    return _save(handover_id, submitting=True)


def compose(
    handover: Handover,
    form: DraftForm,
    status: int = 200,
    problems: list[str] | None = None,
    unsaved: list[Unsaved] | None = None,
    conflict: Conflict | None = None,
    typed: list[tuple[str, str]] | None = None,
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
            typed=typed or [],
            versions=count_versions(get_session(), handover, DRAFT),
        ),
        status,
    )
