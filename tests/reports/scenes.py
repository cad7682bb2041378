"""A month at a London site built with known counts: March 2026, whose clocks go forward on the
29th, so its last local day ends at 23:00 UTC.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from sitesys.auth.models import Staff
from sitesys.auth.roles import Role
from sitesys.checkin.models import Route, ServiceGiven, Visit, VisitService, VisitStatus
from sitesys.clients.models import AgeBand, Gender
from sitesys.handovers.models import Handover, HandoverAlert, HandoverAlertKind, HandoverStatus
from sitesys.incidents.kinds import ActionKind, IncidentStatus, IncidentType, Outcome, PhysicalHarm
from sitesys.incidents.models import Incident, IncidentAction, IncidentTypeEntry
from sitesys.observations.models import Observation, ObservationKind, OverdueAlert
from sitesys.sites.models import Site
from tests.factories import (
    make_booth,
    make_client,
    make_site,
    make_staff,
    make_substances,
    make_visit,
    scene,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def left_visit(
    db: Session, site: Site, staff: Staff, at: datetime, minutes: int = 30, **overrides: Any
) -> Visit:
    """A visit that has left, `minutes` after checking in."""
    values: dict[str, Any] = {
        "status": VisitStatus.LEFT,
        "left_at": at + timedelta(minutes=minutes),
    }
    values.update(overrides)
    return make_visit(db, site, staff, at=at, **values)


def make_incident(
    db: Session,
    site: Site,
    staff: Staff,
    at: datetime,
    types: list[IncidentType],
    actions: list[tuple[ActionKind, int, Decimal | None, bool]] = (),  # type: ignore[assignment]
    **overrides: Any,
) -> Incident:
    """An incident with its types and actions: (kind, minutes after start, mg, struck)."""
    incident = Incident(
        site_id=site.id,
        status=IncidentStatus.SUBMITTED,
        started_at=at,
        reported_by_id=staff.id,
        **overrides,
    )
    incident.types = [IncidentTypeEntry(type=kind) for kind in types]
    db.add(incident)
    db.flush()
    for kind, minutes, dose, struck in actions:
        db.add(
            IncidentAction(
                incident_id=incident.id,
                kind=kind,
                recorded_at=at + timedelta(minutes=minutes),
                recorded_by_id=staff.id,
                submission_key=str(uuid.uuid4()),
                dose_mg=dose,
                struck_at=at + timedelta(minutes=30) if struck else None,
                struck_by_id=staff.id if struck else None,
                strike_reason="Wrong tap" if struck else None,
            )
        )
    scene(db)
    return incident


@dataclass
class March:
    site: Site
    other: Site
    nurse: Staff
    manager: Staff


def march(db: Session) -> March:
    """The scene the tests count by hand (see test_figures.py)."""
    site = make_site(db, time_zone="Europe/London", name="Riverside")
    other = make_site(db, time_zone="Europe/London", name="Hillside")
    make_substances(db, site)
    make_substances(db, other)
    nurse = make_staff(db, Role.NURSE, [site, other])
    manager = make_staff(db, Role.MANAGER, [site])
    make_booth(db, site)
    make_booth(db, site)
    c1 = make_client(db, site, age_band=AgeBand.FROM_25, gender=Gender.WOMAN)
    c2 = make_client(db, site)
    c3 = make_client(db, site, age_band=AgeBand.UNDER_25, gender=Gender.MAN)
    # c1 came in February: a returning client in March.
    left_visit(db, site, nurse, utc(2026, 2, 20, 12), client_id=c1.id)
    # March: five visits at Riverside.
    one = left_visit(
        db, site, nurse, utc(2026, 3, 2, 10), client_id=c1.id,
        booth_entered_at=utc(2026, 3, 2, 10, 4), aftercare_at=utc(2026, 3, 2, 10, 24),
        substances=["heroin", "cocaine"],
    )  # fmt: skip
    db.add(VisitService(visit_id=one.id, service=ServiceGiven.STERILE_KIT, recorded_by_id=nurse.id))
    db.add(VisitService(visit_id=one.id, service=ServiceGiven.FOIL, recorded_by_id=nurse.id))
    left_visit(
        db, site, nurse, utc(2026, 3, 9, 14), client_id=c1.id, route=Route.SMOKE,
        booth_entered_at=utc(2026, 3, 9, 14, 10), aftercare_at=utc(2026, 3, 9, 14, 40),
        substances=["crack"],
    )  # fmt: skip
    # Spans midnight (GMT): 23:50 on Sunday 15 March to 00:20 on the 16th; counted on the 15th.
    left_visit(db, site, nurse, utc(2026, 3, 15, 23, 50), client_id=c2.id)
    # An anonymous walk-in.
    left_visit(db, site, nurse, utc(2026, 3, 20, 9, 30), substances=["heroin"])
    # 22:30 UTC on 31 March is 23:30 in London (summer time): March's last hour.
    left_visit(db, site, nurse, utc(2026, 3, 31, 22, 30), client_id=c3.id, minutes=20)
    # 23:30 UTC on 31 March is 00:30 on 1 April in London: April's.
    left_visit(db, site, nurse, utc(2026, 3, 31, 23, 30), client_id=c1.id)
    # 23:30 UTC on 28 February is 23:30 GMT: February's.
    left_visit(db, site, nurse, utc(2026, 2, 28, 23, 30), client_id=c2.id)
    # Another site's visit.
    left_visit(db, other, nurse, utc(2026, 3, 10, 12))
    db.add(
        VisitService(visit_id=one.id, service=ServiceGiven.NALOXONE_KIT, recorded_by_id=nurse.id)
    )
    scene(db)

    make_incident(
        db, site, nurse, utc(2026, 3, 2, 10, 30),
        [IncidentType.OPIOID_OVERDOSE, IncidentType.FALL_INJURY],
        [
            (ActionKind.NALOXONE, 1, Decimal("0.4"), True),  # struck through: not counted
            (ActionKind.NALOXONE, 3, Decimal("0.4"), False),
            (ActionKind.NALOXONE, 6, Decimal("0.8"), False),
            (ActionKind.EMS_CALLED, 4, None, False),
        ],
        visit_id=one.id, outcome=Outcome.TRANSFERRED_TO_HOSPITAL,
        physical_harm=PhysicalHarm.LOW,
    )  # fmt: skip
    make_incident(
        db, site, nurse, utc(2026, 3, 9, 14, 30), [IncidentType.STIMULANT_OVERAMPING],
        [(ActionKind.OXYGEN, 2, None, False)], physical_harm=PhysicalHarm.NONE,
    )  # fmt: skip
    make_incident(db, site, nurse, utc(2026, 3, 31, 22, 45), [IncidentType.SECURITY_POLICE])
    # April's, and another site's.
    make_incident(db, site, nurse, utc(2026, 3, 31, 23, 5), [IncidentType.OPIOID_OVERDOSE])
    make_incident(db, other, nurse, utc(2026, 3, 10, 12), [IncidentType.OPIOID_OVERDOSE])

    observation = Observation(
        visit_id=one.id, kind=ObservationKind.QUICK_CHECK, recorded_at=utc(2026, 3, 2, 10, 20),
        recorded_by_id=nurse.id, submission_key=str(uuid.uuid4()),
    )  # fmt: skip
    db.add(observation)
    db.flush()
    db.add(
        OverdueAlert(
            site_id=site.id, visit_id=one.id, overdue_since=utc(2026, 3, 2, 10, 14),
            raised_at=utc(2026, 3, 2, 10, 14), closed_at=utc(2026, 3, 2, 10, 20),
            closed_by_observation_id=observation.id,
        )
    )  # fmt: skip
    db.add(
        OverdueAlert(
            site_id=site.id, visit_id=one.id, overdue_since=utc(2026, 3, 2, 10, 40),
            raised_at=utc(2026, 3, 2, 10, 40), closed_at=utc(2026, 3, 2, 10, 50),
        )
    )  # fmt: skip

    def handover(key: str, ends: datetime, **values: Any) -> None:
        db.add(
            Handover(
                site_id=site.id, shift_key=key, shift_name="Late", shift_ends_at=ends,
                shift_starts_at=ends - timedelta(hours=8), outgoing_lead_id=nurse.id,
                snapshot_at=ends - timedelta(minutes=20), **values,
            )
        )  # fmt: skip

    handover(
        "2026-03-03/Late", utc(2026, 3, 3, 22), status=HandoverStatus.ACKNOWLEDGED,
        submitted_at=utc(2026, 3, 3, 21, 50), acknowledged_at=utc(2026, 3, 3, 22, 5),
    )  # fmt: skip
    handover("2026-03-04/Late", utc(2026, 3, 4, 22), status=HandoverStatus.SUBMITTED,
             submitted_at=utc(2026, 3, 4, 22, 10))  # fmt: skip
    handover("2026-03-05/Late", utc(2026, 3, 5, 22))  # a draft never submitted
    for key, ends in (("2026-03-05/Late", utc(2026, 3, 5, 22)),
                      ("2026-03-06/Late", utc(2026, 3, 6, 22)),
                      ("2026-03-04/Late", utc(2026, 3, 4, 22))):  # fmt: skip
        db.add(
            HandoverAlert(
                site_id=site.id, shift_key=key, shift_name="Late", shift_ends_at=ends,
                kind=HandoverAlertKind.NOT_STARTED, raised_at=ends - timedelta(minutes=15),
            )
        )  # fmt: skip
    scene(db)
    return March(site=site, other=other, nurse=nurse, manager=manager)
