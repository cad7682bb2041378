"""Loading, for a request, a site the signed-in member of staff works at, or answering 404."""

from __future__ import annotations

from flask import abort
from sqlalchemy.orm import Session

from sitesys.auth.models import Staff
from sitesys.sites.models import Site


def get_workplace_or_404(session: Session, staff: Staff, site_id: int) -> Site:
    """One of the sites `staff` works at; any other site is answered exactly like a missing
    one, so that nobody learns which sites exist elsewhere.
    """
    site = session.get(Site, site_id)
    if site is None or not staff.can_work_at(site.id):
        abort(404)
    return site
