"""The reminder job: reports still unsubmitted past the site's limit are flagged on the home page
of their reporter and of the site's managers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, role_can
from sitesys.checkin.models import Visit
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.incidents.kinds import IncidentStatus
from sitesys.incidents.models import Incident, IncidentReminder
from sitesys.sites.models import Site

#: An unsubmitted report: the response is still running, or it is a draft.
UNSUBMITTED = (IncidentStatus.OPEN, IncidentStatus.DRAFT)
#: The home page lists at most this many reminders (the incidents page has the rest).
HOME_LIMIT = 20


def remind_stale_reports(session: Session, site: Site, now: datetime) -> int:
    """Create one reminder for each report of the site left unsubmitted longer than the site's
    limit. Selects only incidents without a reminder, so running twice creates nothing new.
    """
    cutoff = now - timedelta(hours=site.draft_reminder_hours)
    stale = list(
        session.scalars(
            select(Incident)
            .where(
                Incident.site_id == site.id,
                Incident.status.in_(UNSUBMITTED),
                Incident.started_at < cutoff,
                ~exists().where(IncidentReminder.incident_id == Incident.id),
            )
            .order_by(Incident.started_at)
        )
    )
    made = 0
    for incident in stale:
        reminder = IncidentReminder(incident_id=incident.id, created_at=now)
        stored = add_once(session, reminder, partial(_reminder_of, session, incident.id))
        if stored is not reminder:
            continue  # another scheduler got there first: one reminder is enough
        record_event(
            session,
            "incident.reminder_created",
            actor=None,
            record=incident,
            status=incident.status.value,
        )
        made += 1
    session.flush()
    return made


def _reminder_of(session: Session, incident_id: uuid.UUID) -> IncidentReminder | None:
    return session.scalar(
        select(IncidentReminder).where(IncidentReminder.incident_id == incident_id)
    )


def remind_unsubmitted_reports(session: Session) -> int:
    """The scheduled job: reminders at every site; idempotent."""
    now = utcnow()
    return sum(
        remind_stale_reports(session, site, now)
        for site in session.scalars(select(Site).order_by(Site.id))
    )


@dataclass
class Reminder:
    incident: Incident
    reminded_at: datetime


def reminders_for(session: Session, staff: Staff, site: Site) -> list[Reminder]:
    """Reminders to show on someone's home page: their own reports, or, for a manager, every
    report of the site still unsubmitted. A report submitted since is no longer shown.
    """
    if not role_can(staff.role, Capability.REPORT_INCIDENTS):
        return []
    statement = (
        select(IncidentReminder)
        .join(Incident, Incident.id == IncidentReminder.incident_id)
        .where(Incident.site_id == site.id, Incident.status.in_(UNSUBMITTED))
        .options(
            joinedload(IncidentReminder.incident)
            .joinedload(Incident.visit)
            .joinedload(Visit.client),
            joinedload(IncidentReminder.incident).joinedload(Incident.reported_by),
        )
        .order_by(Incident.started_at)
        .limit(HOME_LIMIT)
    )
    if not role_can(staff.role, Capability.REVIEW_INCIDENTS):
        statement = statement.where(Incident.reported_by_id == staff.id)
    return [Reminder(r.incident, r.created_at) for r in session.scalars(statement)]
