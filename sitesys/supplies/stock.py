"""The stock ledger: what each item's count is, and every line that changed it (received,
given out on visits, disposed of, counted at a stock-take), with the warnings it raises.

The count of an item is changed only here, by one UPDATE that adds the change to the count the
database holds (`on_hand = on_hand + change`), so that two tablets giving out at once are both
counted; a stock-take reads the count under the item's row lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.checkin.models import Visit
from sitesys.clock import local_date, utcnow, written
from sitesys.refusals import Refused
from sitesys.sites.models import Site
from sitesys.supplies.models import MovementKind, StockBatch, StockMovement, SupplyItem

#: A batch expiring within this many days is warned about.
EXPIRY_WARNING_DAYS = 30
#: The most of an item one line of the ledger may move (a typing slip is refused).
MOST_PER_LINE = 10_000


class StockRefused(Refused):
    """A stock change that cannot be recorded; the message is shown as it is."""


def apply_change(session: Session, item: SupplyItem, change: int) -> int:
    """Add `change` to the item's count in the database itself; returns the count after."""
    after = session.execute(
        update(SupplyItem)
        .where(SupplyItem.id == item.id)
        .values(on_hand=SupplyItem.on_hand + change)
        .returning(SupplyItem.on_hand)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    session.expire(item, ["on_hand"])
    return int(after)


def _take_from_batches(session: Session, item: SupplyItem, quantity: int) -> None:
    """What left the stock comes off its batches earliest expiry first (a batch with no expiry
    last); what is not in any batch is only counted.
    """
    batches = session.scalars(
        select(StockBatch)
        .where(StockBatch.item_id == item.id, StockBatch.remaining > 0)
        .order_by(StockBatch.expires_on.is_(None), StockBatch.expires_on, StockBatch.id)
        .with_for_update()
    )
    for batch in batches:
        if quantity <= 0:
            break
        taken = min(batch.remaining, quantity)
        batch.remaining -= taken
        quantity -= taken


def _line(
    session: Session,
    actor: Staff,
    item: SupplyItem,
    kind: MovementKind,
    change: int,
    **values: object,
) -> StockMovement:
    after = apply_change(session, item, change)
    if change < 0:
        _take_from_batches(session, item, -change)
    line = StockMovement(
        site_id=item.site_id,
        item_id=item.id,
        kind=kind,
        change=change,
        on_hand_after=after,
        recorded_at=utcnow(),
        recorded_by_id=actor.id,
        **values,
    )
    session.add(line)
    session.flush()
    return line


def _by_key(session: Session, key: str) -> StockMovement | None:
    return session.scalar(select(StockMovement).where(StockMovement.submission_key == key))


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MOST_PER_LINE:
        raise StockRefused(_("Enter a quantity from 1 to %(most)d.", most=MOST_PER_LINE))


def given_out(session: Session, actor: Staff, visit: Visit, item: SupplyItem, given: int) -> None:
    """A visit's quantity of an item went up by `given` (or down, when it was corrected): the
    ledger follows it at once. Called by supplies.services.set_quantities.
    """
    if given == 0:
        return
    _line(session, actor, item, MovementKind.GIVEN_OUT, -given, visit_id=visit.id)


def receive(
    session: Session,
    actor: Staff,
    item: SupplyItem,
    quantity: int,
    *,
    batch: str,
    expires_on: date | None,
    submission_key: str,
) -> StockMovement:
    """Stock delivered: its quantity, batch and expiry date."""
    ensure(actor, Capability.KEEP_STOCK)
    _check_quantity(quantity)
    earlier = _by_key(session, submission_key)
    if earlier is not None:
        return earlier
    batch = batch.strip()[:40]
    if not batch:
        raise StockRefused(_("Give the batch number printed on the box."))
    row = StockBatch(
        site_id=item.site_id,
        item_id=item.id,
        batch=batch,
        expires_on=expires_on,
        remaining=quantity,
        received_at=utcnow(),
    )
    session.add(row)
    session.flush()
    line = _line(
        session,
        actor,
        item,
        MovementKind.RECEIVED,
        quantity,
        batch_id=row.id,
        submission_key=submission_key,
    )
    record_event(
        session, "stock.received", actor=actor, record=line, item=item.code, quantity=quantity
    )
    return line


def dispose(
    session: Session,
    actor: Staff,
    item: SupplyItem,
    quantity: int,
    *,
    reason: str,
    submission_key: str,
    batch: StockBatch | None = None,
) -> StockMovement:
    """Stock thrown away (expired, damaged), with the reason; from one batch when named."""
    ensure(actor, Capability.KEEP_STOCK)
    _check_quantity(quantity)
    earlier = _by_key(session, submission_key)
    if earlier is not None:
        return earlier
    reason = reason.strip()[:120]
    if not reason:
        raise StockRefused(_("Give the reason it was disposed of."))
    if batch is not None:
        if batch.item_id != item.id:
            raise StockRefused(_("That batch is not of this item."))
        if quantity > batch.remaining:
            raise StockRefused(
                _(
                    "Batch %(batch)s has only %(remaining)d left.",
                    batch=batch.batch,
                    remaining=batch.remaining,
                )
            )
        batch.remaining -= quantity
        after = apply_change(session, item, -quantity)
        line = StockMovement(
            site_id=item.site_id,
            item_id=item.id,
            kind=MovementKind.DISPOSED,
            change=-quantity,
            on_hand_after=after,
            batch_id=batch.id,
            reason=reason,
            submission_key=submission_key,
            recorded_at=utcnow(),
            recorded_by_id=actor.id,
        )
        session.add(line)
        session.flush()
    else:
        line = _line(
            session,
            actor,
            item,
            MovementKind.DISPOSED,
            -quantity,
            reason=reason,
            submission_key=submission_key,
        )
    record_event(
        session, "stock.disposed", actor=actor, record=line, item=item.code, quantity=quantity
    )
    return line


def count(
    session: Session, actor: Staff, item: SupplyItem, true_count: int, *, submission_key: str
) -> StockMovement:
    """A stock-take: the count found is the true count; the line records the difference."""
    ensure(actor, Capability.KEEP_STOCK)
    if not 0 <= true_count <= MOST_PER_LINE * 10:
        raise StockRefused(_("Enter the number counted."))
    earlier = _by_key(session, submission_key)
    if earlier is not None:
        return earlier
    held = session.scalar(
        select(SupplyItem.on_hand)
        .where(SupplyItem.id == item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    change = true_count - int(held or 0)
    line = _line(
        session,
        actor,
        item,
        MovementKind.COUNTED,
        change,
        submission_key=submission_key,
    )
    record_event(
        session,
        "stock.counted",
        actor=actor,
        record=line,
        item=item.code,
        counted=true_count,
        difference=change,
    )
    return line


def set_reorder_level(session: Session, actor: Staff, item: SupplyItem, level: int | None) -> None:
    ensure(actor, Capability.KEEP_STOCK)
    if level is not None and not 0 <= level <= MOST_PER_LINE:
        raise StockRefused(_("Enter a reorder level from 0, or leave it blank."))
    if item.reorder_level == level:
        return
    item.reorder_level = level
    record_event(session, "stock.reorder_level_set", actor=actor, record=item, level=level)
    session.flush()


def ledger(session: Session, site: Site, *, limit: int = 50) -> list[StockMovement]:
    """The site's latest ledger lines, newest first (at most `limit`)."""
    return list(
        session.scalars(
            select(StockMovement)
            .where(StockMovement.site_id == site.id)
            .options(joinedload(StockMovement.item), joinedload(StockMovement.recorded_by))
            .order_by(StockMovement.recorded_at.desc(), StockMovement.id.desc())
            .limit(limit)
        )
    )


def batches_held(session: Session, site: Site) -> list[StockBatch]:
    return list(
        session.scalars(
            select(StockBatch)
            .where(StockBatch.site_id == site.id, StockBatch.remaining > 0)
            .options(joinedload(StockBatch.item))
            .order_by(StockBatch.expires_on.is_(None), StockBatch.expires_on, StockBatch.id)
            .limit(200)
        )
    )


@dataclass(frozen=True)
class StockWarning:
    sentence: str
    #: "error" for what must not be used (an expired batch), "warning" otherwise.
    level: str


def _day(day: date) -> str:
    """A day as the warnings write it ("5 Dec 2026"), in the reader's language."""
    return written(day, "%-d %b %Y")


def stock_warnings(session: Session, site: Site) -> list[StockWarning]:
    """What the handover and the manager's home page warn about: items below their reorder level,
    batches expiring within 30 days, and expired batches still counted.
    """
    today = local_date(utcnow(), site.zone)
    warnings = []
    for batch in batches_held(session, site):
        if batch.expires_on is None:
            continue
        if batch.expires_on < today:
            warnings.append(
                StockWarning(
                    _(
                        "%(item)s: batch %(batch)s expired on %(day)s and %(remaining)d are "
                        "still counted — dispose of them.",
                        item=batch.item.name,
                        batch=batch.batch,
                        day=_day(batch.expires_on),
                        remaining=batch.remaining,
                    ),
                    "error",
                )
            )
        elif batch.expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS):
            warnings.append(
                StockWarning(
                    _(
                        "%(item)s: batch %(batch)s (%(remaining)d) expires on %(day)s.",
                        item=batch.item.name,
                        batch=batch.batch,
                        remaining=batch.remaining,
                        day=_day(batch.expires_on),
                    ),
                    "warning",
                )
            )
    low = session.scalars(
        select(SupplyItem)
        .where(
            SupplyItem.site_id == site.id,
            SupplyItem.is_active.is_(True),
            SupplyItem.reorder_level.is_not(None),
            SupplyItem.on_hand < SupplyItem.reorder_level,
        )
        .order_by(SupplyItem.position)
    )
    for item in low:
        warnings.append(
            StockWarning(
                # TRANSLATORS: %(unit)s is the site's own word for one (strip, kit), as its
                # catalogue writes it; the English adds an s for more than one.
                _(
                    "%(item)s: %(held)d %(unit)ss left, below the reorder level of %(level)d.",
                    item=item.name,
                    held=item.on_hand,
                    unit=item.unit_name,
                    level=item.reorder_level,
                ),
                "warning",
            )
        )
    return warnings


def stock_take_from_handover(
    session: Session, actor: Staff, site: Site, counts: list[tuple[int, str, int | None]]
) -> int:
    """A submitted handover's stock counts (row id, item name, count): each that differs from
    the ledger's count of the item of that name is a stock-take. Returns how many corrected.
    Keyed by the handover row, so a handover is counted once however often this runs.
    """
    items = {
        item.label: item
        for item in session.scalars(select(SupplyItem).where(SupplyItem.site_id == site.id))
    }
    corrected = 0
    for row_id, name, counted in counts:
        item = items.get(name)
        if item is None or counted is None:
            continue
        session.refresh(item, ["on_hand"])
        if item.on_hand == counted:
            continue
        key = str(uuid.uuid5(_HANDOVER_COUNTS, f"{site.id}:{row_id}"))
        count(session, actor, item, counted, submission_key=key)
        corrected += 1
    return corrected


#: The namespace of the stock-takes made by handovers (their keys are made from the row's id).
_HANDOVER_COUNTS = uuid.UUID("6f1c3c1e-3d0b-4f43-9a59-2b8b2a4c1d11")
