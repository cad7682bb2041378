"""The incidents blueprint: its routes in one table, and what every page needs from it."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from flask import Blueprint, g, has_request_context
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from sitesys.auth.guard import is_htmx
from sitesys.auth.permissions import Capability, can
from sitesys.checkin.models import Visit
from sitesys.db import get_session
from sitesys.incidents import queue_views, report_views, respond_views, review_views
from sitesys.incidents.floor import awaiting_review_count, open_incident_for_visit
from sitesys.incidents.models import format_decimal

log = logging.getLogger(__name__)

bp = Blueprint("incidents", __name__, url_prefix="/incidents")

_GET, _POST, _BOTH = ["GET"], ["POST"], ["GET", "POST"]
_I = "/<uuid:incident_id>"
ROUTES = (
    ("/", "index", queue_views.index, _GET),
    ("/export", "export", queue_views.export, _POST),
    ("/new", "new_report", report_views.new_report, _BOTH),
    ("/start/<uuid:visit_id>", "start", respond_views.start, _POST),
    ("/visits/<uuid:visit_id>", "for_visit", respond_views.for_visit, _GET),
    (f"{_I}/respond", "respond", respond_views.respond, _GET),
    (f"{_I}/respond/log", "respond_log", respond_views.respond_log, _GET),
    (f"{_I}/actions", "add_action", respond_views.add_action, _POST),
    (f"{_I}/actions/<int:action_id>/strike", "strike", respond_views.strike, _POST),
    (f"{_I}/end", "end", respond_views.end, _POST),
    (f"{_I}/report", "report", report_views.report, _BOTH),
    (_I, "show", report_views.show, _GET),
    (f"{_I}/print", "printable", report_views.printable, _GET),
    (f"{_I}/amend", "amend", report_views.amend, _BOTH),
    (f"{_I}/review/take", "take", review_views.take, _POST),
    (f"{_I}/review", "save_review", review_views.save_review, _POST),
    (f"{_I}/review/actions", "add_review_action", review_views.add_action, _POST),
    (
        f"{_I}/review/actions/<int:review_action_id>/done",
        "review_action_done",
        review_views.action_done,
        _POST,
    ),
    (f"{_I}/close", "close", review_views.close, _POST),
    (f"{_I}/reopen", "reopen", review_views.reopen, _POST),
)
for rule, endpoint, view, methods in ROUTES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)


@bp.app_context_processor
def _awaiting_review() -> dict[str, Any]:
    """The number of reports awaiting review, for the badge on every manager page."""
    if (
        not has_request_context()
        or is_htmx()
        or not current_user.is_authenticated
        or not can(Capability.REVIEW_INCIDENTS)
    ):
        return {}
    site = g.get("site")
    if site is None:
        return {}
    try:
        return {"awaiting_review": awaiting_review_count(get_session(), site.id)}
    except SQLAlchemyError:
        # An error page (the database is down) must still render, without the badge.
        log.warning("awaiting-review count unavailable", exc_info=True)
        return {}


@bp.app_template_filter("decimal")
def decimal_filter(value: Decimal) -> str:
    """A dose or a flow as staff write it: 0.40 shows as 0.4."""
    return format_decimal(value)


@bp.app_template_global("emergency_running_for")
def emergency_running_for(visit: Visit) -> bool:
    """Whether an emergency response is running for a visit (used by _start_button.html)."""
    return open_incident_for_visit(get_session(), visit) is not None
