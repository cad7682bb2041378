"""The report tables count care beyond the booth (issue 22, asked for by the reports issue):
services-only visits apart, referrals by type and step, bladder screens, education by topic,
naloxone training and kits, supplies by quantity, wound care and blood-borne virus tests. A
March in London counted by hand: what is recorded at 00:30 BST on 1 April (23:30 UTC on 31 March)
is April's, and what is struck through is not counted.
"""

from __future__ import annotations

import uuid
from datetime import date

from sitesys.auth.roles import Role
from sitesys.care.bladder import ScreenResult
from sitesys.care.models import (
    DEFAULT_TOPICS,
    BladderScreen,
    CareGiven,
    CareKind,
    EducationGiven,
    EducationTopic,
    Referral,
    ReferralState,
    ReferralStep,
    ReferralType,
    Urgency,
)
from sitesys.checkin.models import VisitKind
from sitesys.reports.figures import site_tally, total, values
from sitesys.reports.indicators import INDICATORS, Section
from sitesys.supplies.models import SupplyItem, VisitSupply
from sitesys.supplies.services import add_default_supplies
from tests.factories import make_site, make_staff, make_substances, scene
from tests.reports.scenes import left_visit, utc

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
APRIL = (date(2026, 4, 1), date(2026, 4, 30))
#: 23:30 BST on 31 March, and 00:30 BST on 1 April.
LAST_OF_MARCH = utc(2026, 3, 31, 22, 30)
FIRST_OF_APRIL = utc(2026, 3, 31, 23, 30)


def care_scene(db, name="Care Street", time_zone="Europe/London"):
    site = make_site(db, name=name, time_zone=time_zone)
    make_substances(db, site)
    add_default_supplies(db, site)
    for position, (code, label) in enumerate(DEFAULT_TOPICS):
        db.add(EducationTopic(site_id=site.id, code=code, label=label, position=position))
    nurse = make_staff(db, Role.NURSE, [site])
    using = left_visit(db, site, nurse, utc(2026, 3, 10, 10))
    services = left_visit(
        db, site, nurse, LAST_OF_MARCH, kind=VisitKind.SERVICES_ONLY, route=None, substances=[]
    )
    april = left_visit(
        db, site, nurse, FIRST_OF_APRIL, kind=VisitKind.SERVICES_ONLY, route=None, substances=[]
    )

    def referral(visit, kind, states, at, struck=False):
        db.add(
            Referral(
                site_id=site.id, visit_id=visit.id, type=kind, urgency=Urgency.ROUTINE,
                state=states[-1], owner_id=nurse.id, created_at=at, created_by_id=nurse.id,
                submission_key=str(uuid.uuid4()), struck_at=at if struck else None,
                steps=[
                    ReferralStep(state=state, recorded_at=at, recorded_by_id=nurse.id)
                    for state in states
                ],
            )
        )  # fmt: skip

    offered, made = [ReferralState.OFFERED], [
        ReferralState.OFFERED, ReferralState.ACCEPTED, ReferralState.MADE,
    ]  # fmt: skip
    referral(using, ReferralType.DETOX, made, utc(2026, 3, 10, 10, 5))
    referral(services, ReferralType.UROLOGY, offered, LAST_OF_MARCH)
    referral(using, ReferralType.HOUSING, offered, utc(2026, 3, 10, 10, 6), struck=True)
    referral(april, ReferralType.UROLOGY, made, FIRST_OF_APRIL)

    def screen(visit, result, at, struck=False):
        db.add(
            BladderScreen(
                site_id=site.id, visit_id=visit.id, result=result, recorded_at=at,
                recorded_by_id=nurse.id, submission_key=str(uuid.uuid4()),
                struck_at=at if struck else None,
            )
        )  # fmt: skip

    screen(using, ScreenResult.SAME_DAY_REVIEW, utc(2026, 3, 10, 10, 7))
    screen(services, ScreenResult.NO_SYMPTOMS, LAST_OF_MARCH)
    screen(april, ScreenResult.SKIPPED, utc(2026, 3, 20, 10), struck=True)
    screen(april, ScreenResult.SYMPTOMS, FIRST_OF_APRIL)
    db.flush()

    topics = {topic.code: topic for topic in db.query(EducationTopic).filter_by(site_id=site.id)}

    def educate(visit, code, at, minutes=None, struck=False):
        db.add(
            EducationGiven(
                site_id=site.id, visit_id=visit.id, topic_id=topics[code].id, minutes=minutes,
                recorded_at=at, recorded_by_id=nurse.id, struck_at=at if struck else None,
            )
        )  # fmt: skip

    educate(using, "naloxone_training", utc(2026, 3, 10, 10, 8), minutes=10)
    educate(using, "ketamine_bladder", utc(2026, 3, 10, 10, 8))
    educate(services, "naloxone_training", LAST_OF_MARCH)
    educate(services, "safer_smoking", LAST_OF_MARCH, struck=True)
    educate(april, "wound_care", FIRST_OF_APRIL)

    items = {item.code: item for item in db.query(SupplyItem).filter_by(site_id=site.id)}

    def supply(visit, code, quantity):
        db.add(
            VisitSupply(
                site_id=site.id, visit_id=visit.id, item_id=items[code].id, quantity=quantity,
                recorded_at=visit.checked_in_at, recorded_by_id=nurse.id,
            )
        )  # fmt: skip

    supply(using, "sterile_kit", 3)
    supply(using, "naloxone_in", 1)
    supply(services, "naloxone_im", 2)
    supply(services, "foil", 0)  # a stepper taken back to 0 gives nothing
    supply(april, "condoms", 5)

    def care(visit, kind, at, struck=False):
        db.add(
            CareGiven(
                site_id=site.id, visit_id=visit.id, kind=kind, note="A short note",
                recorded_at=at, recorded_by_id=nurse.id, submission_key=str(uuid.uuid4()),
                struck_at=at if struck else None, strike_reason="Error" if struck else None,
            )
        )  # fmt: skip

    care(services, CareKind.WOUND_CARE, LAST_OF_MARCH)
    care(services, CareKind.WOUND_CARE, LAST_OF_MARCH, struck=True)
    care(using, CareKind.BBV_TEST, utc(2026, 3, 10, 10, 9))
    care(april, CareKind.BBV_TEST, FIRST_OF_APRIL)
    scene(db)
    return site


