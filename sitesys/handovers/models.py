"""Shifts, stock items, and the handovers between shift leads."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import Audited, Base
from sitesys.handovers.shifts import ShiftDefinition


class Shift(Audited, Base):
    """A named shift of a site, by local wall-clock times (may run past midnight)."""

    audit_type = "shift"

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    starts_at_time: Mapped[time]
    ends_at_time: Mapped[time]
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Shifts that ended before a shift was set up are never flagged as missing a handover.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def definition(self) -> ShiftDefinition:
        return ShiftDefinition(self.name, self.starts_at_time, self.ends_at_time, self.id)


class StockItem(Audited, Base):
    """Something the shift lead counts at handover (naloxone doses, oxygen cylinders...)."""

    audit_type = "stock_item"

    __tablename__ = "stock_items"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


#: Stock every new site counts; admins add their own.
DEFAULT_STOCK_ITEMS = ("Naloxone doses", "Oxygen cylinders")


class HandoverStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.value])


class IllnessSeverity(enum.StrEnum):
    """I-PASS illness severity."""

    STABLE = "stable"
    WATCHER = "watcher"
    UNSTABLE = "unstable"

    @property
    def label(self) -> str:
        return str(SEVERITY_LABELS[self.value])


STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Awaiting acknowledgement"),
    "acknowledged": _l("Acknowledged"),
}
#: I-PASS illness severity in words (lazy: the draft form's choices are made at import time).
SEVERITY_LABELS = {
    # TRANSLATORS: clinical (I-PASS illness severity)
    "stable": _l("Stable"),
    # TRANSLATORS: clinical (I-PASS illness severity)
    "watcher": _l("Watcher"),
    # TRANSLATORS: clinical (I-PASS illness severity)
    "unstable": _l("Unstable"),
}


class Handover(Audited, Base):
    """One shift's handover: a snapshot of the floor, stock, and the I-PASS narrative.

    Frozen once submitted; a correction is an addendum with a reason.
    """

    audit_type = "handover"

    __tablename__ = "handovers"
    __table_args__ = (
        UniqueConstraint("site_id", "shift_key"),
        # A site's handovers by time (reports, history) and those waiting (every landing page):
        # read by index, however many years the site has kept.
        Index("ix_handovers_site_shift_ends_at", "site_id", "shift_ends_at"),
        Index("ix_handovers_site_status", "site_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id"))
    #: The shift occurrence handed over, e.g. "2026-03-28/Night": one handover per shift.
    shift_key: Mapped[str] = mapped_column(String(60))
    shift_name: Mapped[str] = mapped_column(String(40))
    shift_starts_at: Mapped[datetime]
    shift_ends_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[HandoverStatus] = mapped_column(default=HandoverStatus.DRAFT)
    outgoing_lead_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The floor as it was: clients, incidents, overdue checks, booths out of service, counts.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    snapshot_at: Mapped[datetime]
    summary: Mapped[str | None] = mapped_column(Text)
    situation_awareness: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    readback_note: Mapped[str | None] = mapped_column(String(1000))

    outgoing_lead: Mapped[Staff] = relationship(foreign_keys=[outgoing_lead_id])
    acknowledged_by: Mapped[Staff | None] = relationship(foreign_keys=[acknowledged_by_id])
    people: Mapped[list[HandoverPerson]] = relationship(
        cascade="all, delete-orphan", order_by="HandoverPerson.position"
    )
    stock: Mapped[list[HandoverStock]] = relationship(
        cascade="all, delete-orphan", order_by="HandoverStock.position"
    )
    actions: Mapped[list[HandoverAction]] = relationship(
        cascade="all, delete-orphan", order_by="HandoverAction.id"
    )
    addenda: Mapped[list[HandoverAddendum]] = relationship(order_by="HandoverAddendum.created_at")

    @property
    def is_frozen(self) -> bool:
        return self.status is not HandoverStatus.DRAFT


class HandoverPerson(Base):
    """A client on site at handover, with the lead's I-PASS illness severity."""

    __tablename__ = "handover_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("handovers.id", ondelete="CASCADE"), index=True
    )
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id"))
    display_tag: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    severity: Mapped[IllnessSeverity | None]


class HandoverStock(Base):
    __tablename__ = "handover_stock"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("handovers.id", ondelete="CASCADE"), index=True
    )
    item: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    count: Mapped[int | None]


class HandoverAction(Base):
    """An I-PASS action: what, who owns it, by when."""

    __tablename__ = "handover_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("handovers.id", ondelete="CASCADE"), index=True
    )
    what: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(80))
    by_when: Mapped[str | None] = mapped_column(String(40))


class HandoverAddendum(Base):
    """A correction to a submitted handover; the original stays as it was."""

    __tablename__ = "handover_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("handovers.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The form's one-time key: the same form sent twice adds one addendum (None before 0007).
    submission_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    author: Mapped[Staff] = relationship()


class HandoverAlertKind(enum.StrEnum):
    NOT_STARTED = "not_started"
    UNACKNOWLEDGED = "unacknowledged"


class HandoverAlert(Audited, Base):
    """A handover reminder or flag raised by the scheduler, once per shift and kind."""

    audit_type = "handover_alert"

    __tablename__ = "handover_alerts"
    __table_args__ = (
        UniqueConstraint("site_id", "shift_key", "kind"),
        Index("ix_handover_alerts_site_shift_ends_at", "site_id", "shift_ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    shift_key: Mapped[str] = mapped_column(String(60))
    shift_name: Mapped[str] = mapped_column(String(40))
    shift_ends_at: Mapped[datetime]
    kind: Mapped[HandoverAlertKind]
    handover_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("handovers.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Cleared when the handover is started (reminder) or acknowledged (flag).
    cleared_at: Mapped[datetime | None]
