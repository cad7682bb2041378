"""Loading a handover of the current site with everything its pages show."""

from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.handovers.models import Handover
from sitesys.sites.models import Site


def get_handover_or_404(session: Session, handover_id: uuid.UUID, site: Site) -> Handover:
    handover = session.scalar(
        select(Handover)
        .where(Handover.id == handover_id, Handover.site_id == site.id)
        .options(
            selectinload(Handover.people),
            selectinload(Handover.stock),
            selectinload(Handover.actions),
            selectinload(Handover.addenda),
            joinedload(Handover.outgoing_lead),
            joinedload(Handover.acknowledged_by),
        )
    )
    if handover is None:
        abort(404)
    return handover
