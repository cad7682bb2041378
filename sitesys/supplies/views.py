"""Supplies on the visit page: the steppers (drawn by include) and saving them."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, can, requires
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.checkin.models import Visit
from sitesys.db import committing, get_session
from sitesys.supplies.forms import SuppliesForm
from sitesys.supplies.models import MOST_PER_VISIT, TICKED_SUPPLIES
from sitesys.supplies.services import catalogue, set_quantities, supplies_of_visit

bp = Blueprint("supplies", __name__)


@bp.app_template_global("supplies_panel")
def supplies_panel(visit: Visit) -> dict[str, Any] | None:
    """The visit page's supplies card: each item shown with the quantity given so far."""
    if not can(Capability.WORK_FLOOR):
        return None
    db = get_session()
    given = {row.item_id: row for row in supplies_of_visit(db, visit)}
    items = catalogue(db, current_site())
    shown_ids = {item.id for item in items}
    return {
        "items": [(item, given[item.id].quantity if item.id in given else 0) for item in items],
        # Given earlier of an item since hidden, or of the "kind not recorded" naloxone kit.
        "others": [row for row in given.values() if row.item_id not in shown_ids],
        # Ticks of the days before quantities that are not supplies (education, referral).
        "ticks": [s for s in visit.services if s.service.value not in TICKED_SUPPLIES],
        "most": MOST_PER_VISIT,
    }


@bp.post("/visits/<uuid:visit_id>/supplies")
@requires(Capability.WORK_FLOOR)
def give(visit_id: uuid.UUID) -> ResponseReturnValue:
    db, site = get_session(), current_site()
    visit = get_visit_or_404(db, visit_id, site, for_update=True)
    form = SuppliesForm()
    back = redirect(url_for("checkin.visit", visit_id=visit_id) + "#supplies")
    items = catalogue(db, site, active_only=False)
    asked = form.quantities(request.form, [item.id for item in items]) if form.validate() else None
    if asked is None:
        flash("Quantities are whole numbers; nothing was saved.", "error")
        return back
    wanted, shown = asked
    with committing(db) as outcome:
        changes = set_quantities(db, current_staff(), site, visit, wanted, shown=shown)
        if changes:
            outcome.say(
                "Recorded: " + ", ".join(f"{c.item.label} {c.after}" for c in changes) + "."
            )
        else:
            outcome.say("No quantity changed.", "info")
    return back
