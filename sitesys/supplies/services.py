"""Supplies given on a visit: the site's catalogue, and setting the quantities from the steppers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.checkin.models import Visit
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.refusals import Refused
from sitesys.sites.models import Site
from sitesys.supplies.models import (
    DEFAULT_SUPPLIES,
    EMERGENCY_STOCK,
    MOST_PER_VISIT,
    NALOXONE_UNSPECIFIED,
    TICKED_SUPPLIES,
    SupplyItem,
    VisitSupply,
)
from sitesys.supplies.stock import given_out


class SuppliesRefused(Refused):
    """Supplies that cannot be recorded; the message is shown as it is."""


class SuppliesChanged(SuppliesRefused):
    """Someone else changed an item's quantity since this page was drawn."""

    category = "warning"

    def __init__(self, item: SupplyItem, now: int) -> None:
        super().__init__(
            _(
                "%(item)s: someone else has just recorded %(now)d. Nothing was saved; check the "
                "quantities below and save again.",
                item=item.name,
                now=now,
            )
        )


def catalogue(
    session: Session, site: Site, *, active_only: bool = True, on_visits: bool = False
) -> list[SupplyItem]:
    """The site's items (the active ones; with `on_visits`, only those handed out on visits)."""
    statement = select(SupplyItem).where(SupplyItem.site_id == site.id)
    if active_only:
        statement = statement.where(SupplyItem.is_active.is_(True))
    if on_visits:
        statement = statement.where(SupplyItem.on_visits.is_(True))
    return list(session.scalars(statement.order_by(SupplyItem.position, SupplyItem.label)))


def add_default_supplies(session: Session, site: Site) -> None:
    """The catalogue every new site starts with."""
    for position, (code, label, unit) in enumerate(DEFAULT_SUPPLIES):
        session.add(
            SupplyItem(site_id=site.id, code=code, label=label, unit=unit, position=position)
        )
    for position, (code, label, unit) in enumerate(EMERGENCY_STOCK, start=50):
        session.add(
            SupplyItem(
                site_id=site.id,
                code=code,
                label=label,
                unit=unit,
                position=position,
                on_visits=False,
            )
        )
    session.flush()


def supplies_of_visit(session: Session, visit: Visit) -> list[VisitSupply]:
    return list(
        session.scalars(
            select(VisitSupply)
            .where(VisitSupply.visit_id == visit.id)
            .options(joinedload(VisitSupply.item))
            .order_by(VisitSupply.id)
        )
    )


@dataclass(frozen=True)
class Change:
    item: SupplyItem
    before: int
    after: int


def _row(session: Session, visit: Visit, item_id: int) -> VisitSupply | None:
    return session.scalar(
        select(VisitSupply)
        .where(VisitSupply.visit_id == visit.id, VisitSupply.item_id == item_id)
        .execution_options(populate_existing=True)
    )


def set_quantities(
    session: Session,
    actor: Staff,
    site: Site,
    visit: Visit,
    wanted: dict[int, int],
    *,
    shown: dict[int, int],
) -> list[Change]:
    """Set how many of each item the visit was given (item id to quantity), from a page that
    showed `shown`. The caller holds the visit's row lock.

    Rules: only while the visit is open; only the site's items; 0 to MOST_PER_VISIT of each. An
    item already at the quantity wanted is left alone (a double tap, a second tablet that saved
    the same). An item changed by someone else since the page was drawn refuses the whole save
    (SuppliesChanged): quantities are never silently overwritten.
    """
    # TRANSLATORS: completes "Only <role> can …" (a verb phrase).
    ensure(actor, Capability.WORK_FLOOR, _("record supplies given"))
    if not visit.status.is_open:
        raise SuppliesRefused(
            _(
                "%(tag)s has left; supplies can only be recorded during a visit.",
                tag=visit.display_tag,
            )
        )
    items = {item.id: item for item in catalogue(session, site, active_only=False)}
    if any(item_id not in items or not items[item_id].on_visits for item_id in wanted):
        raise SuppliesRefused(_("Choose supplies from this site's list."))
    if any(not 0 <= quantity <= MOST_PER_VISIT for quantity in wanted.values()):
        raise SuppliesRefused(
            _("Quantities are whole numbers from 0 to %(most)d.", most=MOST_PER_VISIT)
        )
    now = utcnow()
    changes: list[Change] = []
    for item_id, quantity in wanted.items():
        row = _row(session, visit, item_id)
        before = row.quantity if row is not None else 0
        if before == quantity:
            continue
        if before != shown.get(item_id, 0):
            raise SuppliesChanged(items[item_id], before)
        if row is None:
            row = VisitSupply(
                site_id=site.id,
                visit_id=visit.id,
                item_id=item_id,
                quantity=quantity,
                recorded_at=now,
                recorded_by_id=actor.id,
            )
            stored = add_once(session, row, partial(_row, session, visit, item_id))
            if stored is not row:
                # Another tablet recorded this item at the same moment.
                raise SuppliesChanged(items[item_id], stored.quantity)
        else:
            row.quantity = quantity
            row.changed_at = now
            row.changed_by_id = actor.id
        changes.append(Change(items[item_id], before, quantity))
        given_out(session, actor, visit, items[item_id], quantity - before)
    if changes:
        record_event(
            session,
            "visit.supplies_given",
            actor=actor,
            record=visit,
            items=[change.item.code for change in changes],
            quantities=[change.after for change in changes],
            given=sum(change.after - change.before for change in changes),
        )
    session.flush()
    return changes


def _unspecified_naloxone(session: Session, site: Site) -> SupplyItem:
    code, label, unit = NALOXONE_UNSPECIFIED
    item = session.scalar(
        select(SupplyItem).where(SupplyItem.site_id == site.id, SupplyItem.code == code)
    )
    if item is None:
        item = SupplyItem(
            site_id=site.id, code=code, label=label, unit=unit, position=99, is_active=False
        )
        session.add(item)
        session.flush()
    return item


def give_ticked_supplies(session: Session, actor: Staff, site: Site, visit: Visit) -> None:
    """The desk's service ticks at check-in, given as a quantity of 1 of each item ticked (the
    desk still ticks; the visit page counts). A tick whose item the site has hidden is still
    given: it was handed out.
    """
    ticked = [s.service.value for s in visit.services if s.service.value in TICKED_SUPPLIES]
    if not ticked:
        return
    items = {item.code: item for item in catalogue(session, site, active_only=False)}
    wanted: dict[int, int] = {}
    for tick in ticked:
        code = TICKED_SUPPLIES[tick]
        item = items.get(code)
        if item is None and code == NALOXONE_UNSPECIFIED[0]:
            item = _unspecified_naloxone(session, site)
        if item is not None:
            wanted[item.id] = 1
    if wanted:
        set_quantities(session, actor, site, visit, wanted, shown={})
