"""The ketamine bladder screen: its rules as docs/clinical.md states them, when it is offered,
one record per visit, and its pages."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.care.bladder import (
    ADVICE,
    SAME_DAY,
    SAME_DAY_ADVICE,
    TRIAGE_NOT_DIAGNOSIS,
    ScreenResult,
    Symptom,
    UseFrequency,
    assess,
    is_offered,
)
from sitesys.care.models import BladderScreen
from sitesys.care.screens import ScreenRefused, record_screen, screen_status, strike_screen
from sitesys.checkin.models import VisitStatus
from sitesys.clock import utcnow
from sitesys.refusals import NotAllowed
from tests.factories import make_client, make_visit, scene, sign_in
from tests.incidents.helpers import make_floor

CLINICAL_MD = Path(__file__).resolve().parents[2] / "docs" / "clinical.md"


# The rules


def test_no_symptom_means_no_action():
    assessment = assess(frozenset())
    assert assessment.result is ScreenResult.NO_SYMPTOMS
    assert not assessment.offer_referral and not assessment.same_day_review
    assert assessment.advice == ()


@pytest.mark.parametrize("symptom", [s for s in Symptom if s not in SAME_DAY])
def test_any_symptom_brings_advice_and_a_referral_offer(symptom):
    assessment = assess(frozenset({symptom}))
    assert assessment.result is ScreenResult.SYMPTOMS and assessment.result.is_positive
    assert assessment.offer_referral and not assessment.same_day_review
    assert assessment.advice == ADVICE
    assert any("water" in line for line in ADVICE)
    assert any("often gets better when use falls" in line for line in ADVICE)


@pytest.mark.parametrize("symptom", [Symptom.BLOOD_IN_URINE, Symptom.SIDE_OR_BACK_PAIN])
def test_blood_in_the_urine_or_side_or_back_pain_calls_for_same_day_review(symptom):
    assessment = assess(frozenset({symptom, Symptom.FREQUENCY}))
    assert assessment.result is ScreenResult.SAME_DAY_REVIEW
    assert assessment.same_day_review and assessment.offer_referral
    assert assessment.advice[0] == SAME_DAY_ADVICE
    assert SAME_DAY_ADVICE.startswith("Advise same-day medical review")


def test_the_questions_are_the_issues_and_the_page_of_clinical_rules_states_them():
    assert [s.value for s in Symptom] == [
        "frequency",
        "urgency",
        "nocturia",
        "painful_urination",
        "lower_belly_pain",
        "blood_in_urine",
        "leaking",
        "side_or_back_pain",
    ]
    assert [f.label for f in UseFrequency] == [
        "Daily",
        "Several times a week",
        "Weekly",
        "Less than weekly",
    ]
    page = CLINICAL_MD.read_text()
    for phrase in (
        "triage, not diagnosis",
        "28 days",
        "BJU Int* 2012;110(11):1762",
        "Hong Kong Med J* 2022;28(6):466",
        "77.1 %",
        "Advise same-day medical review".lower(),
    ):
        assert phrase.lower() in page.lower(), phrase
    assert "triage, not diagnosis" in TRIAGE_NOT_DIAGNOSIS
    assert is_offered(["heroin", "ketamine"]) and not is_offered(["heroin"])


# When it is offered, and recording it


def _ketamine_visit(db, floor, **overrides):
    return make_visit(db, floor.site, floor.desk, substances=["ketamine"], **overrides)


def _record(db, floor, visit, symptoms=(), key=None, **changes):
    values = {
        "submission_key": key or str(uuid.uuid4()),
        "symptoms": set(symptoms),
        "use_frequency": UseFrequency.WEEKLY,
    }
    values.update(changes)
    return record_screen(db, floor.nurse, floor.site, visit, **values)


def test_offered_for_ketamine_at_most_once_in_the_sites_interval(db):
    floor = make_floor(db)
    assert not screen_status(db, floor.site, floor.visit).offered  # heroin and fentanyl
    person = make_client(db, floor.site)
    earlier = _ketamine_visit(
        db, floor, client=person, status=VisitStatus.LEFT, at=utcnow() - timedelta(days=27)
    )
    assert screen_status(db, floor.site, earlier).offered
    screened = _record(db, floor, earlier, {Symptom.FREQUENCY})
    screened.screen.recorded_at = utcnow() - timedelta(days=27)
    scene(db)
    today = _ketamine_visit(db, floor, client=person)
    status = screen_status(db, floor.site, today)
    assert not status.offered and status.recent is screened.screen
    floor.site.bladder_screen_days = 20
    scene(db)
    assert screen_status(db, floor.site, today).offered


def test_a_skip_is_recorded_for_the_visit_and_does_not_count_as_screened(db):
    floor = make_floor(db)
    person = make_client(db, floor.site)
    first = _ketamine_visit(db, floor, client=person, status=VisitStatus.LEFT)
    skipped = _record(db, floor, first, skipped=True)
    assert skipped.screen.result is ScreenResult.SKIPPED
    assert skipped.screen.use_frequency is None
    status = screen_status(db, floor.site, first)
    assert not status.offered and status.this_visit is skipped.screen
    second = _ketamine_visit(db, floor, client=person)
    assert screen_status(db, floor.site, second).offered


def test_one_screen_per_visit_and_the_same_form_twice_is_one(db):
    floor = make_floor(db)
    visit = _ketamine_visit(db, floor, client=make_client(db, floor.site))
    key = str(uuid.uuid4())
    first = _record(db, floor, visit, {Symptom.BLOOD_IN_URINE}, key=key)
    again = _record(db, floor, visit, {Symptom.BLOOD_IN_URINE}, key=key)
    assert first.is_new and not again.is_new and again.screen.id == first.screen.id
    with pytest.raises(ScreenRefused, match="already recorded"):
        _record(db, floor, visit, {Symptom.LEAKING})
    assert db.scalar(select(func.count()).select_from(BladderScreen)) == 1
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "bladder_screen.recorded")
    ).all()
    assert event.detail["result"] == "same_day_review"
    assert first.screen.blood_in_urine and not first.screen.leaking
    # Struck through in error: kept, and the visit may be screened again.
    with pytest.raises(ScreenRefused, match="reason"):
        strike_screen(db, floor.nurse, first.screen, " ")
    strike_screen(db, floor.nurse, first.screen, "Wrong client")
    assert screen_status(db, floor.site, visit).offered
    redo = _record(db, floor, visit, {Symptom.LEAKING})
    assert redo.screen.result is ScreenResult.SYMPTOMS
    assert db.scalar(select(func.count()).select_from(BladderScreen)) == 2


def test_only_nurses_and_managers_screen(db):
    floor = make_floor(db)
    visit = _ketamine_visit(db, floor)
    with pytest.raises(NotAllowed):
        record_screen(
            db,
            floor.desk,
            floor.site,
            visit,
            submission_key=str(uuid.uuid4()),
            symptoms=set(),
            use_frequency=None,
        )


# The pages


def test_the_nurse_records_a_positive_screen_and_is_offered_a_urology_referral(client, db):
    floor = make_floor(db)
    visit = _ketamine_visit(db, floor, client=make_client(db, floor.site))
    sign_in(client, db, floor.nurse)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Ketamine bladder screen due" in page
    form_page = client.get(f"/visits/{visit.id}/bladder-screen").get_data(as_text=True)
    assert str(TRIAGE_NOT_DIAGNOSIS) in form_page
    assert Symptom.SIDE_OR_BACK_PAIN.question in form_page
    form = {
        "symptoms": ["urgency", "side_or_back_pain"],
        "use_frequency": "daily",
        "submission_key": str(uuid.uuid4()),
        "submit": "1",
    }
    response = client.post(f"/visits/{visit.id}/bladder-screen", data=form)
    assert response.status_code == 302 and "/bladder-screens/" in response.headers["Location"]
    again = client.post(f"/visits/{visit.id}/bladder-screen", data=form)
    assert again.headers["Location"] == response.headers["Location"]
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Advise same-day medical review" in result
    assert "Offer a GP / urology referral" in result
    assert f"/referrals/new?visit={visit.id}&amp;type=urology&amp;urgency=urgent" in result
    [screen] = db.scalars(select(BladderScreen)).all()
    assert screen.urgency and screen.side_or_back_pain and not screen.frequency
    assert screen.use_frequency is UseFrequency.DAILY
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Ketamine bladder screen due" not in page
    assert "Bladder screen: Same-day medical review advised" in page


def test_skip_from_the_visit_page(client, db):
    floor = make_floor(db)
    visit = _ketamine_visit(db, floor)
    sign_in(client, db, floor.nurse)
    response = client.post(
        f"/visits/{visit.id}/bladder-screen",
        data={"skip": "1", "submission_key": str(uuid.uuid4())},
    )
    assert response.headers["Location"].endswith(f"/visits/{visit.id}")
    [screen] = db.scalars(select(BladderScreen)).all()
    assert screen.result is ScreenResult.SKIPPED


def test_the_desk_is_not_offered_the_screen(client, db):
    floor = make_floor(db)
    visit = _ketamine_visit(db, floor)
    sign_in(client, db, floor.desk)
    assert "Ketamine bladder screen due" not in client.get(f"/visits/{visit.id}").get_data(
        as_text=True
    )
    assert client.get(f"/visits/{visit.id}/bladder-screen").status_code == 403
    sign_in(client, db, floor.manager)
    assert client.get(f"/visits/{visit.id}/bladder-screen").status_code == 200
    other_role = make_floor(db)
    sign_in(client, db, other_role.nurse)
    assert client.get(f"/visits/{visit.id}/bladder-screen").status_code == 404
