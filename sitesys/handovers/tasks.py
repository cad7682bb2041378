"""Handover reminders and flags: idempotent, safe with two scheduler processes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.clock import utcnow
from sitesys.handovers.models import Handover, HandoverAlert, HandoverAlertKind, HandoverStatus
from sitesys.handovers.setup import LATE_START, site_shifts
from sitesys.handovers.shifts import ShiftOccurrence, ended_shifts, running_shifts
from sitesys.sites.models import Site

#: The outgoing lead is reminded this long before the shift ends if no handover was started.
REMIND_BEFORE_END = timedelta(minutes=15)


def _raise(
    session: Session,
    site: Site,
    shift: ShiftOccurrence,
    kind: HandoverAlertKind,
    handover: Handover | None,
    now: datetime,
) -> bool:
    exists = session.scalar(
        select(HandoverAlert.id).where(
            HandoverAlert.site_id == site.id,
            HandoverAlert.shift_key == shift.key,
            HandoverAlert.kind == kind,
        )
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            alert = HandoverAlert(
                site_id=site.id,
                shift_key=shift.key,
                shift_name=shift.definition.name,
                shift_ends_at=shift.ends_at,
                kind=kind,
                handover_id=handover.id if handover else None,
                raised_at=now,
            )
            session.add(alert)
            session.flush()
    except IntegrityError:
        return False  # the other scheduler got there first
    record_event(
        session,
        f"handover.{kind.value}_flagged",
        actor=None,
        record=alert,
    )
    return True


def _handover(session: Session, site: Site, shift: ShiftOccurrence) -> Handover | None:
    return session.scalar(
        select(Handover).where(Handover.site_id == site.id, Handover.shift_key == shift.key)
    )


#: A scheduler that was down catches up on shifts that ended this recently, not on old history.
CATCH_UP = timedelta(hours=12)


def _set_up_before(ended: ShiftOccurrence, set_up_at: dict[int | None, datetime]) -> bool:
    """A shift added to the rota today says nothing about its occurrences before then."""
    created = set_up_at.get(ended.definition.id)
    return created is None or ended.starts_at >= created


def _flaggable(
    ended: ShiftOccurrence, set_up_at: dict[int | None, datetime], site: Site, now: datetime
) -> bool:
    """Past the acknowledgement limit, recent, and a shift that existed when it started."""
    limit = ended.ends_at + timedelta(minutes=site.handover_ack_minutes)
    return limit <= now < ended.ends_at + CATCH_UP and _set_up_before(ended, set_up_at)


def handover_reminders(session: Session) -> int:
    """Remind 15 minutes before a shift ends when no handover was started; flag to managers a
    handover still unacknowledged the site's set time after the shift change.

    Every shift is considered, not only the one that started last: shifts may overlap (a
    Twilight beside a Late), and each has its own handover. A shift that ended less than
    LATE_START ago without a handover is still reminded (its handover can still be started).
    """
    now = utcnow()
    raised = 0
    for site in session.scalars(select(Site).where(Site.is_active.is_(True)).order_by(Site.id)):
        rows = site_shifts(session, site)
        if not rows:
            continue
        shifts = [row.definition() for row in rows]
        set_up_at: dict[int | None, datetime] = {row.id: row.created_at for row in rows}
        due = [
            s
            for s in running_shifts(shifts, now, site.zone)
            if s.ends_at - REMIND_BEFORE_END <= now
        ]
        due += [
            s
            for s in ended_shifts(shifts, now, site.zone, LATE_START)
            if _set_up_before(s, set_up_at)
        ]
        for shift in due:
            if _handover(session, site, shift) is None:
                raised += _raise(session, site, shift, HandoverAlertKind.NOT_STARTED, None, now)
        for ended in ended_shifts(shifts, now, site.zone, CATCH_UP):
            if not _flaggable(ended, set_up_at, site, now):
                continue
            handover = _handover(session, site, ended)
            if handover is None or handover.status is not HandoverStatus.ACKNOWLEDGED:
                raised += _raise(
                    session, site, ended, HandoverAlertKind.UNACKNOWLEDGED, handover, now
                )
    return raised
