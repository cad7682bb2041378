"""The incidents blueprint: what every page needs from it, and the steps its views share.

The routes are declared in the modules imported at the end: `queue` (the incidents page and
its export), `report` (write, read, print and amend a report), `respond` (the response screen),
`review` (the managers' review) and `versions` (the saved versions of the draft and the review).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, g, has_request_context, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sitesys.auth.guard import is_htmx
from sitesys.auth.permissions import Capability, can
from sitesys.checkin.models import Visit
from sitesys.db import Outcome, committing, get_session
from sitesys.incidents.floor import awaiting_review_count, open_incident_for_visit
from sitesys.incidents.kinds import IncidentStatus
from sitesys.incidents.models import Incident, format_decimal
from sitesys.incidents.timeline import LogEntry, response_log, vitals_summary
from sitesys.observations.models import Observation
from sitesys.refusals import NotAllowed, Refused

log = logging.getLogger(__name__)

bp = Blueprint("incidents", __name__, url_prefix="/incidents")


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


@bp.app_template_global("response_log")
def response_log_global(incident: Incident) -> list[LogEntry]:
    """A response's taps and the vitals recorded while it ran, in order (_action_list.html)."""
    return response_log(get_session(), incident)


@bp.app_template_filter("vitals_summary")
def vitals_summary_filter(observation: Observation) -> str:
    return vitals_summary(observation)


@contextmanager
def committing_or_403(session: Session, *, show_refusal: bool = True) -> Iterator[Outcome]:
    """`committing`, where a step the actor's role may not take (`NotAllowed`) is answered
    403, as the view's own `@requires` answers, and never as a message on the next page.

    The services' rules are narrower than the views' guards in places (only the reporter or a
    manager amends a report), so a refusal of the role can reach a view that let the actor in.
    Any other refusal is shown (or, with `show_refusal=False`, left to the view), as with
    `committing`.
    """
    with committing(session, show_refusal=False) as outcome:
        yield outcome
    if isinstance(outcome.refusal, NotAllowed):
        abort(403)
    if show_refusal and outcome.refusal is not None:
        flash(str(outcome.refusal), outcome.refusal.category)


def turn_away(refusal: Refused, to: str) -> ResponseReturnValue:
    """Answer a page a rule refuses before any form is read: 403 for a role that may not,
    otherwise the refusal's message on the page `to`.
    """
    if isinstance(refusal, NotAllowed):
        abort(403)
    flash(str(refusal), refusal.category)
    return redirect(to)


def incident_page(incident: Incident) -> str:
    """Where an incident is seen now: the response screen while it runs, its record after."""
    if incident.status is IncidentStatus.OPEN:
        return url_for("incidents.respond", incident_id=incident.id)
    return url_for("incidents.show", incident_id=incident.id)


# The route modules declare their views on `bp`, so they are imported once it exists.
from sitesys.incidents.views import queue, report, respond, review, versions  # noqa: E402

__all__ = [
    "bp",
    "committing_or_403",
    "incident_page",
    "queue",
    "report",
    "respond",
    "review",
    "turn_away",
    "versions",
]
