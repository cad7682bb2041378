"""Care figures for the reports: referrals, bladder screens, education and naloxone training,
counted by the site's local day, struck-through records left out."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sitesys.care.bladder import Symptom, UseFrequency
from sitesys.care.education import record_education, strike_education
from sitesys.care.models import ReferralState, ReferralType
from sitesys.care.referrals import ReferralRequest, refer, strike_referral
from sitesys.care.reports import CareFigures, care_by_site, care_figures
from sitesys.care.screens import record_screen
from sitesys.clock import local_date, utcnow
from tests.care.test_education import seed
from tests.factories import make_site, make_visit
from tests.incidents.helpers import make_floor
from tests.reports.test_care_figures import APRIL, MARCH, care_scene


def _screen(db, floor, symptoms, skipped=False):
    visit = make_visit(db, floor.site, floor.desk, substances=["ketamine"])
    return record_screen(
        db,
        floor.nurse,
        floor.site,
        visit,
        submission_key=str(uuid.uuid4()),
        symptoms=set(symptoms),
        use_frequency=UseFrequency.DAILY,
        skipped=skipped,
    )


def test_care_figures_count_the_periods_records(db):
    floor = make_floor(db)
    by_code = seed(db, floor.site)
    urology, _ = refer(
        db,
        floor.nurse,
        floor.site,
        ReferralRequest(str(uuid.uuid4()), ReferralType.UROLOGY, state=ReferralState.MADE),
        visit=floor.visit,
    )
    refer(db, floor.nurse, floor.site, ReferralRequest(str(uuid.uuid4()), ReferralType.DETOX))
    wrong, _ = refer(
        db, floor.nurse, floor.site, ReferralRequest(str(uuid.uuid4()), ReferralType.HOUSING)
    )
    strike_referral(db, floor.nurse, wrong, "Duplicate")
    _screen(db, floor, [])
    _screen(db, floor, [Symptom.FREQUENCY])
    _screen(db, floor, [Symptom.BLOOD_IN_URINE])
    _screen(db, floor, [], skipped=True)
    rows = record_education(
        db,
        floor.desk,
        floor.site,
        floor.visit,
        {by_code["naloxone_training"].id: 15, by_code["safer_smoking"].id: 5},
    )
    strike_education(db, floor.desk, rows[1], "Not given")
    today = local_date(utcnow(), floor.site.zone)
    figures = care_figures(db, floor.site, today, today)
    assert figures.referrals[ReferralType.UROLOGY] == 1
    assert figures.referrals[ReferralType.DETOX] == 1
    assert figures.referrals[ReferralType.HOUSING] == 0
    assert figures.urology_referrals == 1
    assert figures.referral_steps[ReferralState.MADE] == 1
    assert figures.referral_steps[ReferralState.OFFERED] == 2
    assert (figures.screens, figures.positive_screens, figures.same_day_reviews) == (3, 2, 1)
    assert figures.screens_skipped == 1
    assert figures.education == {"naloxone_training": 1}
    assert figures.education_minutes == 15
    assert figures.naloxone_training == 1
    yesterday = today - timedelta(days=1)
    before = care_figures(db, floor.site, yesterday, yesterday)
    assert before.urology_referrals == 0 and before.screens == 0 and before.education == {}
    assert urology.type is ReferralType.UROLOGY


def test_care_by_site_counts_each_site_by_its_own_local_days_in_one_read(db, count_queries):
    # The same records at a London and a Toronto site: what is recorded at 23:30 and 22:30 UTC
    # on 31 March is 1 April's in London but still 31 March's in Toronto.
    london = care_scene(db)
    toronto = care_scene(db, name="Lake Street", time_zone="America/Toronto")
    quiet = make_site(db, time_zone="Europe/London")
    sites = [london, toronto, quiet]

    with count_queries() as one:
        care_by_site(db, [london], *MARCH)
    with count_queries() as three:
        march = care_by_site(db, sites, *MARCH)
    assert three.count == one.count == 5

    april = care_by_site(db, sites, *APRIL)
    for figures, period in ((march, MARCH), (april, APRIL)):
        assert set(figures) == {london.id, toronto.id, quiet.id}
        for site in sites:
            assert figures[site.id] == care_figures(db, site, *period)
    ours, theirs = march[london.id], march[toronto.id]
    # Struck through: a housing referral, a skipped screen, safer smoking, one wound care.
    assert (ours.referrals[ReferralType.DETOX], ours.urology_referrals) == (1, 1)
    assert (theirs.referrals[ReferralType.DETOX], theirs.urology_referrals) == (1, 2)
    assert ours.referrals[ReferralType.HOUSING] == theirs.referrals[ReferralType.HOUSING] == 0
    assert ours.referral_steps[ReferralState.OFFERED] == 2
    assert ours.referral_steps[ReferralState.MADE] == 1
    assert theirs.referral_steps[ReferralState.OFFERED] == 3
    assert theirs.referral_steps[ReferralState.MADE] == 2
    assert (ours.screens, ours.positive_screens, ours.same_day_reviews) == (2, 1, 1)
    assert (theirs.screens, theirs.positive_screens, theirs.same_day_reviews) == (3, 2, 1)
    assert ours.screens_skipped == theirs.screens_skipped == 0
    assert ours.education == {"naloxone_training": 2, "ketamine_bladder": 1}
    assert theirs.education == {"naloxone_training": 2, "ketamine_bladder": 1, "wound_care": 1}
    assert ours.education_minutes == theirs.education_minutes == 10
    assert ours.naloxone_training == theirs.naloxone_training == 2
    assert (ours.wound_care, ours.bbv_tests, theirs.wound_care, theirs.bbv_tests) == (1, 1, 1, 2)
    assert april[london.id].urology_referrals == 1 and april[london.id].bbv_tests == 1
    assert april[toronto.id] == march[quiet.id] == april[quiet.id]
    assert march[quiet.id] == CareFigures(
        referrals=dict.fromkeys(ReferralType, 0), referral_steps=dict.fromkeys(ReferralState, 0)
    )
