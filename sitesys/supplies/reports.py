"""Supply figures for sites over a run of their local days: what the reports' supplies section
shows (quantities given out by item, naloxone kits given by kind, the visits given anything).

Quantities are counted by the local day the visit checked in (clock.day_start knows that a day
at a clock change is 23 or 25 hours long). Each figure is read for every site asked for in one
statement, grouped by site. Counts only: no code, client or free text leaves here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.checkin.models import Visit
from sitesys.sites.models import Site
from sitesys.sites.zones import in_local_days, zone_groups
from sitesys.supplies.models import SupplyItem, VisitSupply

#: The catalogue codes of naloxone kits (the last: ticked before quantities, kind not recorded).
NALOXONE_KITS = ("naloxone_in", "naloxone_im", "naloxone_kit")


@dataclass(frozen=True)
class SupplyFigures:
    #: Quantity given out by item code.
    given: dict[str, int] = field(default_factory=dict)
    #: Visits given at least one item.
    visits_supplied: int = 0
    #: Naloxone kits given, all kinds together.
    naloxone_kits: int = 0


def supplies_by_site(
    session: Session, sites: Sequence[Site], first: date, last: date
) -> dict[int, SupplyFigures]:
    """Every supply figure of each site for its local days `first` to `last` (both included),
    by site id (zero figures for a site that gave nothing).
    """
    if not sites:
        return {}
    in_period = (
        in_local_days(zone_groups(sites, first, last), Visit.site_id, Visit.checked_in_at),
        VisitSupply.quantity > 0,
    )
    given: dict[int, dict[str, int]] = {site.id: {} for site in sites}
    rows = session.execute(
        select(Visit.site_id, SupplyItem.code, func.sum(VisitSupply.quantity))
        .join(VisitSupply, VisitSupply.item_id == SupplyItem.id)
        .join(Visit, Visit.id == VisitSupply.visit_id)
        .where(*in_period)
        .group_by(Visit.site_id, SupplyItem.code)
    )
    for site_id, code, total in rows:
        given[site_id][code] = int(total)
    visits = dict(
        session.execute(
            select(Visit.site_id, func.count(func.distinct(VisitSupply.visit_id)))
            .join(Visit, Visit.id == VisitSupply.visit_id)
            .where(*in_period)
            .group_by(Visit.site_id)
        )
        .tuples()
        .all()
    )
    return {
        site.id: SupplyFigures(
            given=given[site.id],
            visits_supplied=int(visits.get(site.id, 0)),
            naloxone_kits=sum(given[site.id].get(code, 0) for code in NALOXONE_KITS),
        )
        for site in sites
    }


def supply_figures(session: Session, site: Site, first: date, last: date) -> SupplyFigures:
    """Every supply figure of a site for local days `first` to `last` (both included)."""
    return supplies_by_site(session, [site], first, last)[site.id]
