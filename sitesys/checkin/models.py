"""Visits: one person's stay at the site, from check-in to leaving."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, ForeignKey, Index, String, bindparam, text
from sqlalchemy.orm import Mapped, QueryableAttribute, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.clients.models import Client
from sitesys.clock import utcnow
from sitesys.db import Audited, Base
from sitesys.sites.models import Booth, Site


class VisitStatus(enum.StrEnum):
    WAITING = "waiting"
    IN_BOOTH = "in_booth"
    AFTERCARE = "aftercare"
    LEFT = "left"
    LEFT_WITHOUT_CHECKOUT = "left_without_checkout"

    @property
    def label(self) -> str:
        return str(_VISIT_STATUS_LABELS[self.value])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (for choices made at import time)."""
        return _VISIT_STATUS_LABELS[self.value]

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


_VISIT_STATUS_LABELS = {
    "waiting": _l("Waiting"),
    "in_booth": _l("In booth"),
    "aftercare": _l("Aftercare"),
    "left": _l("Left"),
    "left_without_checkout": _l("Left without checkout"),
}


OPEN_STATUSES = (VisitStatus.WAITING, VisitStatus.IN_BOOTH, VisitStatus.AFTERCARE)
_OPEN_SQL = "status IN ('waiting', 'in_booth', 'aftercare')"


class Route(enum.StrEnum):
    INJECT = "inject"
    SMOKE = "smoke"
    SNORT = "snort"
    ORAL = "oral"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(_ROUTE_LABELS[self.value])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (for choices made at import time)."""
        return _ROUTE_LABELS[self.value]


_ROUTE_LABELS = {
    "inject": _l("Inject"),
    "smoke": _l("Smoke"),
    "snort": _l("Snort"),
    "oral": _l("Oral"),
    "other": _l("Other"),
}


class VisitKind(enum.StrEnum):
    """A visit to use (a booth, observation checks) or for services only (no booth, no timer)."""

    CONSUMPTION = "consumption"
    SERVICES_ONLY = "services_only"

    @property
    def label(self) -> str:
        return str(_("Services only") if self is VisitKind.SERVICES_ONLY else _("Using"))


class DrugChecked(enum.StrEnum):
    YES = "yes"
    NO = "no"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return str(_DRUG_CHECKED_LABELS[self.value])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (for choices made at import time)."""
        return _DRUG_CHECKED_LABELS[self.value]


_DRUG_CHECKED_LABELS = {
    "yes": _l("Yes"),
    "no": _l("No"),
    "declined": _l("Declined"),
}


class Departure(enum.StrEnum):
    """How a visit ended, given at check-out (reports count them)."""

    PLANNED = "planned"
    TRANSFERRED_TO_HOSPITAL = "transferred_to_hospital"
    AGAINST_ADVICE = "against_advice"
    ASKED_TO_LEAVE = "asked_to_leave"

    @property
    def label(self) -> str:
        return str(_DEPARTURE_LABELS[self.value])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (for choices made at import time)."""
        return _DEPARTURE_LABELS[self.value]


_DEPARTURE_LABELS = {
    "planned": _l("Left as planned"),
    "transferred_to_hospital": _l("Transferred to hospital"),
    "against_advice": _l("Left against advice"),
    "asked_to_leave": _l("Asked to leave"),
}


class ServiceGiven(enum.StrEnum):
    STERILE_KIT = "sterile_kit"
    SNORTING_KIT = "snorting_kit"
    FOIL = "foil"
    NALOXONE_KIT = "naloxone_kit"
    EDUCATION = "education"
    REFERRAL_OFFERED = "referral_offered"

    @property
    def label(self) -> str:
        return str(_SERVICE_GIVEN_LABELS[self.value])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (for choices made at import time)."""
        return _SERVICE_GIVEN_LABELS[self.value]


_SERVICE_GIVEN_LABELS = {
    "sterile_kit": _l("Sterile injecting kit"),
    "snorting_kit": _l("Snorting kit"),
    "foil": _l("Foil"),
    "naloxone_kit": _l("Naloxone kit"),
    "education": _l("Education"),
    "referral_offered": _l("Referral offered"),
}


def walk_in_tag(visit_id: uuid.UUID) -> str:
    """An anonymous walk-in's tag: "Walk-in" and the first four characters of the visit's id, so
    two walk-ins on the floor are never told apart only by what they use ("Walk-in 3FA2").
    """
    # TRANSLATORS: an anonymous client's tag, read aloud across the room: "Walk-in 3FA2"
    return str(_("Walk-in %(code)s", code=visit_id.hex[:4].upper()))


