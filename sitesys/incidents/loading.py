"""Load-and-authorise: a record of another site does not exist here (404)."""

from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.checkin.models import Visit
from sitesys.incidents.models import Incident, IncidentAction, ReviewAction
from sitesys.sites.models import Site


def get_incident_or_404(
    session: Session, incident_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> Incident:
    """An incident of the current site. With `for_update`, its row is locked until commit, so
    steps on one incident from several tablets take turns (and none is lost).
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


def get_action_or_404(session: Session, incident: Incident, action_id: int) -> IncidentAction:
    action = session.scalar(
        select(IncidentAction).where(
            IncidentAction.id == action_id, IncidentAction.incident_id == incident.id
        )
    )
    if action is None:
        abort(404)
    return action


def get_review_action_or_404(
    session: Session, incident: Incident, review_action_id: int
) -> ReviewAction:
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
