"""Every indicator of a month counted against a scene whose counts are worked out by hand in
tests/reports/scenes.py: March 2026 in London, clocks going forward on the 29th.
"""

from __future__ import annotations

from datetime import date

from sitesys.reports.daily import rebuild
from sitesys.reports.figures import site_tallies, site_tally, total, values
from sitesys.reports.indicators import INDICATORS
from tests.factories import make_site
from tests.reports.scenes import march

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def test_every_indicator_of_a_month_matches_the_count_by_hand(db):
    scene = march(db)
    figures = values(site_tally(db, scene.site, *MARCH))
    single = {key: value for (key, row), value in figures.items() if row == ""}
    assert single == {
        # Five visits: 2nd, 9th, 15th (23:50 to 00:20), 20th, and 23:30 BST on the 31st; the
        # 00:30 BST visit on 1 April and 23:30 GMT on 28 February are not March's.
        "visits_consumption": 5, "visits_services_only": 0, "visits_total": 5,
        # Three clients; two (c1, c2) visited before 1 March, c3 is new.
        "clients_unique": 3, "clients_new": 1, "clients_returning": 2, "visits_walk_in": 1,
        # Three incidents (the third at 23:45 BST on the 31st); the fourth, at 00:05 BST on
        # 1 April, is April's.
        "incidents_total": 3, "overdoses": 1, "emergencies": 2,
        "overdoses_rate": 200.0, "emergencies_rate": 400.0,
        # The naloxone struck through at +1 minute does not count: the first is at +3.
        "naloxone_responses": 1, "naloxone_doses": 2, "naloxone_mg": 1.2, "naloxone_minutes": 3.0,
        "oxygen": 1, "ems_called": 1, "transfers": 1, "deaths": 0,
        "overdue_alerts": 2, "overdue_answered": 1,
        "overdue_answer_median": 6.0, "overdue_answer_p90": 6.0,
        # Waits of 4 and 10 minutes.
        "booth_visits": 2, "booth_wait_median": 7.0, "booth_wait_p90": 10.0,
        # 20 + 30 booth-minutes used of 2 booths times (30 + 30 + 30 + 30 + 20) minutes open.
        "occupancy": 17.9,
        "samples": 0, "alerts_issued": 0,
        # Handovers of the 3rd (acknowledged) and 4th (ten minutes late) were given; the 5th
        # stayed a draft and the 6th never started.
        "handovers_given": 2, "handovers_late": 1, "handovers_missing": 2,
        "handovers_acknowledged": 1,
        # No care in this scene: tests/reports/test_care_figures.py counts it.
        "referrals": 0, "urology_referrals": 0, "bladder_screens": 0,
        "bladder_screens_positive": 0, "bladder_same_day": 0, "naloxone_training": 0,
        "naloxone_kits": 0, "wound_care": 0, "bbv_tests": 0,
    }  # fmt: skip

    def rows(key: str) -> dict[str, object]:
        return {row: value for (k, row), value in figures.items() if k == key and value}

    assert rows("clients_by_age") == {"25\N{EN DASH}34": 1, "18\N{EN DASH}24": 1, "Not recorded": 1}
    assert figures[("clients_by_age", "Prefer not to say")] == 0
    assert rows("clients_by_gender") == {"Woman": 1, "Man": 1, "Not recorded": 1}
    assert rows("visits_by_route") == {"Inject": 4, "Smoke": 1}
    assert rows("visits_by_substance") == {"Heroin": 4, "Cocaine": 1, "Crack": 1}
    assert rows("services_given") == {
        "Sterile injecting kit": 1, "Foil": 1, "Naloxone kit": 1,
    }  # fmt: skip
    assert rows("visits_by_day") == {
        "2026-03-02": 1, "2026-03-09": 1, "2026-03-15": 1, "2026-03-20": 1, "2026-03-31": 1,
    }  # fmt: skip
    assert len([1 for (k, _), _ in figures.items() if k == "visits_by_day"]) == 31
    # Mondays 2 and 9 March; Sunday the 15th at 23:50; Friday the 20th; Tuesday the 31st, 23:30.
    assert rows("visits_by_hour") == {
        "Mon 10": 1, "Mon 14": 1, "Sun 23": 1, "Fri 09": 1, "Tue 23": 1,
    }  # fmt: skip
    assert rows("incidents_by_type") == {
        "Opioid overdose": 1, "Fall or injury": 1, "Stimulant overamping": 1,
        "Security / police": 1,
    }  # fmt: skip
    assert rows("incidents_by_harm") == {"Low": 1, "None": 1, "Not recorded": 1}
    # Every indicator of the registry is reported (but for the breakdowns by the site's own
    # lists of topics and supplies, which this scene's site has not got: they have no rows).
    assert {key for key, _ in figures} == {item.key for item in INDICATORS} - {
        "education_by_topic",
        "supplies_given",
    }


def test_a_network_adds_its_sites_up(db):
    scene = march(db)
    network = values(
        total([site_tally(db, scene.site, *MARCH), site_tally(db, scene.other, *MARCH)])
    )
    assert network[("visits_total", "")] == 6
    assert network[("visits_walk_in", "")] == 2
    # Unique clients of a network are the sum of each site's.
    assert network[("clients_unique", "")] == 3
    assert network[("overdoses", "")] == 2
    assert network[("overdoses_rate", "")] == round(2000 / 6, 1)
    assert network[("incidents_by_type", "Opioid overdose")] == 2


def test_sites_read_together_give_what_each_gives_alone(db, count_queries):
    scene = march(db)
    toronto = make_site(db, name="Queen Street", time_zone="America/Toronto")
    sites = [scene.site, toronto, scene.other]
    for site in sites:  # past days are kept (days not yet kept are counted site by site)
        rebuild(db, site, *MARCH)
    with count_queries() as one:
        site_tallies(db, [scene.site], *MARCH)
    with count_queries() as three:
        together = site_tallies(db, sites, *MARCH)
    for site in sites:
        assert values(together[site.id]) == values(site_tally(db, site, *MARCH))
    assert values(together[scene.site.id])[("visits_total", "")] == 5
    # Read by figure, not by site or zone: three sites in two zones cost what one site does.
    assert three.count == one.count


def test_april_starts_at_the_london_midnight(db):
    scene = march(db)
    april = values(site_tally(db, scene.site, date(2026, 4, 1), date(2026, 4, 30)))
    assert april[("visits_total", "")] == 1
    assert april[("incidents_total", "")] == 1
    assert april[("overdoses", "")] == 1
    assert april[("visits_by_hour", "Wed 00")] == 1
