"""Starting a handover: the shift running now, or a choice among several."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.clock import utcnow
from sitesys.db import committing, get_session
from sitesys.forms import ConfirmForm
from sitesys.handovers.choices import choose_shift, handover_choices
from sitesys.handovers.services import start_handover
from sitesys.handovers.setup import site_shifts
from sitesys.handovers.views import bp


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
    with committing(db) as outcome:
        shift = choose_shift(db, site, utcnow(), request.form.get("shift", ""))
        handover = start_handover(db, current_staff(), site, shift)
    if outcome.refused:
        return redirect(url_for("handovers.current"))
    return redirect(url_for("handovers.show", handover_id=handover.id))
