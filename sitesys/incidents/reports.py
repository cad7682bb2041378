"""The incident report: drafted with anything missing, complete when submitted, amended after."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure, role_can
from sitesys.checkin.services import substance_labels
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.incidents.kinds import (
    IncidentStatus,
    IncidentType,
    Outcome,
    PhysicalHarm,
    PsychologicalHarm,
)
from sitesys.incidents.models import (
    Incident,
    IncidentAmendment,
    IncidentSubstance,
    IncidentTypeEntry,
)
from sitesys.incidents.services import (
    IncidentChanged,
    IncidentError,
    change_status,
    note_creation,
)
from sitesys.refusals import NotAllowed, Refused
from sitesys.sites.models import Site, staff_sites
from sitesys.source_language import source_language
from sitesys.versions import version_of
from sitesys.versions.services import Editable, Fields, save_version

MAX_NARRATIVE = 10_000
#: Report fields in the order the form shows them, with the words used on amendments.
FIELD_LABELS = {
    "types": _l("Type of incident"),
    "substances": _l("Substances involved"),
    "narrative": _l("What happened"),
    "outcome": _l("Outcome"),
    "physical_harm": _l("Physical harm"),
    "psychological_harm": _l("Psychological harm"),
    "staff_involved": _l("Staff involved"),
}


#: The report while it is drafted: each save that changes it is kept as a version. Once it is
#: submitted it changes only by amendment, which keeps its old values itself.
DRAFT_REPORT = Editable("report", _l("draft report"))


class ReportChanged(IncidentChanged):
    """The report was amended by someone else after this form was opened: nothing was saved."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This report was changed by someone else since you opened it; nothing was saved. "
                "Here it is as it is now — make your change again."
            )
        )


class ResponseStillRunning(IncidentChanged):
    """The report is written once the response has ended (the clock still runs)."""

    category = "warning"

    def __init__(self) -> None:
        super().__init__(_("The response is still running: end it before writing the report."))


class ReportSubmitted(IncidentChanged):
    """The report was submitted: from now on it changes only by amendment."""

    category = "info"

    def __init__(self) -> None:
        super().__init__(_("This report has been submitted; changes are made by amendment."))


class ReportNotSubmitted(IncidentChanged):
    """Only a submitted report is amended; before that, the draft is edited."""

    category = "info"

    def __init__(self) -> None:
        super().__init__(_("This report is not submitted yet; edit the draft instead."))


class ReportIncomplete(IncidentError):
    """A report submitted with required fields missing; `problems` maps each field to a message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(
            _("The report is not complete yet: %(problems)s", problems=" ".join(problems.values()))
        )
        self.problems = problems


@dataclass
class ReportInput:
    """What the report form holds. Everything may be missing in a draft."""

    types: list[IncidentType] = field(default_factory=list)
    substances: list[str] = field(default_factory=list)
    narrative: str = ""
    outcome: Outcome | None = None
    physical_harm: PhysicalHarm | None = None
    psychological_harm: PsychologicalHarm | None = None
    staff_ids: list[int] = field(default_factory=list)


def site_staff(session: Session, site_id: int, ids: list[int]) -> list[Staff]:
    """The staff of this site among `ids`; anyone else is refused."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = list(
        session.scalars(
            select(Staff)
            .join(staff_sites, staff_sites.c.staff_id == Staff.id)
            .where(staff_sites.c.site_id == site_id, Staff.id.in_(wanted))
            .order_by(Staff.display_name)
        )
    )
    if len(found) != len(wanted):
        raise IncidentError(_("Choose staff of this site."))
    return found


def missing_fields(incident: Incident, report: ReportInput) -> dict[str, str]:
    """What a submitted report must say. A visit's incident needs the client's outcome."""
    problems: dict[str, str] = {}
    if not report.types:
        problems["types"] = _("Choose at least one type of incident.")
    if not report.narrative.strip():
        problems["narrative"] = _("Describe what happened.")
    if report.outcome is None and incident.visit_id is not None:
        problems["outcome"] = _("Choose the outcome for the client.")
    if report.physical_harm is None:
        problems["physical_harm"] = _("Choose the level of physical harm.")
    elif report.outcome is Outcome.DIED and report.physical_harm is not PhysicalHarm.FATAL:
        problems["physical_harm"] = _("The client died, so the physical harm is fatal.")
    elif report.physical_harm is PhysicalHarm.FATAL and report.outcome not in (None, Outcome.DIED):
        problems["outcome"] = _("Physical harm is fatal, so the outcome is died.")
    if report.psychological_harm is None:
        problems["psychological_harm"] = _("Choose the level of psychological harm.")
    if not report.staff_ids:
        problems["staff_involved"] = _("Tick the staff involved.")
    return problems


