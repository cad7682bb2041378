"""Incidents in synthetic history: about 5 per 1,000 visits, a third needing naloxone.

Drawn from the day's visits, far more often from those who deteriorated, timed within the visit,
with a server-stamped action log, a submitted report and, for all but the last weeks, a closed
manager review, as a real site's record would read.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bench.history.bulk import table_of
from bench.history.ids import ordered_uuid, ordered_uuid_text
from sitesys.incidents.kinds import (
    ActionKind,
    IncidentStatus,
    IncidentType,
    NaloxoneRoute,
    Outcome,
    PhysicalHarm,
    PsychologicalHarm,
)
from sitesys.incidents.models import (
    Incident,
    IncidentAction,
    IncidentStatusChange,
    IncidentTypeEntry,
    incident_staff,
)

if TYPE_CHECKING:
    from bench.history.generator import DayRecords, HistoryContext
    from bench.history.visits import SyntheticVisit

#: Chance of an incident for a visit that deteriorated, and for one that did not: together about
#: 5 per 1,000 visits when 3 % deteriorate.
RATE_DETERIORATING = 0.06
RATE_OTHERWISE = 0.0033
#: Share of incidents that needed naloxone (published rates: about a third).
NALOXONE_SHARE = 1 / 3
#: Reports of the last days are still in review; older ones are closed.
OPEN_REVIEW_DAYS = 21

Row = dict[str, Any]
OPIOIDS = {"heroin", "fentanyl", "nitazenes"}
STIMULANTS = {"cocaine", "crack", "methamphetamine", "mdma"}


def _type(rng: random.Random, visit: SyntheticVisit, naloxone: bool) -> IncidentType:
    used = set(visit.substances)
    if naloxone or used & OPIOIDS:
        return IncidentType.OPIOID_OVERDOSE
    if "ketamine" in used:
        return IncidentType.KETAMINE_CRISIS
    if used & STIMULANTS:
        return IncidentType.STIMULANT_OVERAMPING
    return rng.choice(
        (
            IncidentType.OTHER_MEDICAL,
            IncidentType.VOMITING,
            IncidentType.FALL_INJURY,
            IncidentType.SEIZURE,
            IncidentType.AGITATION,
        )
    )


def generate_incidents(context: HistoryContext, day: DayRecords) -> None:
    """The day's incidents with their actions, types, staff and review trail."""
    rng = context.rng
    incidents: list[Row] = []
    types: list[Row] = []
    actions: list[Row] = []
    staff: list[Row] = []
    changes: list[Row] = []
    recent = day.local_date >= context.today - timedelta(days=OPEN_REVIEW_DAYS)
    for visit in day.visits:
        if rng.random() >= (RATE_DETERIORATING if visit.deteriorates else RATE_OTHERWISE):
            continue
        start = (visit.booth_entered_at or visit.checked_in_at) + timedelta(
            minutes=rng.uniform(2, 12)
        )
        if start >= visit.gone_at:
            start = visit.gone_at - timedelta(minutes=1)
        nurse, helper = (
            rng.sample(context.nurse_ids, 2)
            if len(context.nurse_ids) > 1
            else (context.nurse_ids[0], context.nurse_ids[0])
        )
        manager = rng.choice(context.manager_ids)
        naloxone = rng.random() < NALOXONE_SHARE
        ems = rng.random() < (0.35 if naloxone else 0.12)
        incident_id = ordered_uuid(rng, start)
        log: list[tuple[float, ActionKind, Row]] = [
            (0.5, ActionKind.STIMULATION, {}),
            (1.0, ActionKind.AIRWAY, {}),
            (1.5, ActionKind.OXYGEN, {"oxygen_l_per_min": Decimal("15")}),
        ]
        if naloxone:
            for dose in range(rng.choice((1, 1, 2, 2, 3))):
                log.append(
                    (
                        2.0 + 3 * dose,
                        ActionKind.NALOXONE,
                        {"dose_mg": Decimal("0.4"), "naloxone_route": NaloxoneRoute.INTRAMUSCULAR},
                    )
                )
        if ems:
            log.append((3.0, ActionKind.EMS_CALLED, {}))
            log.append((rng.uniform(9, 16), ActionKind.EMS_ARRIVED, {}))
        log.append((rng.uniform(6, 14), ActionKind.CLIENT_RESPONSIVE, {}))
        transferred = ems and rng.random() < 0.5
        if transferred:
            log.append((rng.uniform(18, 25), ActionKind.TRANSFERRED_TO_HOSPITAL, {}))
        ended = start + timedelta(minutes=max(minutes for minutes, _kind, _v in log) + 2)
        submitted = ended + timedelta(minutes=rng.uniform(20, 180))
        review = submitted + timedelta(hours=rng.uniform(2, 48))
        closed = review + timedelta(days=rng.uniform(1, 10))
        status = IncidentStatus.IN_REVIEW if recent else IncidentStatus.CLOSED
        harm = (
            PhysicalHarm.MODERATE
            if transferred
            else rng.choice((PhysicalHarm.LOW, PhysicalHarm.LOW, PhysicalHarm.NONE))
        )
        if rng.random() < 0.01:
            harm = PhysicalHarm.SEVERE
        incidents.append(
            {
                "id": incident_id,
                "site_id": context.site_id,
                "visit_id": visit.id,
                "status": status,
                "started_at": start,
                "response_ended_at": ended,
                "submitted_at": submitted,
                "review_started_at": review,
                "closed_at": None if recent else closed,
                "reported_by_id": nurse,
                "submitted_by_id": nurse,
                "reviewer_id": manager,
                "submission_key": None,
                "narrative": "Synthetic history: responded, monitored until recovered.",
                "outcome": Outcome.TRANSFERRED_TO_HOSPITAL
                if transferred
                else Outcome.RECOVERED_ON_SITE,
                "physical_harm": harm,
                "psychological_harm": rng.choice((PsychologicalHarm.NONE, PsychologicalHarm.LOW)),
                "findings": "" if recent else "Response in line with the protocol.",
                "contributing_factors": "",
                "learning": "",
            }
        )
        types.append({"incident_id": incident_id, "type": _type(rng, visit, naloxone)})
        staff.extend({"incident_id": incident_id, "staff_id": who} for who in {nurse, helper})
        for minutes, kind, values in log:
            actions.append(
                {
                    "incident_id": incident_id,
                    "kind": kind,
                    "recorded_at": start + timedelta(minutes=minutes),
                    "recorded_by_id": rng.choice((nurse, helper)),
                    "submission_key": ordered_uuid_text(rng, start + timedelta(minutes=minutes)),
                    "dose_mg": values.get("dose_mg"),
                    "naloxone_route": values.get("naloxone_route"),
                    "oxygen_l_per_min": values.get("oxygen_l_per_min"),
                    "note": None,
                    "struck_at": None,
                    "struck_by_id": None,
                    "strike_reason": None,
                }
            )
        trail = [
            (None, IncidentStatus.OPEN, start, nurse),
            (IncidentStatus.OPEN, IncidentStatus.DRAFT, ended, nurse),
            (IncidentStatus.DRAFT, IncidentStatus.SUBMITTED, submitted, nurse),
            (IncidentStatus.SUBMITTED, IncidentStatus.IN_REVIEW, review, manager),
        ]
        if not recent:
            trail.append((IncidentStatus.IN_REVIEW, IncidentStatus.CLOSED, closed, manager))
        changes.extend(
            {
                "incident_id": incident_id,
                "from_status": old,
                "to_status": new,
                "changed_at": at,
                "changed_by_id": who,
                "reason": None,
            }
            for old, new, at, who in trail
        )
    day.add(table_of(Incident), incidents)
    day.add(table_of(IncidentTypeEntry), types)
    day.add(incident_staff, staff)
    day.add(table_of(IncidentAction), actions)
    day.add(table_of(IncidentStatusChange), changes)
