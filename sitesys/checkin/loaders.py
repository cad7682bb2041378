"""Loading a visit for a request: of the current site, or it does not exist (404)."""

from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.checkin.models import OverrideRequest, Visit
from sitesys.sites.models import Site


def get_visit_or_404(
    session: Session, visit_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> Visit:
    """A visit of this site; another site's visit is answered exactly like a missing one."""
    statement = (
        select(Visit)
        .where(Visit.id == visit_id, Visit.site_id == site.id)
        .options(joinedload(Visit.client), joinedload(Visit.booth), selectinload(Visit.substances))
    )
    if for_update:
        statement = statement.with_for_update(of=Visit)
    visit = session.scalar(statement)
    if visit is None:
        abort(404)
    return visit


def get_override_request_or_404(
    session: Session, request_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> OverrideRequest:
    """A restriction override request of this site, with its client; another site's is answered
    exactly like a missing one. A manager's answer takes the lock, so two answers at once give
    one.
    """
    statement = select(OverrideRequest).where(
        OverrideRequest.id == request_id, OverrideRequest.site_id == site.id
    )
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    request = session.scalar(statement)
    if request is None:
        abort(404)
    return request
