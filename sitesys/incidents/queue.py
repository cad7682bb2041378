"""The managers' incident queue (urgent first, then oldest) and its CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, case, exists, or_, select, union
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.audit.services import record_read
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.checkin.models import Visit
from sitesys.checkin.services import substance_labels
from sitesys.clock import day_bounds
from sitesys.incidents.kinds import (
    ActionKind,
    IncidentStatus,
    IncidentType,
    Outcome,
    PhysicalHarm,
)
from sitesys.incidents.models import (
    Incident,
    IncidentAction,
    IncidentTypeEntry,
    format_decimal,
)
from sitesys.sites.models import Site

#: "Not closed" is the queue's default: what still needs someone.
ACTIVE = "active"
ALL = "all"
NOT_CLOSED = tuple(status for status in IncidentStatus if status is not IncidentStatus.CLOSED)
#: An export holds at most this many incidents; narrow the dates for more.
EXPORT_LIMIT = 10_000
#: Spreadsheets run a cell starting with these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class QueueFilters:
    date_from: date | None = None
    date_to: date | None = None
    type: IncidentType | None = None
    harm: PhysicalHarm | None = None
    state: str = ACTIVE


def urgent_clause() -> ColumnElement[bool]:
    """Severe or fatal harm, a hospital transfer, a death, or EMS called: urgent for managers
    at once, computed when the queue is read (a struck-through tap does not count).
    """
    return or_(
        Incident.physical_harm.in_([PhysicalHarm.SEVERE, PhysicalHarm.FATAL]),
        Incident.outcome.in_([Outcome.TRANSFERRED_TO_HOSPITAL, Outcome.DIED]),
        exists().where(
            IncidentAction.incident_id == Incident.id,
            IncidentAction.kind.in_(ActionKind.urgent()),
            IncidentAction.struck_at.is_(None),
        ),
    )


def queue_statement(site: Site, filters: QueueFilters) -> Select[tuple[Incident]]:
    """The site's incidents matching the filters, urgent first, then the oldest first."""
    statement = (
        select(Incident)
        .where(Incident.site_id == site.id)
        .options(
            selectinload(Incident.types),
            joinedload(Incident.reported_by),
            joinedload(Incident.visit).joinedload(Visit.client),
        )
    )
    if filters.state == ACTIVE:
        # Listed rather than "!= closed", so the (site, status, started) index finds them.
        statement = statement.where(Incident.status.in_(NOT_CLOSED))
    elif filters.state != ALL:
        statement = statement.where(Incident.status == IncidentStatus(filters.state))
    start, end = day_bounds(filters.date_from, filters.date_to, site.zone)
    if start is not None:
        statement = statement.where(Incident.started_at >= start)
    if end is not None:
        statement = statement.where(Incident.started_at < end)
    if filters.type is not None:
        statement = statement.where(
            exists().where(
                IncidentTypeEntry.incident_id == Incident.id,
                IncidentTypeEntry.type == filters.type,
            )
        )
    if filters.harm is not None:
        statement = statement.where(Incident.physical_harm == filters.harm)
    return statement.order_by(case((urgent_clause(), 0), else_=1), Incident.started_at, Incident.id)


