"""A response's log as it is read: the taps, and between them the vitals recorded for the same
visit while the response ran (from the response screen's "Record vitals" or any other tablet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sitesys.incidents.models import Incident, IncidentAction
from sitesys.observations.models import QUICK_CHECK_TEXT, Observation, ObservationKind

#: Vitals shown in one response's log; a response with more has been going on for hours.
VITALS_LIMIT = 100


@dataclass(frozen=True)
class LogEntry:
    """One line of a response's log: a tap (`action`) or a set of vitals (`vitals`)."""

    at: datetime
    action: IncidentAction | None = None
    vitals: Observation | None = None


def response_vitals(session: Session, incident: Incident) -> list[Observation]:
    """The observations of the incident's visit made while the response ran (from its start to
    its end, or to now while it runs), oldest first, struck-through ones included.
    """
    if incident.visit_id is None:
        return []
    query = select(Observation).where(
        Observation.visit_id == incident.visit_id,
        Observation.recorded_at >= incident.started_at,
    )
    if incident.response_ended_at is not None:
        query = query.where(Observation.recorded_at <= incident.response_ended_at)
    return list(
        session.scalars(
            query.options(
                selectinload(Observation.recorded_by), selectinload(Observation.struck_by)
            )
            .order_by(Observation.recorded_at, Observation.id)
            .limit(VITALS_LIMIT)
        )
    )


def response_log(session: Session, incident: Incident) -> list[LogEntry]:
    """The taps and the vitals of a response in the order they happened."""
    entries = [LogEntry(action.recorded_at, action=action) for action in incident.actions]
    entries += [
        LogEntry(seen.recorded_at, vitals=seen) for seen in response_vitals(session, incident)
    ]
    return sorted(entries, key=lambda entry: entry.at)


def vitals_summary(observation: Observation) -> str:
    """A set of vitals as the log reads it: "Vitals: NEWS2 7 · High · RR 6/min · SpO2 88% on
    oxygen · Pulse 110 · BP 95 systolic · Unresponsive".
    """
    if observation.kind is ObservationKind.QUICK_CHECK:
        # TRANSLATORS: clinical
        quick: str = _("Quick check: %(check)s", check=QUICK_CHECK_TEXT.lower())
        return quick
    parts = [observation.score_summary]
    if observation.respiratory_rate is not None:
        # TRANSLATORS: clinical (respiratory rate)
        parts.append(_("RR %(rate)s/min", rate=observation.respiratory_rate))
    if observation.spo2 is not None:
        if observation.on_oxygen:
            # TRANSLATORS: clinical (oxygen saturation)
            parts.append(_("SpO2 %(spo2)s%% on oxygen", spo2=observation.spo2))
        else:
            # TRANSLATORS: clinical (oxygen saturation)
            parts.append(_("SpO2 %(spo2)s%%", spo2=observation.spo2))
    if observation.pulse is not None:
        # TRANSLATORS: clinical
        parts.append(_("Pulse %(pulse)s", pulse=observation.pulse))
    if observation.systolic_bp is not None:
        # TRANSLATORS: clinical (blood pressure)
        parts.append(_("BP %(bp)s systolic", bp=observation.systolic_bp))
    if observation.consciousness is not None:
        parts.append(observation.consciousness.label)
    if observation.pupils is not None:
        # TRANSLATORS: clinical
        parts.append(_("Pupils %(pupils)s", pupils=observation.pupils.label.lower()))
    # TRANSLATORS: clinical (a set of vitals in the response log)
    vitals: str = _("Vitals: %(parts)s", parts=" · ".join(parts))
    return vitals
