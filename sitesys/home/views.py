"""The home page: what this role needs first, and what is waiting for them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, g, has_request_context, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from sitesys.auth.forms import SwitchSiteForm
from sitesys.auth.guard import current_staff, is_htmx
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, any_staff, can
from sitesys.auth.roles import LANDING_ENDPOINTS
from sitesys.checkin.overrides import waiting_requests
from sitesys.db import get_session
from sitesys.handovers.queries import alerts_for, pending_handovers
from sitesys.incidents.tasks import reminders_for
from sitesys.sites.models import Site

bp = Blueprint("home", __name__)
log = logging.getLogger(__name__)

#: The pages sign-in takes a role to (auth/roles.py), where the strip is shown.
LANDING_PAGES = frozenset(LANDING_ENDPOINTS.values())


@dataclass(frozen=True)
class Waiting:
    """What Home lists for this person, counted for the strip on every other page: staff land
    on their working page (the board, check-in, incidents), not on Home, and must not miss it.
    """

    handovers: int
    handover_alerts: int
    reports: int

    def __bool__(self) -> bool:
        return bool(self.handovers or self.handover_alerts or self.reports)


def waiting_for(staff: Staff, site: Site) -> Waiting:
    db = get_session()
    hands_over = can(Capability.HAND_OVER)
    return Waiting(
        handovers=len(pending_handovers(db, site, staff)) if hands_over else 0,
        handover_alerts=len(alerts_for(db, site, staff)) if hands_over else 0,
        reports=len(reminders_for(db, staff, site)),
    )


@bp.app_context_processor
def _waiting_strip() -> dict[str, Any]:
    """The strip on the pages staff land on instead of Home (which lists the things
    themselves): the board, check-in and incidents; three small reads, so not on every page.
    """
    if not (
        has_request_context()
        and not is_htmx()
        and request.endpoint in LANDING_PAGES
        and current_user.is_authenticated
        and g.get("site") is not None
    ):
        return {}
    try:
        return {"waiting_strip": waiting_for(current_staff(), g.site)}
    except SQLAlchemyError:
        # An error page (the database is down) must still render, without the strip.
        log.warning("waiting strip unavailable", exc_info=True)
        return {}


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