def urgent_ids(session: Session, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these incidents are urgent (one query, for a page of the queue)."""
    wanted = list(ids)
    if not wanted:
        return set()
    return set(session.scalars(select(Incident.id).where(Incident.id.in_(wanted), urgent_clause())))


def neutralise(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


#: The internal export's headers, in the reader's language.
EXPORT_COLUMNS = [
    _l("Reference"),
    _l("Started"),
    _l("State"),
    _l("Urgent"),
    _l("Linked to a visit"),
    _l("Types"),
    _l("Substances"),
    _l("Outcome"),
    _l("Physical harm"),
    _l("Psychological harm"),
    _l("Naloxone doses"),
    _l("Naloxone total (mg)"),
    _l("EMS called"),
    _l("Reported by"),
    _l("Submitted"),
    _l("Closed"),
]


def _naloxone_and_ems(
    session: Session, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[IncidentAction]]:
    by_incident: dict[uuid.UUID, list[IncidentAction]] = {}
    if not ids:
        return by_incident
    # Chunked: an IN list stays well inside every driver's parameter limit.
    for start in range(0, len(ids), 500):
        for action in session.scalars(
            select(IncidentAction).where(
                IncidentAction.incident_id.in_(ids[start : start + 500]),
                IncidentAction.struck_at.is_(None),
                IncidentAction.kind.in_([ActionKind.NALOXONE, ActionKind.EMS_CALLED]),
            )
        ):
            by_incident.setdefault(action.incident_id, []).append(action)
    return by_incident


def export_csv(
    session: Session,
    actor: Staff,
    site: Site,
    filters: QueueFilters,
    *,
    include_narratives: bool,
) -> tuple[str, int]:
    """The filtered queue as CSV text, and the number of incidents in it.

    No client is named (the display tag is left out) and no free text goes out unless the
    manager asks for the narratives; every cell that looks like a formula is neutralised.
    The export itself is audited. Rule: only those who review incidents export them.
    """
    ensure(actor, Capability.REVIEW_INCIDENTS, "export the incident list")
    statement = queue_statement(site, filters).options(selectinload(Incident.substances))
    incidents = list(session.scalars(statement.limit(EXPORT_LIMIT)))
    ids = [incident.id for incident in incidents]
    urgent: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        urgent |= urgent_ids(session, ids[start : start + 500])
    actions = _naloxone_and_ems(session, ids)
    labels = substance_labels(session, site.id)
    zone = site.zone

    def when(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [str(column) for column in EXPORT_COLUMNS]
        + ([_("Narrative")] if include_narratives else [])
    )
    for incident in incidents:
        taken = actions.get(incident.id, [])
        doses = [a.dose_mg for a in taken if a.kind is ActionKind.NALOXONE and a.dose_mg]
        total = sum(doses, start=Decimal(0))
        ems = [a.recorded_at for a in taken if a.kind is ActionKind.EMS_CALLED]
        row: list[Any] = [
            incident.reference,
            when(incident.started_at),
            incident.status.label,
            _("yes") if incident.id in urgent else _("no"),
            _("yes") if incident.visit_id else _("no"),
            "; ".join(entry.type.label for entry in incident.types),
            "; ".join(labels.get(s.code, s.code) for s in incident.substances),
            incident.outcome.label if incident.outcome else "",
            incident.physical_harm.label if incident.physical_harm else "",
            incident.psychological_harm.label if incident.psychological_harm else "",
            len(doses),
            format_decimal(total) if doses else "0",
            when(min(ems)) if ems else "",
            incident.reported_by.display_name,
            when(incident.submitted_at),
            when(incident.closed_at),
        ]
        if include_narratives:
            row.append(incident.narrative)
        writer.writerow([neutralise(cell) for cell in row])
    record_read(
        session,
        "incidents.exported",
        actor=actor,
        record=Incident,
        site_id=site.id,
        count=len(incidents),
        include_narratives=include_narratives,
        state=filters.state,
        type=filters.type.value if filters.type else None,
        harm=filters.harm.value if filters.harm else None,
        date_from=filters.date_from.isoformat() if filters.date_from else None,
        date_to=filters.date_to.isoformat() if filters.date_to else None,
    )
    session.flush()
    return buffer.getvalue(), len(incidents)


def unsubmitted_reports(
    session: Session, site: Site, reporter: Staff | None, limit: int = 50
) -> list[Incident]:
    """Drafts at the site (a nurse's own, or all of them for a manager), oldest first."""
    statement = (
        select(Incident)
        .where(Incident.site_id == site.id, Incident.status == IncidentStatus.DRAFT)
        .options(
            joinedload(Incident.visit).joinedload(Visit.client),
            joinedload(Incident.reported_by),
        )
        .order_by(Incident.started_at)
        .limit(limit)
    )
    if reporter is not None:
        statement = statement.where(Incident.reported_by_id == reporter.id)
    return list(session.scalars(statement))


def reports_by_statement(site: Site, reporter: Staff, reach: int) -> Select[tuple[Incident]]:
    """A nurse's own submitted reports, newest first (to read them back or amend them), for
    `paginate`: `reach` is how far down the list the page asked for goes.

    The newest `reach` they reported and the newest `reach` they submitted, each read down its
    own index, then merged: an OR over both columns would read every report they ever wrote.
    """
    newest_first = (Incident.submitted_at.desc(), Incident.id.desc())

    def newest(column: Any) -> Select[tuple[uuid.UUID]]:
        return (
            select(Incident.id)
            .where(
                column == reporter.id,
                Incident.site_id == site.id,
                Incident.status.in_(IncidentStatus.after_submission()),
            )
            .order_by(*newest_first)
            .limit(reach)
        )

    mine = union(
        select(newest(Incident.reported_by_id).subquery().c.id),
        select(newest(Incident.submitted_by_id).subquery().c.id),
    )
    return (
        select(Incident)
        .where(Incident.id.in_(mine))
        .options(
            selectinload(Incident.types),
            joinedload(Incident.visit).joinedload(Visit.client),
        )
        .order_by(*newest_first)
    )
