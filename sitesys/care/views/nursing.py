"""Wound care and blood-borne virus tests recorded on the visit page, struck through or
corrected (care/nursing.py).
"""

from __future__ import annotations

import uuid

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.care.forms import CareForm, CorrectCareForm, StrikeReferralForm
from sitesys.care.loaders import get_care_given_or_404
from sitesys.care.models import CareKind
from sitesys.care.nursing import correct_care, record_care, strike_care
from sitesys.care.views import bp
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.db import committing, get_session
from sitesys.forms import SiteSysForm


def _first_error(form: SiteSysForm, fallback: str) -> str:
    for field in form:
        if field.errors:
            return str(field.errors[0])
    return fallback


@bp.post("/visits/<uuid:visit_id>/care")
@requires(Capability.RECORD_CARE)
def care_given(visit_id: uuid.UUID) -> ResponseReturnValue:
    db, site = get_session(), current_site()
    visit = get_visit_or_404(db, visit_id, site, for_update=True)
    form = CareForm()
    back = redirect(url_for("checkin.visit", visit_id=visit_id) + "#care")
    if not form.validate_on_submit():
        flash(_first_error(form, _("Reload the page and try again.")), "error")
        return back
    kind = CareKind(form.kind.data)
    with committing(db) as outcome:
        _row, new = record_care(
            db, current_staff(), site, visit, kind, form.note.data or "", form.submission_key.data
        )
        if new:
            outcome.say(_("%(care)s recorded.", care=kind.label))
        else:
            outcome.say(_("That was already recorded."), "info")
    return back


@bp.post("/care/<uuid:row_id>/strike")
@requires(Capability.RECORD_CARE)
def strike_care_given(row_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    row = get_care_given_or_404(db, row_id, current_site(), for_update=True)
    form = StrikeReferralForm()
    back = redirect(url_for("checkin.visit", visit_id=row.visit_id) + "#care")
    if not form.validate_on_submit():
        flash(_("Give a reason for striking it through."), "error")
        return back
    with committing(db) as outcome:
        strike_care(db, current_staff(), row, form.reason.data or "")
        outcome.say(_("Struck through; it stays on the record."))
    return back


@bp.post("/care/<uuid:row_id>/correct")
@requires(Capability.RECORD_CARE)
def correct_care_given(row_id: uuid.UUID) -> ResponseReturnValue:
    db, site = get_session(), current_site()
    row = get_care_given_or_404(db, row_id, site, for_update=True)
    form = CorrectCareForm()
    back = redirect(url_for("checkin.visit", visit_id=row.visit_id) + "#care")
    if not form.validate_on_submit():
        flash(_first_error(form, _("Reload the page and try again.")), "error")
        return back
    with committing(db) as outcome:
        _correction, new = correct_care(
            db,
            current_staff(),
            site,
            row,
            form.note.data or "",
            form.reason.data or "",
            form.submission_key.data,
        )
        if new:
            outcome.say(_("Corrected; the note it replaces stays on the record, struck through."))
        else:
            outcome.say(_("That correction was already saved."), "info")
    return back
