"""The append-only audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import Base
from sitesys.sites.models import Site


class AuditEvent(Base):
    """Who did what to which record, when. Never updated or deleted (a trigger refuses it).

    The detail holds ids, states and counts only: no client code, no clinical free text.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_site_id_occurred_at", "site_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: None for the scheduler and for sign-in attempts by unknown usernames.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(64))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[Staff | None] = relationship()
    site: Mapped[Site | None] = relationship()
