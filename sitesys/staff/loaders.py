"""Loading a staff account for the admin's pages, or answering 404."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sitesys.auth.models import Staff


def get_staff_or_404(session: Session, staff_id: int, *, for_update: bool = False) -> Staff:
    """An account with the sites it works at. Not scoped to a site: accounts are managed by
    admins, who work across every site (and may have none of their own).

    A POST asks for the row lock (`for_update`), so that two admins changing one account at once
    take turns rather than one silently undoing the other.
    """
    statement = select(Staff).where(Staff.id == staff_id).options(selectinload(Staff.sites))
    if for_update:
        # Read afresh under the lock, not as this request may have loaded it before.
        statement = statement.with_for_update(of=Staff).execution_options(populate_existing=True)
    staff = session.scalar(statement)
    if staff is None:
        abort(404)
    return staff
