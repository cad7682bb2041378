"""Loading incidents for a request: of the current site, or they do not exist here (404)."""

from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.auth.models import Staff
from sitesys.checkin.models import Visit
from sitesys.incidents.models import Incident, IncidentAction, ReviewAction
from sitesys.sites.models import Site, staff_sites

#: The "Staff involved" and review-action owner lists are bounded: a site has about 50 accounts.
STAFF_LIMIT = 300


def get_incident_or_404(
    session: Session, incident_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> Incident:
    """An incident of this site; another site's is answered exactly like a missing one. With
    `for_update` (a POST), its row is locked until commit, so steps on one incident from
    several tablets take turns (and none is lost).
    """
    statement = (
        select(Incident)
        .where(Incident.id == incident_id, Incident.site_id == site.id)
        .options(
            joinedload(Incident.visit).joinedload(Visit.client),
            joinedload(Incident.reported_by),
            selectinload(Incident.types),
            selectinload(Incident.substances),
            selectinload(Incident.staff_involved),
        )
    )
    if for_update:
        statement = statement.with_for_update(of=Incident)
    incident = session.scalar(statement)
    if incident is None:
        abort(404)
    return incident


def get_response_or_404(
    session: Session, incident_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> Incident:
    """An incident of this site as the response screen's taps and polls need it: its row alone
    (locked with `for_update`), without the report's types, substances and people, which a tap
    never shows; `with_actions` loads the log.
    """
    statement = select(Incident).where(Incident.id == incident_id, Incident.site_id == site.id)
    if for_update:
        statement = statement.with_for_update(of=Incident)
    incident = session.scalar(statement)
    if incident is None:
        abort(404)
    return incident


def get_action_or_404(session: Session, action_id: int, incident: Incident) -> IncidentAction:
    """A tap in this incident's log (the incident, loaded for the site, holds the lock)."""
    action = session.scalar(
        select(IncidentAction).where(
            IncidentAction.id == action_id, IncidentAction.incident_id == incident.id
        )
    )
    if action is None:
        abort(404)
    return action


def get_review_action_or_404(
    session: Session, review_action_id: int, incident: Incident
) -> ReviewAction:
    """An action this incident's review decided on (the incident holds the lock)."""
    action = session.scalar(
        select(ReviewAction).where(
            ReviewAction.id == review_action_id, ReviewAction.incident_id == incident.id
        )
    )
    if action is None:
        abort(404)
    return action


def with_actions(session: Session, incident: Incident) -> Incident:
    """Load the log, and who tapped and struck, in a fixed number of queries."""
    session.scalars(
        select(Incident)
        .where(Incident.id == incident.id)
        .options(
            selectinload(Incident.actions).options(
                joinedload(IncidentAction.recorded_by), joinedload(IncidentAction.struck_by)
            )
        )
    ).all()
    return incident


def site_staff_choices(session: Session, site: Site, also: list[Staff]) -> list[Staff]:
    """Active staff of the site by name, for "Staff involved" and a review action's owner;
    then anyone in `also` (already named on the incident) even if moved or deactivated since.
    """
    people = list(
        session.scalars(
            select(Staff)
            .join(staff_sites, staff_sites.c.staff_id == Staff.id)
            .where(staff_sites.c.site_id == site.id, Staff.is_active.is_(True))
            .order_by(Staff.display_name)
            .limit(STAFF_LIMIT)
        )
    )
    known = {person.id for person in people}
    return people + [person for person in also if person.id not in known]
