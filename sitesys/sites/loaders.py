"""Loading a site, a booth or a substance for a request: within the sites the page may touch,
or it does not exist (404).

Floor pages (the board's booth page) look only at the site signed in at. An admin's set-up
pages work across sites: an admin sets up every site and is signed in at none of them, so they
look within `sites_managed_by(admin)`, which is every site.
"""

from __future__ import annotations

import enum
from typing import TypeVar

from flask import abort
from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, role_can
from sitesys.sites.models import Booth, Site, SubstanceOption

T = TypeVar("T")


class EverySite(enum.Enum):
    """The scope of the set-up pages: every site (an admin's, who works across sites)."""

    EVERY_SITE = "every site"


EVERY_SITE = EverySite.EVERY_SITE

#: Where a loader looks: the one site signed in at, or every site.
SiteScope = Site | EverySite


def sites_managed_by(actor: Staff) -> SiteScope:
    """The sites whose set-up a member of staff may open: every site, for those who set up
    sites (admins, who belong to no one site); anyone else is refused (403).
    """
    if not role_can(actor.role, Capability.MANAGE_SITES):
        abort(403)
    return EVERY_SITE


def _within(scope: SiteScope, site_id: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    return true() if scope is EVERY_SITE else site_id == scope.id


def one_or_404(session: Session, statement: Select[tuple[T]], for_update: bool) -> T:
    """The one row a site-scoped statement finds, locked when a POST asks; 404 when none."""
    if for_update:
        statement = statement.with_for_update()
    found = session.scalar(statement)
    if found is None:
        abort(404)
    return found


def get_site_or_404(
    session: Session, site_id: int, scope: SiteScope, *, for_update: bool = False
) -> Site:
    """A site within the scope; any other is answered exactly like a missing one."""
    statement = select(Site).where(Site.id == site_id, _within(scope, Site.id))
    return one_or_404(session, statement, for_update)


def get_booth_or_404(
    session: Session, booth_id: int, scope: SiteScope, *, for_update: bool = False
) -> Booth:
    """A booth of a site within the scope (retired ones too: set-up restores them); another
    site's booth is answered exactly like a missing one. A POST that changes the booth asks
    for the row lock, so two taps on one booth change it once.
    """
    statement = select(Booth).where(Booth.id == booth_id, _within(scope, Booth.site_id))
    return one_or_404(session, statement, for_update)


def get_substance_or_404(
    session: Session, option_id: int, scope: SiteScope, *, for_update: bool = False
) -> SubstanceOption:
    """A substance of a site's pick-list within the scope, or 404."""
    statement = select(SubstanceOption).where(
        SubstanceOption.id == option_id, _within(scope, SubstanceOption.site_id)
    )
    return one_or_404(session, statement, for_update)