def _check_substances(session: Session, incident: Incident, codes: list[str]) -> list[str]:
    known = substance_labels(session, incident.site_id)
    codes = list(dict.fromkeys(codes))
    if any(code not in known for code in codes):
        raise IncidentError(_("Choose substances from this site's list."))
    return codes


def _apply(session: Session, incident: Incident, report: ReportInput) -> list[str]:
    """Write the report's values onto the incident; returns the names of fields that changed."""
    before = snapshot(incident)
    codes = _check_substances(session, incident, report.substances)
    staff = site_staff(session, incident.site_id, report.staff_ids)
    # Rows still wanted are kept as they are; only what was added or removed changes.
    types = set(report.types)
    have_types = {entry.type for entry in incident.types}
    if have_types != types:
        incident.types = [entry for entry in incident.types if entry.type in types] + [
            IncidentTypeEntry(type=t) for t in sorted(types - have_types)
        ]
    have_codes = {item.code for item in incident.substances}
    if have_codes != set(codes):
        incident.substances = [item for item in incident.substances if item.code in codes] + [
            IncidentSubstance(code=c) for c in codes if c not in have_codes
        ]
    incident.narrative = report.narrative.strip()[:MAX_NARRATIVE]
    incident.outcome = report.outcome
    incident.physical_harm = report.physical_harm
    incident.psychological_harm = report.psychological_harm
    if {p.id for p in incident.staff_involved} != {p.id for p in staff}:
        incident.staff_involved = staff
    session.flush()
    after = snapshot(incident)
    return [name for name in FIELD_LABELS if before[name] != after[name]]


def snapshot(incident: Incident) -> dict[str, Any]:
    """The report's current values, comparable field by field."""
    return {
        "types": sorted(entry.type.value for entry in incident.types),
        "substances": sorted(item.code for item in incident.substances),
        "narrative": incident.narrative,
        "outcome": incident.outcome,
        "physical_harm": incident.physical_harm,
        "psychological_harm": incident.psychological_harm,
        "staff_involved": sorted(person.id for person in incident.staff_involved),
    }


def requested(report: ReportInput) -> dict[str, Any]:
    """What the report would read if this input were applied, in `snapshot`'s terms."""
    return {
        "types": sorted({t.value for t in report.types}),
        "substances": sorted(set(report.substances)),
        "narrative": report.narrative.strip()[:MAX_NARRATIVE],
        "outcome": report.outcome,
        "physical_harm": report.physical_harm,
        "psychological_harm": report.psychological_harm,
        "staff_involved": sorted(set(report.staff_ids)),
    }


def report_fields(session: Session, incident: Incident, values: dict[str, Any]) -> Fields:
    """A report's values (in `snapshot`'s terms) as a reader sees them, field by field: kept
    with each version of the draft, and shown when a save is refused.
    """
    labels = substance_labels(session, incident.site_id)
    wanted = set(values["staff_involved"])
    known = {person.id: person for person in incident.staff_involved if person.id in wanted}
    missing = wanted - known.keys()
    if missing:
        known |= {p.id: p for p in session.scalars(select(Staff).where(Staff.id.in_(missing)))}
    staff = sorted(known.values(), key=lambda person: person.display_name)

    def label(enum: type[Outcome | PhysicalHarm | PsychologicalHarm], value: str | None) -> str:
        return enum(value).label if value else "—"

    shown = {
        "types": ", ".join(IncidentType(value).label for value in values["types"]),
        "substances": ", ".join(labels.get(code, code) for code in values["substances"]),
        "narrative": values["narrative"],
        "outcome": label(Outcome, values["outcome"]),
        "physical_harm": label(PhysicalHarm, values["physical_harm"]),
        "psychological_harm": label(PsychologicalHarm, values["psychological_harm"]),
        "staff_involved": ", ".join(person.display_name for person in staff),
    }
    return [(FIELD_LABELS[name], shown[name] or "—") for name in FIELD_LABELS]


def report_version(incident: Incident) -> str:
    """A digest of the report's values, carried by the draft and the amendment forms.

    The values themselves, not a count of amendments: whatever changes the report, the form
    opened before it no longer matches; and a form whose values are all still current can
    revert nothing, however the report got back to them.
    """
    # The enums are StrEnums, so they serialise as their stored values.
    return version_of(snapshot(incident))


