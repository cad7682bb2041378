"""A site's shifts and stock items (admin), and which shift it is now."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.handovers.models import Shift, StockItem
from sitesys.handovers.shifts import (
    ShiftDefinition,
    ShiftOccurrence,
    current_shift,
    ended_shifts,
    next_shift,
    previous_shift,
    running_shifts,
    shift_problems,
)
from sitesys.refusals import Refused
from sitesys.sites.models import Site


class SetupError(Refused):
    """A shift or stock change that breaks a rule; the message is shown as it is."""


def site_shifts(session: Session, site: Site) -> list[Shift]:
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.site_id == site.id, Shift.is_active.is_(True))
            .order_by(Shift.starts_at_time, Shift.name)
        )
    )


def definitions(session: Session, site: Site) -> list[ShiftDefinition]:
    return [shift.definition() for shift in site_shifts(session, site)]


def shift_now(session: Session, site: Site, now: datetime) -> ShiftOccurrence | None:
    return current_shift(definitions(session, site), now, site.zone)


#: A shift's handover can still be started this long after the shift ended: long enough for a
#: lead kept back by an incident at changeover, or busy with an overlapping shift that runs on;
#: short enough that only shifts a lead on site now could have worked are offered. Later than
#: this, a handover never started is a matter for managers (the unacknowledged flag).
LATE_START = timedelta(hours=4)


def shifts_running(session: Session, site: Site, now: datetime) -> list[ShiftOccurrence]:
    return running_shifts(definitions(session, site), now, site.zone)


def shifts_ended_lately(session: Session, site: Site, now: datetime) -> list[ShiftOccurrence]:
    """Shifts that ended less than LATE_START ago, the latest ended first."""
    return ended_shifts(definitions(session, site), now, site.zone, LATE_START)


def shift_after(session: Session, site: Site, now: datetime) -> ShiftOccurrence | None:
    return next_shift(definitions(session, site), now, site.zone)


def shift_before(session: Session, site: Site, now: datetime) -> ShiftOccurrence | None:
    return previous_shift(definitions(session, site), now, site.zone)


def add_shift(
    session: Session, actor: Staff | None, site: Site, name: str, start: time, end: time
) -> Shift:
    """Add a named shift; names must be unique at the site (overlaps are allowed)."""
    name = name.strip()
    existing = definitions(session, site)
    taken = next((d.name for d in existing if d.name.casefold() == name.casefold()), None)
    if taken is not None:
        raise SetupError(_("There is already a shift called %(name)s.", name=taken))
    proposed = [*existing, ShiftDefinition(name, start, end)]
    problems = shift_problems(proposed)
    if problems:
        raise SetupError(" ".join(problems))
    shift = Shift(site_id=site.id, name=name, starts_at_time=start, ends_at_time=end)
    session.add(shift)
    session.flush()
    record_event(
        session,
        "shift.added",
        actor=actor,
        record=shift,
    )
    return shift


def retire_shift(session: Session, actor: Staff, shift: Shift) -> None:
    """Stop using a shift; handovers already given under it keep its name."""
    shift.is_active = False
    record_event(
        session,
        "shift.retired",
        actor=actor,
        record=shift,
    )
    session.flush()


def stock_items(session: Session, site: Site) -> list[StockItem]:
    return list(
        session.scalars(
            select(StockItem)
            .where(StockItem.site_id == site.id, StockItem.is_active.is_(True))
            .order_by(StockItem.position, StockItem.name)
        )
    )


def add_stock_item(session: Session, actor: Staff | None, site: Site, name: str) -> StockItem:
    name = name.strip()
    if not name:
        raise SetupError(_("Enter the item's name."))
    # Compared ignoring case, in Python as site and booth names are (SQLite's lower() folds
    # ASCII letters only): "NALOXONE DOSES" beside "Naloxone doses" would be counted twice.
    existing = next(
        (
            item
            for item in session.scalars(select(StockItem).where(StockItem.site_id == site.id))
            if item.name.casefold() == name.casefold()
        ),
        None,
    )
    if existing is not None and existing.is_active:
        raise SetupError(f"{name} is already counted.")
    if existing is not None:
        existing.is_active = True
        item = existing
    else:
        position = 1 + max((i.position for i in stock_items(session, site)), default=0)
        item = StockItem(site_id=site.id, name=name[:60], position=position)
        session.add(item)
    session.flush()
    record_event(
        session,
        "stock_item.added",
        actor=actor,
        record=item,
    )
    return item


def retire_stock_item(session: Session, actor: Staff, item: StockItem) -> None:
    item.is_active = False
    record_event(
        session,
        "stock_item.retired",
        actor=actor,
        record=item,
    )
    session.flush()
