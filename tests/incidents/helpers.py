"""Shared steps for incident tests: a site with a client in a booth, and staff for each role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from sitesys.auth.models import Staff
from sitesys.auth.roles import Role
from sitesys.incidents.kinds import (
    ActionKind,
    IncidentStatus,
    IncidentType,
    NaloxoneRoute,
    Outcome,
    PhysicalHarm,
    PsychologicalHarm,
)
from sitesys.incidents.models import Incident
from sitesys.incidents.reports import ReportInput, submit_report
from sitesys.incidents.review import (
    ReviewInput,
    close_incident,
    record_review,
    review_version,
    take_into_review,
)
from sitesys.incidents.services import ActionInput, end_response, start_response
from sitesys.sites.models import Site
from tests.factories import (
    make_booth,
    make_client,
    make_site,
    make_staff,
    make_substances,
    make_visit,
)


@dataclass
class Floor:
    site: Site
    nurse: Staff
    manager: Staff
    desk: Staff
    admin: Staff
    visit: Any
    checker: Staff

    def staff(self, role: Role) -> Staff:
        return {
            Role.NURSE: self.nurse,
            Role.MANAGER: self.manager,
            Role.FRONT_DESK: self.desk,
            Role.ADMIN: self.admin,
            Role.DRUG_CHECKER: self.checker,
        }[role]


def make_floor(db: Session, **site_overrides: Any) -> Floor:
    site = make_site(db, **site_overrides)
    make_substances(db, site)
    booth = make_booth(db, site, label="4")
    nurse = make_staff(db, Role.NURSE, [site], display_name="Nia Nurse")
    manager = make_staff(db, Role.MANAGER, [site], display_name="Max Manager")
    desk = make_staff(db, Role.FRONT_DESK, [site])
    admin = make_staff(db, Role.ADMIN, [site])
    person = make_client(db, site, display_tag="Amber Heron 27")
    visit = make_visit(
        db, site, desk, booth=booth, client=person, substances=["heroin", "fentanyl"]
    )
    checker = make_staff(db, Role.DRUG_CHECKER, [site])
    return Floor(site, nurse, manager, desk, admin, visit, checker)


def tap(kind: ActionKind, **values: Any) -> ActionInput:
    return ActionInput(kind=kind, submission_key=str(uuid.uuid4()), **values)


def naloxone(dose: str = "0.4", route: NaloxoneRoute = NaloxoneRoute.INTRAMUSCULAR) -> ActionInput:
    from decimal import Decimal

    return tap(ActionKind.NALOXONE, dose_mg=Decimal(dose), naloxone_route=route)


def complete_report(staff: list[Staff], **overrides: Any) -> ReportInput:
    values: dict[str, Any] = {
        "types": [IncidentType.OPIOID_OVERDOSE],
        "substances": ["heroin"],
        "narrative": "Found unresponsive in booth 4, pinpoint pupils, breathing 4 a minute.",
        "outcome": Outcome.RECOVERED_ON_SITE,
        "physical_harm": PhysicalHarm.MODERATE,
        "psychological_harm": PsychologicalHarm.LOW,
        "staff_ids": [person.id for person in staff],
    }
    values.update(overrides)
    return ReportInput(**values)


def report_form(staff: list[Staff], **overrides: Any) -> dict[str, Any]:
    """The report form as a browser sends it."""
    form: dict[str, Any] = {
        "types": ["opioid_overdose"],
        "substances": ["heroin"],
        "narrative": "Found unresponsive in booth 4, pinpoint pupils, breathing 4 a minute.",
        "outcome": "recovered_on_site",
        "physical_harm": "moderate",
        "psychological_harm": "low",
        "staff_involved": [str(person.id) for person in staff],
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def started(db: Session, floor: Floor) -> Incident:
    return start_response(db, floor.nurse, floor.visit).incident


def bring_to(db: Session, floor: Floor, status: IncidentStatus) -> Incident:
    """An incident in the given state, reached the way staff reach it."""
    incident = started(db, floor)
    if status is IncidentStatus.OPEN:
        return incident
    end_response(db, floor.nurse, incident)
    if status is IncidentStatus.DRAFT:
        return incident
    submit_report(db, floor.nurse, incident, complete_report([floor.nurse]))
    if status is IncidentStatus.SUBMITTED:
        return incident
    take_into_review(db, floor.manager, incident)
    record_review(
        db,
        floor.manager,
        incident,
        ReviewInput(findings="Response within a minute."),
        version=review_version(incident),
    )
    if status is IncidentStatus.IN_REVIEW:
        return incident
    close_incident(db, floor.manager, incident)
    return incident
