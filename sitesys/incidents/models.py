"""Incidents: an emergency response logged as it happens, its report, and the manager's review.

Nothing here is ever deleted. A wrong tap is struck through with a reason; a change to a
submitted report is an amendment that keeps the old value beside the new one.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Column, ForeignKey, Index, Numeric, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.checkin.models import Visit
from sitesys.clock import utcnow
from sitesys.db import Audited, Base
from sitesys.incidents.kinds import (
    ActionKind,
    IncidentStatus,
    IncidentType,
    NaloxoneRoute,
    Outcome,
    PhysicalHarm,
    PsychologicalHarm,
)
from sitesys.sites.models import Site

# Staff who took part in the incident (responders, witnesses, the injured member of staff).
incident_staff = Table(
    "incident_staff",
    Base.metadata,
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", ForeignKey("staff.id"), primary_key=True),
)


class Incident(Audited, Base):
    """An emergency or adverse event at a site, with or without a client's visit."""

    audit_type = "incident"
    changes_floor = True

    __tablename__ = "incidents"
    __table_args__ = (
        # One emergency at a time per visit: two tablets starting at once get the same incident.
        Index(
            "uq_incidents_visit_open",
            "visit_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_incidents_site_status_started_at", "site_id", "status", "started_at"),
        Index("ix_incidents_site_started_at", "site_id", "started_at"),
        Index("ix_incidents_visit_id", "visit_id"),
        # A nurse's own reports, newest first, without reading every report of the site.
        Index("ix_incidents_reported_by_submitted_at", "reported_by_id", "submitted_at"),
        Index("ix_incidents_submitted_by_submitted_at", "submitted_by_id", "submitted_at"),
    )

    #: Random, so URLs say nothing about how many incidents a site has.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    #: None for an incident filed without a visit (a fight at the door, a needlestick).
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"))
    status: Mapped[IncidentStatus] = mapped_column(default=IncidentStatus.OPEN)
    #: When the response started, or when an incident without a response was filed.
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    response_ended_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    review_started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: Who started the response or filed the report; reminded about it while it is a draft.
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: One per "Report incident" form: a double tap or a resubmission finds the same incident.
    submission_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    narrative: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[Outcome | None]
    physical_harm: Mapped[PhysicalHarm | None]
    psychological_harm: Mapped[PsychologicalHarm | None]

    findings: Mapped[str] = mapped_column(Text, default="")
    contributing_factors: Mapped[str] = mapped_column(Text, default="")
    learning: Mapped[str] = mapped_column(Text, default="")

    site: Mapped[Site] = relationship()
    visit: Mapped[Visit | None] = relationship()
    reported_by: Mapped[Staff] = relationship(foreign_keys=[reported_by_id])
    submitted_by: Mapped[Staff | None] = relationship(foreign_keys=[submitted_by_id])
    reviewer: Mapped[Staff | None] = relationship(foreign_keys=[reviewer_id])
    types: Mapped[list[IncidentTypeEntry]] = relationship(
        cascade="all, delete-orphan", order_by="IncidentTypeEntry.type"
    )
    substances: Mapped[list[IncidentSubstance]] = relationship(
        cascade="all, delete-orphan", order_by="IncidentSubstance.code"
    )
    staff_involved: Mapped[list[Staff]] = relationship(
        secondary=incident_staff, order_by="Staff.display_name"
    )
    actions: Mapped[list[IncidentAction]] = relationship(
        back_populates="incident", order_by="IncidentAction.recorded_at, IncidentAction.id"
    )
    amendments: Mapped[list[IncidentAmendment]] = relationship(
        order_by="IncidentAmendment.amended_at, IncidentAmendment.id"
    )
    status_changes: Mapped[list[IncidentStatusChange]] = relationship(
        order_by="IncidentStatusChange.changed_at, IncidentStatusChange.id"
    )
    review_actions: Mapped[list[ReviewAction]] = relationship(
        order_by="ReviewAction.due_on, ReviewAction.id"
    )

    @property
    def reference(self) -> str:
        """A short reference staff can read out; the full id stays in the URL."""
        return self.id.hex[:8].upper()

    @property
    def type_values(self) -> list[IncidentType]:
        return [entry.type for entry in self.types]

    @property
    def live_actions(self) -> list[IncidentAction]:
        """Actions not struck through: the ones that count."""
        return [action for action in self.actions if action.struck_at is None]

    @property
    def naloxone_doses(self) -> list[IncidentAction]:
        return [a for a in self.live_actions if a.kind is ActionKind.NALOXONE]

    @property
    def naloxone_total_mg(self) -> Decimal:
        return sum((a.dose_mg or Decimal(0) for a in self.naloxone_doses), Decimal(0))

    @property
    def last_naloxone_at(self) -> datetime | None:
        """When the last naloxone dose that counts was given."""
        doses = self.naloxone_doses
        return max(dose.recorded_at for dose in doses) if doses else None

    @property
    def naloxone_prompt_at(self) -> datetime | None:
        """When the response screen prompts "Consider another dose": the site's minutes (2 or
        3) after the last dose; None before the first.
        """
        last = self.last_naloxone_at
        if last is None:
            return None
        return last + timedelta(minutes=self.site.naloxone_prompt_minutes)

    @property
    def naloxone_prompt_due(self) -> bool:
        prompt_at = self.naloxone_prompt_at
        return prompt_at is not None and utcnow() >= prompt_at

    @property
    def ems_called_at(self) -> datetime | None:
        """When EMS were first called (a struck tap does not count)."""
        calls = [a.recorded_at for a in self.live_actions if a.kind is ActionKind.EMS_CALLED]
        return min(calls) if calls else None

    @property
    def is_urgent(self) -> bool:
        """Severe or fatal harm, EMS called, a hospital transfer or a death (see queue.py)."""
        if self.physical_harm in (PhysicalHarm.SEVERE, PhysicalHarm.FATAL):
            return True
        if self.outcome in (Outcome.TRANSFERRED_TO_HOSPITAL, Outcome.DIED):
            return True
        return any(a.kind in ActionKind.urgent() for a in self.live_actions)

    @property
    def is_submitted(self) -> bool:
        return self.status in IncidentStatus.after_submission()


