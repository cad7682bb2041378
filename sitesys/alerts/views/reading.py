"""Reading and acknowledging alerts: from the banner, from an alert's page, and at sign-in."""

from __future__ import annotations

import uuid

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.alerts.forms import AcknowledgeForm
from sitesys.alerts.loaders import get_alert_or_404
from sitesys.alerts.services import acknowledge as acknowledge_alert
from sitesys.alerts.services import unacknowledged
from sitesys.alerts.views import bp
from sitesys.auth.guard import current_site, current_staff, safe_next
from sitesys.auth.permissions import Capability, requires
from sitesys.db import committing, get_session


@bp.post("/<uuid:alert_id>/acknowledge")
@requires(Capability.ACKNOWLEDGE_ALERTS)
def acknowledge(alert_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    alert = get_alert_or_404(db, alert_id, site)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        abort(400)
    with committing(db) as outcome:
        if acknowledge_alert(db, current_staff(), alert, site):
            outcome.say(_("Acknowledged: %(title)s.", title=alert.title))
    back = safe_next(form.next.data) or url_for("alerts.show", alert_id=alert.id)
    return redirect(back)


@bp.get("/to-acknowledge")
@requires(Capability.ACKNOWLEDGE_ALERTS)
def to_acknowledge() -> ResponseReturnValue:
    """The step after sign-in: each active alert this person has still to read, in full."""
    waiting = unacknowledged(get_session(), current_staff(), current_site())
    after = safe_next(request.args.get("next")) or url_for("home.index")
    if not waiting:
        return redirect(after)
    return render_template(
        "alerts/to_acknowledge.html",
        waiting=waiting,
        after=after,
        here=request.full_path.rstrip("?"),
        form=AcknowledgeForm(),
    )
