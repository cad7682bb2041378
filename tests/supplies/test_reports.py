"""Supply figures for the reports: quantities by item, naloxone kits, visits supplied."""

from __future__ import annotations

from datetime import timedelta

from sitesys.clock import local_date, utcnow
from sitesys.supplies.reports import supply_figures
from sitesys.supplies.services import set_quantities
from tests.factories import make_visit
from tests.supplies.test_supplies import stocked


def test_supply_figures_count_the_periods_visits(db):
    floor, items = stocked(db)
    other = make_visit(db, floor.site, floor.desk)
    set_quantities(
        db,
        floor.desk,
        floor.site,
        floor.visit,
        {items["sterile_kit"].id: 4, items["naloxone_in"].id: 1},
        shown={},
    )
    set_quantities(
        db,
        floor.desk,
        floor.site,
        other,
        {items["naloxone_im"].id: 2, items["foil"].id: 0},
        shown={},
    )
    today = local_date(utcnow(), floor.site.zone)
    figures = supply_figures(db, floor.site, today, today)
    assert figures.given == {"sterile_kit": 4, "naloxone_in": 1, "naloxone_im": 2}
    assert figures.naloxone_kits == 3 and figures.visits_supplied == 2
    yesterday = today - timedelta(days=1)
    assert supply_figures(db, floor.site, yesterday, yesterday).given == {}
