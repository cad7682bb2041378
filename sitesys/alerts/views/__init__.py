"""Drug alerts for staff: the blueprint, its route modules, the banner every staff page of a
covered site carries, and the step after sign-in that lists alerts still to acknowledge.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, user_logged_in
from sqlalchemy.exc import SQLAlchemyError

from sitesys.alerts.services import banner_alerts, unacknowledged
from sitesys.auth.guard import PUBLIC_ENDPOINTS, current_staff, is_htmx
from sitesys.auth.permissions import Capability, can
from sitesys.db import get_session

log = logging.getLogger(__name__)

bp = Blueprint("alerts", __name__, url_prefix="/drug-alerts")

#: Set in the session at sign-in: the next page first lists the alerts still to acknowledge.
SIGN_IN_STEP = "alerts_step"


def _staff_page() -> bool:
    """A full staff page of a site (not a polled partial, a public page or an error)."""
    return (
        has_request_context()
        and not is_htmx()
        and request.endpoint not in PUBLIC_ENDPOINTS
        and current_user.is_authenticated
        and g.get("site") is not None
        and can(Capability.ACKNOWLEDGE_ALERTS)
    )


@bp.app_context_processor
def _banner() -> dict[str, Any]:
    """The site's active alerts for the banner, each marked read or not by this person (not on
    the sign-in step, which shows them in full).
    """
    if not _staff_page() or request.endpoint == "alerts.to_acknowledge":
        return {}
    try:
        return {"drug_alert_banner": banner_alerts(get_session(), current_staff(), g.site)}
    except SQLAlchemyError:
        # An error page (the database is down) must still render, without the banner.
        log.warning("drug alert banner unavailable", exc_info=True)
        return {}


def _note_sign_in(_app: Flask, **_extra: Any) -> None:
    session[SIGN_IN_STEP] = True


user_logged_in.connect(_note_sign_in)

#: Pages the sign-in step never stands in front of.
_NOT_INTERRUPTED = frozenset({"alerts.to_acknowledge", "alerts.acknowledge", "auth.logout"})


@bp.before_app_request
def _sign_in_step() -> Response | None:
    """Just after sign-in, before the first page: the alerts this person has still to read.
    Once only; they may go on to work (an emergency must never wait behind it), and the banner
    stays prominent on every page until they acknowledge.
    """
    if not session.get(SIGN_IN_STEP) or request.method != "GET":
        return None
    if request.endpoint in _NOT_INTERRUPTED or request.endpoint == "static":
        return None
    if not _staff_page():
        return None
    session.pop(SIGN_IN_STEP, None)
    if not unacknowledged(get_session(), current_staff(), g.site):
        return None
    target = request.full_path.rstrip("?") if request.path != "/" else None
    return redirect(url_for("alerts.to_acknowledge", next=target))  # type: ignore[return-value]


from sitesys.alerts.views import manage, reading  # noqa: E402,F401
