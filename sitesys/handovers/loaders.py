"""Loading a handover, a shift or a stock item for a request, or answering 404."""

from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.handovers.models import Handover, Shift, StockItem
from sitesys.sites.models import Site


def get_handover_or_404(
    session: Session, handover_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> Handover:
    """A handover of this site with everything its pages show; another site's handover is
    answered exactly like a missing one.

    A POST asks for the row lock (`for_update`), so that two leads acting on one handover at
    once (two incoming leads acknowledging, a draft saved from two tablets) take turns and each
    sees what the other did.
    """
    mine = (Handover.id == handover_id, Handover.site_id == site.id)
    # The lock first, on its own: PostgreSQL re-reads a locked row that changed while it
    # waited, but not the rows joined to it (who acknowledged it would be read as it was
    # before). Everything below is then read after the lock, as it is now.
    locking = select(Handover.id).where(*mine).with_for_update(of=Handover)
    if for_update and session.scalar(locking) is None:
        abort(404)
    statement = (
        select(Handover)
        .where(*mine)
        .options(
            selectinload(Handover.people),
            selectinload(Handover.stock),
            selectinload(Handover.actions),
            selectinload(Handover.addenda),
            joinedload(Handover.outgoing_lead),
            joinedload(Handover.acknowledged_by),
        )
    )
    if for_update:
        # Read afresh under the lock, not as this request may have loaded it before.
        statement = statement.execution_options(populate_existing=True)
    handover = session.scalar(statement)
    if handover is None:
        abort(404)
    return handover


def get_shift_or_404(session: Session, shift_id: int, *, for_update: bool = False) -> Shift:
    """A shift of any site (set-up is the admin's, across sites)."""
    shift = session.get(Shift, shift_id, with_for_update=for_update)
    if shift is None:
        abort(404)
    return shift


def get_stock_item_or_404(session: Session, item_id: int, *, for_update: bool = False) -> StockItem:
    """A stock item of any site (set-up is the admin's, across sites)."""
    item = session.get(StockItem, item_id, with_for_update=for_update)
    if item is None:
        abort(404)
    return item