class IncidentTypeEntry(Base):
    """One type of an incident (an incident may be several: overdose and a fall)."""

    __tablename__ = "incident_types"

    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    type: Mapped[IncidentType] = mapped_column(primary_key=True)


class IncidentSubstance(Base):
    """A substance involved, by the site pick-list's code."""

    __tablename__ = "incident_substances"

    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class IncidentAction(Base):
    """One step of the response, stamped by the server when it was tapped. Never deleted."""

    __tablename__ = "incident_actions"
    __table_args__ = (
        Index("ix_incident_actions_incident_id_recorded_at", "incident_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    kind: Mapped[ActionKind]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    #: One per tap: a double tap or a resent form finds the action already recorded.
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    dose_mg: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    naloxone_route: Mapped[NaloxoneRoute | None]
    oxygen_l_per_min: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    note: Mapped[str | None] = mapped_column(String(200))
    struck_at: Mapped[datetime | None]
    struck_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    strike_reason: Mapped[str | None] = mapped_column(String(200))

    incident: Mapped[Incident] = relationship(back_populates="actions")
    recorded_by: Mapped[Staff] = relationship(foreign_keys=[recorded_by_id])
    struck_by: Mapped[Staff | None] = relationship(foreign_keys=[struck_by_id])

    @property
    def summary(self) -> str:
        """The action as the log reads it, e.g. "Naloxone 0.4 mg intramuscular"."""
        if self.kind is ActionKind.NALOXONE and self.dose_mg is not None:
            dose = format_decimal(self.dose_mg)
            if self.naloxone_route:
                text: str = _(
                    # TRANSLATORS: clinical (a naloxone dose in the response log)
                    "Naloxone %(dose)s mg %(route)s",
                    dose=dose,
                    route=self.naloxone_route.label.lower(),
                )
                return text
            # TRANSLATORS: clinical (a naloxone dose in the response log)
            text = _("Naloxone %(dose)s mg", dose=dose)
            return text
        if self.kind is ActionKind.OXYGEN and self.oxygen_l_per_min is not None:
            # TRANSLATORS: clinical (oxygen flow in the response log)
            text = _("Oxygen %(flow)s L/min", flow=format_decimal(self.oxygen_l_per_min))
            return text
        if self.note:
            text = _("%(action)s: %(note)s", action=self.kind.label, note=self.note)
            return text
        return self.kind.label


def format_decimal(value: Decimal) -> str:
    """0.40 → "0.4", 15.0 → "15": how staff write doses and flows."""
    return format(value.normalize(), "f")


class IncidentAmendment(Base):
    """A change to a submitted report: the field, what it said, what it says now, and why."""

    __tablename__ = "incident_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(300))
    amended_at: Mapped[datetime] = mapped_column(default=utcnow)
    amended_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))

    amended_by: Mapped[Staff] = relationship()


class IncidentStatusChange(Base):
    """One step of the state machine, with the reason where one is needed (reopening)."""

    __tablename__ = "incident_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    from_status: Mapped[IncidentStatus | None]
    to_status: Mapped[IncidentStatus]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str | None] = mapped_column(String(300))

    changed_by: Mapped[Staff] = relationship()


class ReviewAction(Base):
    """Something the review decided must be done, by whom and by when."""

    __tablename__ = "review_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    description: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    due_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: The form that added it: the same form sent again adds nothing (NULL before 0008).
    submission_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    owner: Mapped[Staff] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[Staff] = relationship(foreign_keys=[created_by_id])
    done_by: Mapped[Staff | None] = relationship(foreign_keys=[done_by_id])


class IncidentReminder(Base):
    """A reminder that a report is still unsubmitted past the site's limit; one per incident."""

    __tablename__ = "incident_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    incident: Mapped[Incident] = relationship()
