"""A client's recent safety events and visit history, as the desk and the client page tell them.

The desk's look-up names the emergencies of the last 30 days ("Emergency response 6 minutes
ago", "Opioid overdose on 3 Dec") beside the client's flags; the client page lists each visit's
substances, route, outcome and any incident. Incidents are read through their model only (the
shared vocabulary): this module asks nothing of the incidents feature.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sitesys.checkin.models import Visit
from sitesys.clock import written
from sitesys.incidents.kinds import Outcome
from sitesys.incidents.models import Incident

#: How far back the desk is told of a client's emergencies.
RECENT_DAYS = 30
#: At most this many are named at the desk, newest first.
RECENT_LIMIT = 5


@dataclass(frozen=True)
class SafetyEvent:
    """An emergency a client was at the centre of, in the desk's words."""

    incident: Incident
    #: "Emergency response 6 minutes ago", "Opioid overdose on 3 Dec".
    words: str
    #: Within the last day: told first and louder.
    is_fresh: bool


def what_happened(incident: Incident) -> str:
    """An incident's types in words ("Opioid overdose; Seizure"), or "Emergency response" while
    none are recorded yet; a hospital transfer or a death is added.
    """
    what = "; ".join(kind.label for kind in incident.type_values) or str(_("Emergency response"))
    if incident.outcome in (Outcome.TRANSFERRED_TO_HOSPITAL, Outcome.DIED):
        what = str(_("%(what)s, %(outcome)s", what=what, outcome=incident.outcome.label.lower()))
    return what


def when_words(at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """When, in words: "just now", "6 minutes ago" or "3 hours ago" within twelve hours, and
    otherwise the site's day ("on 3 Dec").
    """
    minutes = max(0, int((now - at).total_seconds() // 60))
    if minutes < 1:
        return str(_("just now"))
    if minutes < 60:
        return str(ngettext("%(num)d minute ago", "%(num)d minutes ago", minutes))
    if minutes < 12 * 60:
        hours = minutes // 60
        return str(ngettext("%(num)d hour ago", "%(num)d hours ago", hours))
    return str(_("on %(day)s", day=written(at.astimezone(zone), "%-d %b")))


def recent_events(
    session: Session, client_id: uuid.UUID, now: datetime, zone: ZoneInfo
) -> list[SafetyEvent]:
    """The client's incidents started in the last 30 days, newest first (at most five)."""
    incidents = session.scalars(
        select(Incident)
        .join(Visit, Incident.visit_id == Visit.id)
        .where(
            Visit.client_id == client_id,
            Incident.started_at >= now - timedelta(days=RECENT_DAYS),
        )
        .order_by(Incident.started_at.desc(), Incident.id)
        .options(selectinload(Incident.types))
        .limit(RECENT_LIMIT)
    )
    return [
        SafetyEvent(
            incident,
            str(
                # TRANSLATORS: what happened, then when: "Opioid overdose 6 minutes ago"
                _(
                    "%(what)s %(when)s",
                    what=what_happened(incident),
                    when=when_words(incident.started_at, now, zone),
                )
            ),
            now - incident.started_at < timedelta(days=1),
        )
        for incident in incidents
    ]


def incidents_of_visits(
    session: Session, visits: Sequence[Visit]
) -> dict[uuid.UUID, list[Incident]]:
    """The incidents of each of these visits (a page of a client's history), by visit id."""
    found: dict[uuid.UUID, list[Incident]] = defaultdict(list)
    if not visits:
        return found
    for incident in session.scalars(
        select(Incident)
        .where(Incident.visit_id.in_([visit.id for visit in visits]))
        .order_by(Incident.started_at)
        .options(selectinload(Incident.types))
    ):
        if incident.visit_id is not None:
            found[incident.visit_id].append(incident)
    return found
