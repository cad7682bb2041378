"""Whose figures a reader may see: a manager their own sites, an admin every site."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure, role_can
from sitesys.sites.models import Site

#: The most sites one report lays side by side.
MAX_SITES = 60


class NotYourSite(LookupError):
    """A site the reader may not report on (answered as a missing page)."""


def reportable_sites(session: Session, reader: Staff) -> list[Site]:
    """The sites `reader` may report on, by name: every site for those holding
    READ_EVERY_SITE_AUDIT (an admin), otherwise the sites they work at.
    """
    ensure(reader, Capability.READ_REPORTS)
    if role_can(reader.role, Capability.READ_EVERY_SITE_AUDIT):
        return list(session.scalars(select(Site).order_by(Site.name).limit(MAX_SITES)))
    return sorted(reader.sites, key=lambda site: site.name)[:MAX_SITES]


def chosen_sites(session: Session, reader: Staff, site_id: int | None) -> list[Site]:
    """One of the reader's sites, or all of them (None); another site raises NotYourSite."""
    sites = reportable_sites(session, reader)
    if site_id is None:
        return sites
    found = [site for site in sites if site.id == site_id]
    if not found:
        raise NotYourSite(site_id)
    return found