SERVICES = [item.key for item in INDICATORS if item.section is Section.SERVICES]


def test_the_care_of_a_month_is_counted_by_hand(db):
    site = care_scene(db)
    figures = values(site_tally(db, site, *MARCH))
    single = {key: value for (key, row), value in figures.items() if row == "" and key in SERVICES}
    assert single == {
        # Detox (made) and urology (offered); housing was struck through; April's urology not.
        "referrals": 2, "urology_referrals": 1,
        # Same-day review (positive) and no symptoms; the skip was struck through.
        "bladder_screens": 2, "bladder_screens_positive": 1, "bladder_same_day": 1,
        "naloxone_training": 2,
        # One intranasal and two intramuscular kits.
        "naloxone_kits": 3,
        # One wound care standing (the other struck through); one BBV test (April's is April's).
        "wound_care": 1, "bbv_tests": 1,
    }  # fmt: skip
    assert figures[("visits_services_only", "")] == 1
    assert figures[("visits_consumption", "")] == 1 and figures[("visits_total", "")] == 2

    def rows(key):
        return {row: value for (k, row), value in figures.items() if k == key and value}

    assert rows("referrals_by_type") == {"Detox / withdrawal": 1, "Urology / bladder": 1}
    assert figures[("referrals_by_type", "Housing")] == 0
    assert rows("referral_steps") == {"Offered": 2, "Accepted": 1, "Made": 1}
    assert rows("education_by_topic") == {
        "Ketamine risks and the bladder": 1, "Naloxone training": 2,
    }  # fmt: skip
    # Every topic of the site's list is a row, in its order, given or not.
    assert [row for (k, row) in figures if k == "education_by_topic"] == [
        label for _code, label in DEFAULT_TOPICS
    ]
    assert rows("supplies_given") == {
        "Sterile injecting kit": 3, "Naloxone kit (intranasal)": 1,
        "Naloxone kit (intramuscular)": 2,
    }  # fmt: skip
    # The catalogue handed out on visits is listed, given or not; emergency stock is not.
    assert figures[("supplies_given", "Water")] == 0
    assert ("supplies_given", "Oxygen cylinders") not in figures


def test_april_has_what_was_recorded_after_its_midnight(db):
    site = care_scene(db)
    figures = values(site_tally(db, site, *APRIL))
    assert figures[("visits_services_only", "")] == 1
    assert figures[("referrals", "")] == 1 and figures[("urology_referrals", "")] == 1
    assert figures[("bladder_screens", "")] == 1 and figures[("bladder_screens_positive", "")] == 1
    assert figures[("bbv_tests", "")] == 1 and figures[("wound_care", "")] == 0
    assert figures[("supplies_given", "Condoms")] == 5
    assert figures[("education_by_topic", "Wound care")] == 1


def test_a_network_adds_its_sites_care_up(db):
    site = care_scene(db)
    other = make_site(db, name="Other Care", time_zone="Europe/London")
    network = values(total([site_tally(db, site, *MARCH), site_tally(db, other, *MARCH)]))
    assert network[("referrals", "")] == 2 and network[("wound_care", "")] == 1
    assert network[("referrals_by_type", "Detox / withdrawal")] == 1
    assert network[("supplies_given", "Sterile injecting kit")] == 3
