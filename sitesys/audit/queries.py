"""Reading the audit trail: who may read which site's, and the filtered log.

A manager reads the trail of the site they work at now; a reader holding
READ_EVERY_SITE_AUDIT (an admin) reads every site's and may narrow it to one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, role_can
from sitesys.clock import day_bounds
from sitesys.sites.models import Site, staff_sites

#: The most sites, and staff, a filter offers to choose from.
CHOICES_LIMIT = 500


@dataclass
class TrailFilters:
    """What the log is narrowed to; None (or False) narrows nothing."""

    #: The whole or the start of an action ("auth." or "visit.checked_in").
    action: str | None = None
    record_type: str | None = None
    actor_id: int | None = None
    #: Only what the scheduler did (events without an actor).
    by_scheduler: bool = False
    #: One site, for a reader of every site; a reader of one site reads that one whatever this is.
    site_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def readable_site(reader: Staff, working_at: Callable[[], Site]) -> Site | None:
    """The one site whose trail `reader` may read, or None when they may read every site.

    `working_at` (the site of the request) is asked only of a reader limited to one site: a
    reader of every site may have no site of their own.
    """
    if role_can(reader.role, Capability.READ_EVERY_SITE_AUDIT):
        return None
    return working_at()


def readable_sites(session: Session, limit: Site | None) -> list[Site]:
    """The sites the reader may choose among: their own, or every site by name."""
    if limit is not None:
        return [limit]
    return list(session.scalars(select(Site).order_by(Site.name).limit(CHOICES_LIMIT)))


def trail_people(session: Session, limit: Site | None) -> list[Staff]:
    """The staff the reader may filter by, by name: those working at their site, or anyone."""
    statement = select(Staff).order_by(Staff.display_name).limit(CHOICES_LIMIT)
    if limit is not None:
        statement = statement.join(staff_sites).where(staff_sites.c.site_id == limit.id)
    return list(session.scalars(statement))


def trail_statement(
    limit: Site | None, filters: TrailFilters, zone: ZoneInfo
) -> Select[tuple[AuditEvent]]:
    """The events the reader may read that match the filters, the latest first; dates are the
    local days of `zone`.
    """
    statement = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor), joinedload(AuditEvent.site))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    site_id = limit.id if limit is not None else filters.site_id
    if site_id is not None:
        statement = statement.where(AuditEvent.site_id == site_id)
    if filters.action:
        # autoescape: "_" and "%" typed in the filter are characters, not wildcards.
        statement = statement.where(AuditEvent.action.startswith(filters.action, autoescape=True))
    if filters.record_type:
        statement = statement.where(AuditEvent.record_type == filters.record_type)
    if filters.by_scheduler:
        statement = statement.where(AuditEvent.actor_id.is_(None))
    elif filters.actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == filters.actor_id)
    start, end = day_bounds(filters.date_from, filters.date_to, zone)
    if start is not None:
        statement = statement.where(AuditEvent.occurred_at >= start)
    if end is not None:
        statement = statement.where(AuditEvent.occurred_at < end)
    return statement