class Visit(Audited, Base):
    """One stay at the site. Every step is stamped by the server."""

    audit_type = "visit"
    changes_floor = True

    __tablename__ = "visits"
    __table_args__ = (
        # A booth holds one person: enforced by the database, so two desks can never both win.
        Index(
            "uq_visits_booth_in_use",
            "booth_id",
            unique=True,
            sqlite_where=text("status = 'in_booth'"),
            postgresql_where=text("status = 'in_booth'"),
        ),
        # A client has at most one open visit.
        Index(
            "uq_visits_client_open",
            "client_id",
            unique=True,
            sqlite_where=text(_OPEN_SQL),
            postgresql_where=text(_OPEN_SQL),
        ),
        # The board reads a site's open visits many times a minute; history must not slow it.
        Index(
            "ix_visits_site_open",
            "site_id",
            "status",
            sqlite_where=text(_OPEN_SQL),
            postgresql_where=text(_OPEN_SQL),
        ),
        Index("ix_visits_site_checked_in_at", "site_id", "checked_in_at"),
        Index("ix_visits_client_checked_in_at", "client_id", "checked_in_at"),
        # "Left in the last hour" on the incidents page, however long the site's history.
        Index("ix_visits_site_left_at", "site_id", "left_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    #: None for an anonymous walk-in.
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clients.id"))
    status: Mapped[VisitStatus] = mapped_column(default=VisitStatus.WAITING)
    #: The booth used (kept after leaving it, for history).
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("booths.id"))
    #: A services-only visit takes no booth and gets no observation checks.
    #: The database's default, not a Python one: the synthetic history's bulk inserts
    #: (bench/history) name only the columns they fill and leave the rest to the database.
    kind: Mapped[VisitKind] = mapped_column(server_default=VisitKind.CONSUMPTION.value)
    #: None for a services-only visit (nobody uses).
    route: Mapped[Route | None]
    drug_checked: Mapped[DrugChecked]
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    booth_entered_at: Mapped[datetime | None]
    aftercare_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    #: One per submitted check-in form: a double tap or a resubmission finds the same visit.
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    #: Set when a manager let a restricted client in; the reason is kept here, not in the audit.
    restriction_override_reason: Mapped[str | None] = mapped_column(String(200))
    #: NEWS2 SpO2 scale: 1 unless a nurse chose scale 2 (hypercapnic failure), with a reason.
    spo2_scale: Mapped[int] = mapped_column(default=1)
    spo2_scale_reason: Mapped[str | None] = mapped_column(String(200))
    #: How the visit ended, given at check-out; None for a visit left without checkout (or one
    #: that ended before check-out asked).
    departure: Mapped[Departure | None]

    site: Mapped[Site] = relationship()
    client: Mapped[Client | None] = relationship()
    booth: Mapped[Booth | None] = relationship()
    checked_in_by: Mapped[Staff] = relationship()
    substances: Mapped[list[VisitSubstance]] = relationship(
        cascade="all, delete-orphan", order_by="VisitSubstance.code"
    )
    services: Mapped[list[VisitService]] = relationship(
        cascade="all, delete-orphan", order_by="VisitService.recorded_at"
    )

    @property
    def display_tag(self) -> str:
        return self.client.display_tag if self.client is not None else walk_in_tag(self.id)

    @property
    def is_services_only(self) -> bool:
        return self.kind is VisitKind.SERVICES_ONLY

    @property
    def ended_as(self) -> str:
        """How an ended visit reads: "Left by ambulance" for a transfer to hospital."""
        if self.departure is Departure.TRANSFERRED_TO_HOSPITAL:
            return str(_("Left by ambulance"))
        if self.departure is not None:
            return self.departure.label
        return self.status.label

    @property
    def is_walk_in(self) -> bool:
        return self.client_id is None

    @property
    def checks_from(self) -> datetime:
        """The clock check intervals run from until the first observation: when the client used
        (or checked in, while waiting). Moving on to aftercare does not restart it: a client left
        unchecked in the booth is still unchecked in aftercare until someone records a check.
        """
        return self.used_at or self.checked_in_at

    @property
    def used_at(self) -> datetime | None:
        """When the client used (taken as entering the booth; aftercare if they skipped it)."""
        return self.booth_entered_at or self.aftercare_at


class VisitSubstance(Base):
    """A substance the client said they would use, by pick-list code."""

    __tablename__ = "visit_substances"

    visit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class VisitService(Base):
    """A service given during the visit (kit, naloxone, education, referral offered)."""

    __tablename__ = "visit_services"

    visit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[ServiceGiven] = mapped_column(primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


def is_open_visit(status: QueryableAttribute[VisitStatus] | None = None) -> ColumnElement[bool]:
    """`Visit.status IN (the open statuses)` (or `status`, of an aliased visit), with the values
    written into the SQL.

    The partial indexes on open visits are only used by SQLite when the query repeats their
    condition with the same literal values: with bound parameters it cannot prove the condition
    holds and reads every visit of the site (or client) instead, which years of history make slow.
    """
    return (Visit.status if status is None else status).in_(
        bindparam(
            "open_statuses",
            [status.value for status in OPEN_STATUSES],
            expanding=True,
            literal_execute=True,
        )
    )


class OverrideStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    USED = "used"

    @property
    def label(self) -> str:
        return str(_OVERRIDE_STATUS_LABELS[self.value])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (for choices made at import time)."""
        return _OVERRIDE_STATUS_LABELS[self.value]


_OVERRIDE_STATUS_LABELS = {
    "pending": _l("Waiting for a manager"),
    "approved": _l("Approved"),
    "refused": _l("Refused"),
    "used": _l("Used for a check-in"),
}


class OverrideRequest(Audited, Base):
    """The desk asking a manager, wherever they are on site, to let a restricted client in.

    Every manager signed in at the site sees it and approves or refuses it with a reason; the
    desk's page follows it. An approval lets one check-in of that client through, within the hour.
    """

    audit_type = "override_request"

    __tablename__ = "override_requests"
    __table_args__ = (
        # One request waiting per client: a second tap at the desk finds the first.
        Index(
            "uq_override_requests_client_pending",
            "client_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_override_requests_site_status", "site_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"))
    status: Mapped[OverrideStatus] = mapped_column(default=OverrideStatus.PENDING)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: The manager's reason, for an approval or a refusal (kept here, not in the audit).
    reason: Mapped[str | None] = mapped_column(String(200))
    #: The check-in the approval let through.
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"))

    client: Mapped[Client] = relationship()
    requested_by: Mapped[Staff] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Staff | None] = relationship(foreign_keys=[decided_by_id])
