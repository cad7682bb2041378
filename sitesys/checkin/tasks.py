"""The end-of-day job: visits nobody checked out are closed, and their booths need cleaning."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.checkin.lifecycle import close_forgotten_visits
from sitesys.clock import utcnow
from sitesys.sites.models import Site


def end_of_day(session: Session) -> int:
    """Close forgotten visits at every site; idempotent."""
    now = utcnow()
    return sum(
        close_forgotten_visits(session, site, now)
        for site in session.scalars(select(Site).order_by(Site.id))
    )
