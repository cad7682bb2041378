"""The append-only audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import Base
from sitesys.sites.models import Site


class AuditEvent(Base):
    """Who did what to which record, when. Never updated or deleted (a trigger refuses it; the
    one change allowed is sealing the event into its chain at commit, once).

    The detail holds ids, states and counts only: no client code, no clinical free text.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_site_id_occurred_at", "site_id", "occurred_at"),
        # One event at each place of a site's chain: a fork is refused by the database too.
        Index("ix_audit_events_site_id_chain_position", "site_id", "chain_position", unique=True),
    )

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
    #: Where the request came from, after the trusted proxies (None for the scheduler).
    source_address: Mapped[str | None] = mapped_column(String(45))
    #: The device: a wall-board display's name, or the browser's user agent (shortened).
    device: Mapped[str | None] = mapped_column(String(120))
    #: True for an event that records a reading (a page opened, an export, a code looked up):
    #: the board's freshness is about changes and passes over them.
    is_read: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The tamper-evident chain (audit/chain.py): the event's place in its site's chain (the
    # events without a site make a chain of their own), the hash of the event before it and its
    # own hash over its content. Set when the transaction commits, under the chain's lock.
    chain_position: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite")
    )
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[Staff | None] = relationship()
    site: Mapped[Site | None] = relationship()
