"""Drug alerts: what a manager warns every member of staff and every client about, at once.

An alert covers one or more sites from when it starts until it ends (at most 30 days, renewed
if the danger lasts), or until it is withdrawn with a reason. Whether it is active is always
worked out from those times when a page is drawn, so the board and the banners are right even
when the scheduler is down; the expiry job records the ending. Alerts are never deleted: ended
ones stay in the history.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import Audited, Base
from sitesys.drugchecks.models import Sample, SampleForm
from sitesys.sites.models import Site

#: The longest an alert runs before it must be renewed.
LONGEST_RUN = timedelta(days=30)

#: Which sites an alert covers.
alert_sites = Table(
    "drug_alert_sites",
    Base.metadata,
    Column("alert_id", ForeignKey("drug_alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id"), primary_key=True, index=True),
)


class Severity(enum.StrEnum):
    INFORMATION = "information"
    WARNING = "warning"
    DANGER = "danger"

    @property
    def label(self) -> str:
        return str(SEVERITY_LABELS[self])

    @property
    def rank(self) -> int:
        """Most severe first when alerts are listed."""
        return {"danger": 0, "warning": 1, "information": 2}[self.value]


#: What each severity is called (translated when shown; forms take these lazily).
SEVERITY_LABELS = {
    Severity.INFORMATION: _l("Information"),
    Severity.WARNING: _l("Warning"),
    Severity.DANGER: _l("Danger"),
}


class DrugAlert(Audited, Base):
    """A warning about something in the local supply."""

    audit_type = "drug_alert"
    #: Active alerts head the board: each change to one is audited for every site it covers.
    changes_floor = True

    __tablename__ = "drug_alerts"
    __table_args__ = (Index("ix_drug_alerts_ends_at", "ends_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(120))
    #: The substance as it is sold, in words ("Ketamine, white powder").
    sold_as: Mapped[str] = mapped_column(String(120))
    found: Mapped[str] = mapped_column(String(300))
    colour: Mapped[str | None] = mapped_column(String(60))
    form: Mapped[SampleForm | None]
    markings: Mapped[str | None] = mapped_column(String(120))
    where_sold: Mapped[str | None] = mapped_column(String(120))
    harms: Mapped[str | None] = mapped_column(String(500))
    advice: Mapped[str] = mapped_column(String(500))
    severity: Mapped[Severity]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    #: One per submitted form: a double tap publishes one alert.
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    #: The drug check it was published from, if any.
    sample_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("drug_samples.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(String(200))
    #: Set by the expiry job once the end time has passed.
    ended_at: Mapped[datetime | None]

    sites: Mapped[list[Site]] = relationship(secondary=alert_sites, order_by="Site.name")
    substances: Mapped[list[AlertSubstance]] = relationship(
        cascade="all, delete-orphan", order_by="AlertSubstance.code"
    )
    published_by: Mapped[Staff] = relationship(foreign_keys=[published_by_id])
    withdrawn_by: Mapped[Staff | None] = relationship(foreign_keys=[withdrawn_by_id])
    sample: Mapped[Sample | None] = relationship()

    @property
    def audit_site_id(self) -> int | None:
        """An alert belongs to no one site: each event about it names the site it is for."""
        return None

    @property
    def finished_at(self) -> datetime:
        """When it stopped (or will stop) being active: withdrawn, or its end time."""
        if self.withdrawn_at is not None and self.withdrawn_at < self.ends_at:
            return self.withdrawn_at
        return self.ends_at

    def is_active_at(self, now: datetime) -> bool:
        return self.starts_at <= now < self.finished_at

    def state_at(self, now: datetime) -> str:
        if self.withdrawn_at is not None and self.withdrawn_at <= now:
            return str(_("Withdrawn"))
        if now >= self.ends_at:
            return str(_("Ended"))
        if now < self.starts_at:
            return str(_("Starts later"))
        return str(_("Active"))

    @classmethod
    def active_at(cls, now: datetime) -> ColumnElement[bool]:
        """Started, not yet at its end, and not withdrawn."""
        return and_(cls.starts_at <= now, cls.ends_at > now, cls.withdrawn_at.is_(None))

    @classmethod
    def still_to_end(cls, now: datetime) -> ColumnElement[bool]:
        """Active now or starting later: what the board must know to redraw on time."""
        return and_(cls.ends_at > now, cls.withdrawn_at.is_(None))


class AlertSubstance(Base):
    """A pick-list substance an alert is about: the desk is warned when a client names it."""

    __tablename__ = "drug_alert_substances"

    alert_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("drug_alerts.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Acknowledgement(Base):
    """A member of staff has read an alert: once per person per alert, whatever the race."""

    __tablename__ = "drug_alert_acknowledgements"
    __table_args__ = (UniqueConstraint("alert_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drug_alerts.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    acknowledged_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The site they were working at when they acknowledged.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))

    staff: Mapped[Staff] = relationship()


class AlertShown(Base):
    """The desk showed an alert at a client's check-in (the visit records "Alert shown")."""

    __tablename__ = "visit_alerts_shown"
    __table_args__ = (Index("ix_visit_alerts_shown_alert_id", "alert_id"),)

    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id"), primary_key=True)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drug_alerts.id"), primary_key=True)
    shown_at: Mapped[datetime] = mapped_column(default=utcnow)
    shown_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))

    alert: Mapped[DrugAlert] = relationship()
