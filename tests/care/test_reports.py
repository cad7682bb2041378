"""Care figures for the reports: referrals, bladder screens, education and naloxone training,
counted by the site's local day, struck-through records left out."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sitesys.care.bladder import Symptom, UseFrequency
from sitesys.care.education import record_education, strike_education
from sitesys.care.models import ReferralState, ReferralType
from sitesys.care.referrals import ReferralRequest, refer, strike_referral
from sitesys.care.reports import care_figures
from sitesys.care.screens import record_screen
from sitesys.clock import local_date, utcnow
from tests.care.test_education import seed
from tests.factories import make_visit
from tests.incidents.helpers import make_floor


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
