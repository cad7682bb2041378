"""Supply figures for a site over a run of its local days: what the reports' supplies section
shows (quantities given out by item, naloxone kits given by kind, the visits given anything).

Quantities are counted by the local day the visit checked in (clock.day_start knows that a day
at a clock change is 23 or 25 hours long). Counts only: no code, client or free text leaves here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.checkin.models import Visit
from sitesys.clock import day_start
from sitesys.sites.models import Site
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


def supply_figures(session: Session, site: Site, first: date, last: date) -> SupplyFigures:
    """Every supply figure of a site for local days `first` to `last` (both included)."""
    start, end = day_start(first, site.zone), day_start(last + timedelta(days=1), site.zone)
    in_period = (
        Visit.site_id == site.id,
        Visit.checked_in_at >= start,
        Visit.checked_in_at < end,
        VisitSupply.quantity > 0,
    )
    rows = session.execute(
        select(SupplyItem.code, func.sum(VisitSupply.quantity))
        .join(VisitSupply, VisitSupply.item_id == SupplyItem.id)
        .join(Visit, Visit.id == VisitSupply.visit_id)
        .where(*in_period)
        .group_by(SupplyItem.code)
    )
    given = {code: int(total) for code, total in rows}
    visits = session.scalar(
        select(func.count(func.distinct(VisitSupply.visit_id)))
        .join(Visit, Visit.id == VisitSupply.visit_id)
        .where(*in_period)
    )
    return SupplyFigures(
        given=given,
        visits_supplied=int(visits or 0),
        naloxone_kits=sum(given.get(code, 0) for code in NALOXONE_KITS),
    )
