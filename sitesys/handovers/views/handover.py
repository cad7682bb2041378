"""One handover: its page, its snapshot taken again, its actions, the incoming lead's
acknowledgement, addenda below a submitted handover, the printable copy, and the versions of
its draft.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.audit.reads import audit_read
from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.db import committing, get_session
from sitesys.forms import ConfirmForm
from sitesys.handovers.forms import AcknowledgeForm, ActionForm, AddendumForm, draft_form_for
from sitesys.handovers.loaders import get_handover_or_404
from sitesys.handovers.models import Handover
from sitesys.handovers.services import (
    DRAFT,
    AlreadyAcknowledged,
    acknowledge_handover,
    add_action,
    add_addendum,
    refresh_snapshot,
    remove_action,
    submission_problems,
)
from sitesys.handovers.views import bp
from sitesys.handovers.views.draft import compose
from sitesys.pagination import page_number
from sitesys.versions.queries import count_versions, version_history


@bp.get("/<uuid:handover_id>")
@requires(Capability.HAND_OVER)
def show(handover_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    if not handover.is_frozen:
        return compose(handover, draft_form_for(handover))
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
            already=forms.get("already"),
            versions=count_versions(get_session(), handover, DRAFT),
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
    handover = get_handover_or_404(db, handover_id, site, for_update=True)
    with committing(db) as outcome:
        refresh_snapshot(db, current_staff(), handover, site)
        outcome.say(_("Snapshot taken again from the floor as it is now."))
    return redirect(url_for("handovers.show", handover_id=handover_id))


@bp.post("/<uuid:handover_id>/actions")
@requires(Capability.HAND_OVER)
def actions(handover_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site(), for_update=True)
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("An action needs what is to be done and who owns it."), "error")
        return redirect(url_for("handovers.show", handover_id=handover_id))
    with committing(db) as outcome:
        add_action(
            db,
            current_staff(),
            handover,
            form.what.data or "",
            form.owner.data or "",
            form.by_when.data,
        )
        outcome.say(_("Action added."))
    return redirect(url_for("handovers.show", handover_id=handover_id) + "#actions")


@bp.post("/<uuid:handover_id>/actions/<int:action_id>/remove")
@requires(Capability.HAND_OVER)
def remove(handover_id: uuid.UUID, action_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site(), for_update=True)
    with committing(db) as outcome:
        remove_action(db, current_staff(), handover, action_id)
        outcome.say(_("Action removed from the draft."))
    return redirect(url_for("handovers.show", handover_id=handover_id) + "#actions")


@bp.post("/<uuid:handover_id>/acknowledge")
@requires(Capability.HAND_OVER)
def acknowledge(handover_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site(), for_update=True)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        return _frozen(handover, 422, ack_form=form)
    with committing(db, show_refusal=False) as outcome:
        acknowledge_handover(db, current_staff(), handover, form.readback_note.data)
        outcome.say(_("You acknowledged the %(shift)s handover.", shift=handover.shift_name))
    if isinstance(outcome.refusal, AlreadyAcknowledged):
        # Another lead came first: said plainly, with the note typed here shown to copy.
        return _frozen(handover, 409, already=outcome.refusal)
    if outcome.refusal is not None:
        flash(str(outcome.refusal), outcome.refusal.category)
    return redirect(url_for("handovers.show", handover_id=handover_id))


@bp.post("/<uuid:handover_id>/addenda")
@requires(Capability.HAND_OVER)
def addenda(handover_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site(), for_update=True)
    form = AddendumForm()
    if not form.validate_on_submit():
        return _frozen(handover, 422, addendum_form=form)
    with committing(db) as outcome:
        add_addendum(
            db,
            current_staff(),
            handover,
            form.text.data or "",
            form.reason.data or "",
            form.submission_key.data or "",
        )
        outcome.say(_("Addendum added below the handover."))
    return redirect(url_for("handovers.show", handover_id=handover_id))


@bp.get("/<uuid:handover_id>/print")
@requires(Capability.HAND_OVER)
def printable(handover_id: uuid.UUID) -> ResponseReturnValue:
    handover = get_handover_or_404(get_session(), handover_id, current_site())
    audit_read("handover.printed", handover)
    return render_template(
        "handovers/print.html", handover=handover, problems=submission_problems(handover)
    )


@bp.get("/<uuid:handover_id>/versions")
@requires(Capability.HAND_OVER)
def versions(handover_id: uuid.UUID) -> ResponseReturnValue:
    """Every saved version of the lead's draft, for whoever may read the handover."""
    db = get_session()
    handover = get_handover_or_404(db, handover_id, current_site())
    return render_template(
        "versions/history.html",
        history=version_history(db, handover, DRAFT, page_number()),
        editable=DRAFT,
        title=_(
            "Handover of the %(shift)s shift · versions of the draft", shift=handover.shift_name
        ),
        back=url_for("handovers.show", handover_id=handover.id),
    )
