"""Emergency responses as the floor sees them: which are running, for whom and where they are,
and for whom one may still be started (on the floor, or left within the hour).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from sitesys.auth.roles import Role
from sitesys.checkin.models import Departure, Visit, VisitStatus, is_open_visit
from sitesys.incidents.kinds import IncidentStatus
from sitesys.incidents.models import Incident

#: Someone who collapses just outside soon after leaving is still responded to on their visit.
RESPONSE_AFTER_LEAVING = timedelta(hours=1)


def may_start_response(visit: Visit, now: datetime) -> bool:
    """A response can be started for a client on the floor or one who left within the hour."""
    if visit.status.is_open:
        return True
    return visit.left_at is not None and now - visit.left_at <= RESPONSE_AFTER_LEAVING


def open_incident_for_visit(session: Session, visit: Visit) -> Incident | None:
    """The emergency response running for this visit, if there is one."""
    return session.scalar(
        select(Incident).where(
            Incident.visit_id == visit.id, Incident.status == IncidentStatus.OPEN
        )
    )


def active_emergency_visit_ids(
    session: Session, site_id: int, visit_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these visits have an emergency response running (one query, for the board)."""
    if not visit_ids:
        return set()
    rows = session.scalars(
        select(Incident.visit_id).where(
            Incident.site_id == site_id,
            Incident.status == IncidentStatus.OPEN,
            Incident.visit_id.in_(list(visit_ids)),
        )
    )
    return {visit_id for visit_id in rows if visit_id is not None}


def raised_by_desk(incident: Incident) -> bool:
    """Whether the response was started by the front desk's "Raise the alarm" (nurses take over)."""
    return incident.reported_by.role is Role.FRONT_DESK


#: Responses running at once at one site; far more than a site ever has.
RUNNING_LIMIT = 50


def open_responses(session: Session, site_id: int, limit: int = RUNNING_LIMIT) -> list[Incident]:
    """Emergency responses running now at the site, newest first, with the visit, client and
    booth each names (one query: the incidents page and every board, which also shows those of
    clients no longer on the floor).
    """
    return list(
        session.scalars(
            select(Incident)
            .where(Incident.site_id == site_id, Incident.status == IncidentStatus.OPEN)
            .options(
                joinedload(Incident.visit).joinedload(Visit.client),
                joinedload(Incident.visit).joinedload(Visit.booth),
                joinedload(Incident.reported_by),
            )
            .order_by(Incident.started_at.desc())
            .limit(limit)
        )
    )


#: The same client's visit now, when they have come back in.
_RETURNED = aliased(Visit)


def recently_left(session: Session, site_id: int, now: datetime, *, limit: int) -> list[Visit]:
    """Visits that ended within the hour, latest first: a response can still be started for them
    (someone who collapses just outside).
    """
    return list(
        session.scalars(
            select(Visit)
            .where(
                Visit.site_id == site_id,
                Visit.status.in_((VisitStatus.LEFT, VisitStatus.LEFT_WITHOUT_CHECKOUT)),
                Visit.left_at >= now - RESPONSE_AFTER_LEAVING,
                # Taken to hospital: not someone who might collapse just outside.
                or_(
                    Visit.departure.is_(None),
                    Visit.departure != Departure.TRANSFERRED_TO_HOSPITAL,
                ),
                # Someone who has come back in is on the floor, under their new visit.
                ~exists().where(
                    _RETURNED.client_id == Visit.client_id,
                    is_open_visit(_RETURNED.status),
                ),
            )
            .options(joinedload(Visit.client))
            .order_by(Visit.left_at.desc())
            .limit(limit)
        )
    )


def awaiting_review_count(session: Session, site_id: int) -> int:
    """Submitted reports no manager has taken into review yet."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Incident)
            .where(Incident.site_id == site_id, Incident.status == IncidentStatus.SUBMITTED)
        )
        or 0
    )
