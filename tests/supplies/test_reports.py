"""Supply figures for the reports: quantities by item, naloxone kits, visits supplied."""

from __future__ import annotations

from datetime import timedelta

from sitesys.clock import local_date, utcnow
from sitesys.supplies.reports import SupplyFigures, supplies_by_site, supply_figures
from sitesys.supplies.services import set_quantities
from tests.factories import make_site, make_visit
from tests.reports.test_care_figures import APRIL, MARCH, care_scene
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


def test_supplies_by_site_count_each_site_by_its_own_local_days_in_one_read(db, count_queries):
    # The same visits at a London and a Toronto site: the one checked in at 23:30 UTC on 31
    # March is 1 April's in London but still 31 March's in Toronto.
    london = care_scene(db)
    toronto = care_scene(db, name="Lake Street", time_zone="America/Toronto")
    quiet = make_site(db, time_zone="Europe/London")
    sites = [london, toronto, quiet]

    with count_queries() as one:
        supplies_by_site(db, [london], *MARCH)
    with count_queries() as three:
        march = supplies_by_site(db, sites, *MARCH)
    assert three.count == one.count == 2

    april = supplies_by_site(db, sites, *APRIL)
    for figures, period in ((march, MARCH), (april, APRIL)):
        assert set(figures) == {london.id, toronto.id, quiet.id}
        for site in sites:
            assert figures[site.id] == supply_figures(db, site, *period)
    # A quantity taken back to 0 (foil) is not given.
    assert march[london.id] == SupplyFigures(
        given={"sterile_kit": 3, "naloxone_in": 1, "naloxone_im": 2},
        visits_supplied=2,
        naloxone_kits=3,
    )
    assert march[toronto.id] == SupplyFigures(
        given={"sterile_kit": 3, "naloxone_in": 1, "naloxone_im": 2, "condoms": 5},
        visits_supplied=3,
        naloxone_kits=3,
    )
    assert april[london.id] == SupplyFigures(given={"condoms": 5}, visits_supplied=1)
    assert april[toronto.id] == march[quiet.id] == april[quiet.id] == SupplyFigures()
