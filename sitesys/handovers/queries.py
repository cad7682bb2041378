"""What the handover pages and the home page read: the history, and the alerts to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, role_can
from sitesys.clock import day_bounds
from sitesys.handovers.models import Handover, HandoverAlert, HandoverAlertKind, HandoverStatus
from sitesys.sites.models import Site


@dataclass
class HistoryFilters:
    """The history's filters: local days (inclusive) and a shift's name."""

    date_from: date | None = None
    date_to: date | None = None
    shift: str | None = None


def history_statement(site: Site, filters: HistoryFilters) -> Select[tuple[Handover]]:
    """The site's handovers matching the filters, the latest shift first."""
    statement = (
        select(Handover)
        .where(Handover.site_id == site.id)
        .options(joinedload(Handover.outgoing_lead), joinedload(Handover.acknowledged_by))
        .order_by(Handover.shift_starts_at.desc())
    )
    start, end = day_bounds(filters.date_from, filters.date_to, site.zone)
    if start is not None:
        statement = statement.where(Handover.shift_starts_at >= start)
    if end is not None:
        statement = statement.where(Handover.shift_starts_at < end)
    if filters.shift:
        # "late" finds the Late shift: shift names are unique at a site without regard to case.
        statement = statement.where(func.lower(Handover.shift_name) == filters.shift.lower())
    return statement


def flagged_shift_keys(session: Session, site: Site) -> set[str]:
    """The shifts whose handover is flagged as still unacknowledged."""
    return set(
        session.scalars(
            select(HandoverAlert.shift_key).where(
                HandoverAlert.site_id == site.id,
                HandoverAlert.kind == HandoverAlertKind.UNACKNOWLEDGED,
                HandoverAlert.cleared_at.is_(None),
            )
        )
    )


def pending_handovers(session: Session, site: Site, staff: Staff) -> list[Handover]:
    """Submitted handovers waiting for an incoming lead other than the one who gave them."""
    return list(
        session.scalars(
            select(Handover)
            .where(
                Handover.site_id == site.id,
                Handover.status == HandoverStatus.SUBMITTED,
                Handover.outgoing_lead_id != staff.id,
            )
            .order_by(Handover.shift_ends_at.desc())
            .limit(10)
        )
    )


def open_alerts(
    session: Session, site: Site, kinds: tuple[HandoverAlertKind, ...]
) -> list[HandoverAlert]:
    return list(
        session.scalars(
            select(HandoverAlert)
            .where(
                HandoverAlert.site_id == site.id,
                HandoverAlert.kind.in_(kinds),
                HandoverAlert.cleared_at.is_(None),
            )
            .order_by(HandoverAlert.raised_at.desc())
            .limit(20)
        )
    )


def alerts_for(session: Session, site: Site, staff: Staff) -> list[HandoverAlert]:
    """The open handover alerts a member of staff is shown: every lead sees a handover not
    started; only those who oversee handovers see the ones left unacknowledged.
    """
    kinds: tuple[HandoverAlertKind, ...] = (HandoverAlertKind.NOT_STARTED,)
    if role_can(staff.role, Capability.OVERSEE_HANDOVERS):
        kinds = (HandoverAlertKind.NOT_STARTED, HandoverAlertKind.UNACKNOWLEDGED)
    return open_alerts(session, site, kinds)