def describe(session: Session, incident: Incident, name: str) -> str:
    """A report field as a reader sees it (labels, not codes): kept on amendments."""
    if name == "types":
        return ", ".join(entry.type.label for entry in incident.types) or "—"
    if name == "substances":
        labels = substance_labels(session, incident.site_id)
        return ", ".join(labels.get(s.code, s.code) for s in incident.substances) or "—"
    if name == "narrative":
        return incident.narrative or "—"
    if name == "staff_involved":
        return ", ".join(person.display_name for person in incident.staff_involved) or "—"
    value = getattr(incident, name)
    return value.label if value is not None else "—"


def draft_refusal(incident: Incident) -> IncidentChanged | None:
    """Rule: a report is written as a draft once the response has ended, until it is
    submitted. Why this one cannot be (for the report page to say so), or None.
    """
    if incident.status is IncidentStatus.OPEN:
        return ResponseStillRunning()
    if incident.status is not IncidentStatus.DRAFT:
        return ReportSubmitted()
    return None


def _require_draft(incident: Incident) -> None:
    refusal = draft_refusal(incident)
    if refusal is not None:
        raise refusal


def _save_report(
    session: Session, actor: Staff, incident: Incident, report: ReportInput, opened: str | None
) -> list[str]:
    """Write the draft's values the one way an editable clinical record is saved
    (versions.save_version): refused when the draft changed since its form was opened, kept as
    a version when it changes. Returns the names of the fields that changed.
    """
    changed: list[str] = []

    def write() -> Fields:
        changed.extend(_apply(session, incident, report))
        return report_fields(session, incident, snapshot(incident))

    save_version(
        session,
        actor,
        incident,
        DRAFT_REPORT,
        opened=opened,
        now=snapshot(incident),
        wanted=requested(report),
        write=write,
    )
    return changed


def save_draft(
    session: Session,
    actor: Staff,
    incident: Incident,
    report: ReportInput,
    *,
    opened: str | None = None,
) -> None:
    """Save a draft as it stands: nothing is required until the report is submitted.

    Rule: `opened` is the `report_version` the form was opened with. Two nurses working on one
    draft cannot overwrite each other: a form opened before the other's save is refused
    (versions.SavedElsewhere) unless it would change nothing. Each save that changes the draft
    is kept as a version.
    """
    ensure(actor, Capability.REPORT_INCIDENTS)
    _require_draft(incident)
    changed = _save_report(session, actor, incident, report, opened)
    record_event(
        session,
        "incident.draft_saved",
        actor=actor,
        record=incident,
        changed=changed,
    )
    session.flush()


def submit_report(
    session: Session,
    actor: Staff,
    incident: Incident,
    report: ReportInput,
    *,
    opened: str | None = None,
) -> None:
    """Submit a draft to the managers. Rules: every required field is filled in (see
    `missing_fields`); the form's values are saved as a draft is (`save_draft`), so a form
    opened before someone else's save is refused; from now on the report changes only by
    amendment.
    """
    ensure(actor, Capability.REPORT_INCIDENTS, "submit incident reports")
    _require_draft(incident)
    problems = missing_fields(incident, report)
    if problems:
        raise ReportIncomplete(problems)
    _save_report(session, actor, incident, report, opened)
    change_status(session, actor, incident, IncidentStatus.SUBMITTED)


@dataclass
class FiledReport:
    incident: Incident
    #: True when this form had already been saved (double tap, resubmission).
    replayed: bool = False


def file_report(
    session: Session,
    actor: Staff,
    site: Site,
    report: ReportInput,
    *,
    submission_key: str,
    submit: bool,
) -> FiledReport:
    """File an incident that had no emergency response on a visit (a fight at the door, a
    needlestick): a draft, or submitted at once when complete. One incident per form.
    """
    ensure(actor, Capability.REPORT_INCIDENTS, "report incidents")
    existing = session.scalar(select(Incident).where(Incident.submission_key == submission_key))
    if existing is not None:
        if existing.site_id != site.id:
            raise IncidentError(_("That form belongs to another site; reload the page."))
        return FiledReport(existing, replayed=True)
    now = utcnow()
    incident = Incident(
        id=uuid.uuid4(),
        site_id=site.id,
        visit_id=None,
        status=IncidentStatus.DRAFT,
        started_at=now,
        response_ended_at=None,
        reported_by_id=actor.id,
        submission_key=submission_key,
        narrative="",
        findings="",
        contributing_factors="",
        learning="",
    )
    if submit:
        problems = missing_fields(incident, report)
        if problems:
            raise ReportIncomplete(problems)
    stored = add_once(
        session,
        incident,
        lambda: session.scalar(select(Incident).where(Incident.submission_key == submission_key)),
    )
    if stored is not incident:
        return FiledReport(stored, replayed=True)
    note_creation(session, actor, incident)
    _save_report(session, actor, incident, report, None)
    record_event(
        session,
        "incident.reported",
        actor=actor,
        record=incident,
    )
    if submit:
        change_status(session, actor, incident, IncidentStatus.SUBMITTED)
    session.flush()
    return FiledReport(incident)


