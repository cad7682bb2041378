"""The home page: what this role needs first, and what is waiting for them."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue

from sitesys.auth.forms import SwitchSiteForm
from sitesys.auth.guard import current_staff
from sitesys.auth.permissions import Capability, any_staff, can
from sitesys.checkin.overrides import waiting_requests
from sitesys.db import get_session
from sitesys.handovers.queries import alerts_for, pending_handovers
from sitesys.incidents.tasks import reminders_for

bp = Blueprint("home", __name__)


@bp.get("/")
@any_staff
def index() -> ResponseReturnValue:
    staff = current_staff()
    site = g.get("site")
    waiting: dict[str, object] = {}
    if site is not None and can(Capability.HAND_OVER):
        db = get_session()
        waiting = {
            "handovers": pending_handovers(db, site, staff),
            "handover_alerts": alerts_for(db, site, staff),
        }
    return render_template(
        "home/index.html",
        staff=staff,
        site=site,
        switch_form=SwitchSiteForm(),
        waiting=waiting,
        report_reminders=reminders_for(get_session(), staff, site) if site else [],
        override_requests=(
            waiting_requests(get_session(), site)
            if site is not None and can(Capability.OVERRIDE_RESTRICTION)
            else []
        ),
    )