def may_amend(actor: Staff, incident: Incident) -> bool:
    """After submission, only the reporter or a manager may amend, and only by amendment."""
    return amend_refusal(actor, incident) is None


def amend_refusal(actor: Staff, incident: Incident) -> Refused | None:
    """Rule: a report is amended once submitted (a draft is edited instead), by whoever
    reported or submitted it, or by a manager. Why this actor cannot amend it, or None.
    """
    if incident.status not in IncidentStatus.after_submission():
        return ReportNotSubmitted()
    if role_can(actor.role, Capability.REVIEW_INCIDENTS):
        return None
    if role_can(actor.role, Capability.REPORT_INCIDENTS) and actor.id in (
        incident.reported_by_id,
        incident.submitted_by_id,
    ):
        return None
    return NotAllowed(_("Only the reporter or a manager can amend a submitted report."))


@dataclass
class Amended:
    amendments: list[IncidentAmendment]
    #: True when this form had already been saved (a double tap): nothing more was changed.
    replayed: bool = False


def _already_saved(
    session: Session, actor: Staff, incident: Incident, report: ReportInput, reason: str
) -> list[IncidentAmendment] | None:
    """The amendments this very form made, if it is being sent again: the report reads just
    what it asks for, and the latest amendments are the actor's, with this reason.
    """
    if requested(report) != snapshot(incident):
        return None
    latest = list(
        session.scalars(
            select(IncidentAmendment)
            .where(IncidentAmendment.incident_id == incident.id)
            .order_by(IncidentAmendment.id.desc())
            .limit(len(FIELD_LABELS))
        )
    )
    if not latest:
        return None
    mine = (latest[0].amended_at, actor.id, reason[:300])
    batch = [row for row in latest if (row.amended_at, row.amended_by_id, row.reason) == mine]
    return batch[::-1] or None


def amend_report(
    session: Session,
    actor: Staff,
    incident: Incident,
    report: ReportInput,
    reason: str,
    *,
    version: str,
) -> Amended:
    """Change a submitted report. Each changed field becomes an amendment holding the old value,
    the new value, the reason, who and when; the report stays complete.

    Rule: `version` is the report's `report_version` when the form was opened. If the report
    has changed since, nothing is saved (`ReportChanged`): the whole form is applied, so a
    stale one would silently revert the other person's amendment. The same form sent twice
    makes one set of amendments.
    """
    refusal = amend_refusal(actor, incident)
    if refusal is not None:
        raise refusal
    reason = reason.strip()
    if not reason:
        raise IncidentError(_("Give a reason for the amendment."))
    if version != report_version(incident):
        already = _already_saved(session, actor, incident, report, reason)
        if already:
            return Amended(already, replayed=True)
        raise ReportChanged()
    problems = missing_fields(incident, report)
    if problems:
        raise ReportIncomplete(problems)
    # Old and new values are kept in the source language (the record reads the same to all).
    with source_language():
        old = {name: describe(session, incident, name) for name in FIELD_LABELS}
    changed = _apply(session, incident, report)
    if not changed:
        raise IncidentError(_("Nothing was changed, so there is nothing to amend."))
    now = utcnow()
    with source_language():
        new = {name: describe(session, incident, name) for name in changed}
    amendments = [
        IncidentAmendment(
            incident_id=incident.id,
            field=name,
            old_value=old[name],
            new_value=new[name],
            reason=reason[:300],
            amended_at=now,
            amended_by_id=actor.id,
        )
        for name in changed
    ]
    session.add_all(amendments)
    record_event(
        session,
        "incident.amended",
        actor=actor,
        record=incident,
        fields=changed,
    )
    session.flush()
    return Amended(amendments)
