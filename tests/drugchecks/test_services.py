"""The bench's rules: samples and their codes, tests, findings, results, custody and visits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select, text

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.checkin.models import DrugChecked, VisitStatus
from sitesys.clock import utcnow
from sitesys.drugchecks.analysis import (
    ComponentMatch,
    record_reagent,
    record_spectrum,
    record_strip,
    strike_test,
)
from sitesys.drugchecks.chart import Colour
from sitesys.drugchecks.codes import normalise_sample_code, sample_code_digest
from sitesys.drugchecks.components import add_component, set_component_offered, site_components
from sitesys.drugchecks.models import (
    ClientDecision,
    Custody,
    CustodyAlert,
    Finding,
    Reagent,
    ResultOutcome,
    Sample,
    SampleForm,
    StripReading,
    StripTarget,
    Technique,
)
from sitesys.drugchecks.results import (
    ResultInput,
    amend_result,
    record_custody,
    record_result,
    save_result,
)
from sitesys.drugchecks.samples import (
    DrugCheckRefused,
    SampleDetails,
    link_sample,
    receive_sample,
    samples_of_visit,
    todays_samples_of_client,
)
from sitesys.refusals import NotAllowed
from tests.drugchecks.scenes import code_key, make_sample
from tests.factories import make_client, make_site, make_staff, make_substances, make_visit

PICK_LIST = {"ketamine": "Ketamine", "heroin": "Heroin", "fentanyl": "Fentanyl"}


@pytest.fixture
def bench(db):
    site = make_site(db)
    make_substances(db, site)
    return site, make_staff(db, Role.DRUG_CHECKER, [site])


def _receive(db, app, site, staff, **given):
    details = SampleDetails(expected_substance="ketamine", form=SampleForm.POWDER, colour="white")
    return receive_sample(
        db,
        staff,
        site,
        details,
        submission_key=given.pop("key", str(uuid.uuid4())),
        code_key=code_key(app),
        substances=PICK_LIST,
        **given,
    )


def _events(db, action):
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_sample_keeps_only_the_digest_of_its_code(app, db, bench):
    site, checker = bench
    received = _receive(db, app, site, checker)
    sample = received.sample
    assert received.code and len(received.code) == 8
    assert sample.code_digest == sample_code_digest(received.code, code_key(app))
    # Nowhere in the sample's row, nor in the audit trail, is the code itself.
    row = db.execute(text("SELECT * FROM drug_samples")).one()
    assert all(received.code not in str(value) for value in row)
    [event] = _events(db, "drug_sample.received")
    assert received.code not in str(event.detail) and event.site_id == site.id
    assert event.detail == {"expected_substance": "ketamine", "form": "powder"}


def test_the_same_form_sent_twice_makes_one_sample_and_shows_no_second_code(app, db, bench):
    site, checker = bench
    key = str(uuid.uuid4())
    first = _receive(db, app, site, checker, key=key)
    again = _receive(db, app, site, checker, key=key)
    assert again.sample.id == first.sample.id and again.code is None and again.replayed
    assert len(list(db.scalars(select(Sample)))) == 1


def test_only_drug_checking_roles_receive_samples_and_only_from_the_pick_list(app, db, bench):
    site, _checker = bench
    desk = make_staff(db, Role.FRONT_DESK, [site])
    with pytest.raises(NotAllowed, match="nurse, a manager or a drug checker"):
        _receive(db, app, site, desk)
    nurse = make_staff(db, Role.NURSE, [site])
    details = SampleDetails(expected_substance="tea", form=SampleForm.PILL)
    with pytest.raises(DrugCheckRefused, match="from the list"):
        receive_sample(
            db,
            nurse,
            site,
            details,
            submission_key=str(uuid.uuid4()),
            code_key=code_key(app),
            substances=PICK_LIST,
        )


def test_tying_a_sample_to_a_visit_makes_it_drug_checked_once(app, db, bench):
    site, checker = bench
    visit = make_visit(db, site, checker, client=make_client(db, site))
    sample, _ = make_sample(db, app, site, checker)
    assert visit.drug_checked is DrugChecked.NO
    assert link_sample(db, checker, sample, visit) is True
    assert link_sample(db, checker, sample, visit) is False
    assert visit.drug_checked is DrugChecked.YES
    assert samples_of_visit(db, visit) == [sample]
    [event] = _events(db, "visit.sample_linked")
    assert event.record_id == str(visit.id) and event.detail["drug_checked_from"] == "no"


def test_a_sample_is_never_tied_to_another_sites_visit_or_another_days(app, db, bench):
    site, checker = bench
    other = make_site(db)
    sample, _ = make_sample(db, app, site, checker)
    elsewhere = make_visit(db, other, make_staff(db, Role.NURSE, [other]))
    with pytest.raises(DrugCheckRefused, match="another site"):
        link_sample(db, checker, sample, elsewhere)
    yesterday = make_visit(
        db, site, checker, status=VisitStatus.LEFT, at=utcnow() - timedelta(days=2)
    )
    with pytest.raises(DrugCheckRefused, match="another day"):
        link_sample(db, checker, sample, yesterday)


@time_machine.travel(datetime(2026, 6, 10, 14, 0, tzinfo=UTC), tick=False)
def test_today_the_desk_finds_the_samples_of_a_clients_earlier_visit(app, db, bench):
    site, checker = bench
    person = make_client(db, site)
    earlier = make_visit(
        db, site, checker, client=person, status=VisitStatus.LEFT, at=utcnow() - timedelta(hours=2)
    )
    sample, _ = make_sample(db, app, site, checker, received_at=utcnow() - timedelta(hours=1))
    link_sample(db, checker, sample, earlier)
    someone_else = make_client(db, site)
    assert todays_samples_of_client(db, site, person.id) == [sample]
    assert todays_samples_of_client(db, site, someone_else.id) == []


def test_a_reagent_colour_is_chosen_or_typed_never_both_and_a_double_tap_is_one(app, db, bench):
    site, checker = bench
    sample, _ = make_sample(db, app, site, checker)
    key = str(uuid.uuid4())
    first = record_reagent(
        db, checker, sample, Reagent.MORRIS, colour=Colour.PURPLE, colour_typed=None,
        submission_key=key,
    )  # fmt: skip
    again = record_reagent(
        db, checker, sample, Reagent.MORRIS, colour=Colour.PURPLE, colour_typed=None,
        submission_key=key,
    )  # fmt: skip
    assert again.replayed and again.test.id == first.test.id
    for colour, typed in ((Colour.PURPLE, "violet"), (None, None)):
        with pytest.raises(DrugCheckRefused, match="one of the two"):
            record_reagent(
                db, checker, sample, Reagent.MARQUIS, colour=colour, colour_typed=typed,
                submission_key=str(uuid.uuid4()),
            )  # fmt: skip
    [event] = _events(db, "drug_sample.test_recorded")
    assert event.detail == {"test_id": first.test.id, "method": "reagent"}


def test_a_positive_fentanyl_strip_in_ketamine_is_an_unexpected_finding(app, db, bench):
    site, checker = bench
    sample, _ = make_sample(db, app, site, checker)
    recorded = record_strip(
        db, checker, sample, StripTarget.FENTANYL, StripReading.POSITIVE,
        submission_key=str(uuid.uuid4()),
    )  # fmt: skip
    record_strip(
        db, checker, sample, StripTarget.XYLAZINE, StripReading.NEGATIVE,
        submission_key=str(uuid.uuid4()),
    )  # fmt: skip
    assert [(f.finding, f.is_unexpected) for f in sample.findings] == [(Finding.FENTANYL, True)]
    strike_test(db, checker, recorded.test, "Strip read wrongly")
    assert sample.findings == []
    assert recorded.test.strike_reason == "Strip read wrongly"
    with pytest.raises(DrugCheckRefused, match="already struck"):
        strike_test(db, checker, recorded.test, "Again")


def test_fentanyl_expected_is_not_unexpected_fentanyl(app, db, bench):
    site, checker = bench
    sample, _ = make_sample(db, app, site, checker, expected_substance="fentanyl")
    record_strip(
        db, checker, sample, StripTarget.FENTANYL, StripReading.POSITIVE,
        submission_key=str(uuid.uuid4()),
    )  # fmt: skip
    assert [(f.finding, f.is_unexpected) for f in sample.findings] == [(Finding.FENTANYL, False)]


def test_spectrometry_lists_components_with_match_quality_or_no_library_match(app, db, bench):
    site, checker = bench
    sample, _ = make_sample(db, app, site, checker)
    offered = site_components(db, site)
    recorded = record_spectrum(
        db, checker, sample, Technique.FTIR,
        [ComponentMatch("ketamine", 91), ComponentMatch("protonitazene", 64)],
        no_library_match=False, offered=offered, submission_key=str(uuid.uuid4()),
    )  # fmt: skip
    assert [(c.label, c.match_quality) for c in recorded.test.components] == [
        ("Ketamine", 91),
        ("Protonitazene", 64),
    ]
    assert [(f.finding, f.is_unexpected) for f in sample.findings] == [(Finding.NITAZENES, True)]
    nothing = record_spectrum(
        db, checker, sample, Technique.RAMAN, [], no_library_match=True, offered=offered,
        submission_key=str(uuid.uuid4()),
    )  # fmt: skip
    assert nothing.test.no_library_match and nothing.test.components == []
    for matches, no_match, message in (
        ([], False, "at least one component"),
        ([ComponentMatch("ketamine", 90)], True, "Either list"),
        ([ComponentMatch("tea", 90)], False, "site's list"),
        ([ComponentMatch("ketamine", 101)], False, "0 to 100"),
        ([ComponentMatch("ketamine", 9), ComponentMatch("ketamine", 8)], False, "twice"),
    ):
        with pytest.raises(DrugCheckRefused, match=message):
            record_spectrum(
                db, checker, sample, Technique.FTIR, matches, no_library_match=no_match,
                offered=offered, submission_key=str(uuid.uuid4()),
            )  # fmt: skip


def test_a_site_adds_its_own_components_and_hides_common_ones(db, bench):
    site, checker = bench
    option = add_component(db, checker, site, "Bromazolam analogue X", Finding.BENZODIAZEPINES)
    with pytest.raises(DrugCheckRefused, match="already on the list"):
        add_component(db, checker, site, "Ketamine", None)
    set_component_offered(db, checker, site, "caffeine", False)
    listed = {component.code: component for component in site_components(db, site)}
    assert listed[option.code].finding is Finding.BENZODIAZEPINES
    assert not listed["caffeine"].is_active and listed["ketamine"].is_active
    assert [e.detail["code"] for e in _events(db, "drug_component.hidden")] == ["caffeine"]


def _result(**changes):
    values = {
        "outcome": ResultOutcome.UNEXPECTED,
        "found_summary": "Fentanyl as well as ketamine.",
        "advice": "Use much less; do not use alone.",
        "decision": None,
    }
    values.update(changes)
    return ResultInput(**values)


def test_a_result_is_given_once_and_amended_with_a_reason_keeping_the_first(app, db, bench):
    site, checker = bench
    sample, _ = make_sample(db, app, site, checker)
    record_result(db, checker, sample, _result())
    assert sample.result_at is not None and sample.outcome is ResultOutcome.UNEXPECTED
    with pytest.raises(DrugCheckRefused, match="already given"):
        record_result(db, checker, sample, _result())
    with pytest.raises(DrugCheckRefused, match="reason"):
        amend_result(db, checker, sample, _result(advice="Other"), "  ")
    with pytest.raises(DrugCheckRefused, match="Nothing in the result was changed"):
        amend_result(db, checker, sample, _result(), "No change")
    amendment = amend_result(
        db, checker, sample, _result(outcome=ResultOutcome.INCONCLUSIVE), "Strip was faulty"
    )
    assert sample.outcome is ResultOutcome.INCONCLUSIVE
    assert amendment.previous_outcome is ResultOutcome.UNEXPECTED
    assert amendment.previous_found_summary == "Fentanyl as well as ketamine."
    assert amendment.reason == "Strip was faulty"
    [event] = _events(db, "drug_sample.result_amended")
    assert "faulty" not in str(event.detail)


def test_the_clients_decision_is_added_later_without_a_reason(app, db, bench):
    site, checker = bench
    sample, _ = make_sample(db, app, site, checker)
    assert save_result(db, checker, sample, _result(), None) == "given"
    assert save_result(db, checker, sample, _result(decision=ClientDecision.USE_LESS), None) == (
        "decision"
    )
    assert sample.decision is ClientDecision.USE_LESS and sample.amendments == []
    with pytest.raises(DrugCheckRefused, match="reason"):
        save_result(db, checker, sample, _result(decision=ClientDecision.DISPOSE), None)


def test_custody_is_recorded_once_corrected_with_a_reason_and_ends_the_alert(app, db, bench):
    site, checker = bench
    sample, _ = make_sample(db, app, site, checker, result_at=utcnow() - timedelta(hours=1))
    alert = CustodyAlert(site_id=site.id, sample_id=sample.id, due_at=utcnow(), raised_at=utcnow())
    db.add(alert)
    db.flush()
    record_custody(db, checker, sample, Custody.HANDED_BACK)
    db.refresh(alert)
    assert alert.closed_at is not None and sample.custody is Custody.HANDED_BACK
    with pytest.raises(DrugCheckRefused, match="already recorded as handed back"):
        record_custody(db, checker, sample, Custody.HANDED_BACK)
    with pytest.raises(DrugCheckRefused, match="give a reason"):
        record_custody(db, checker, sample, Custody.DISPOSED)
    record_custody(db, checker, sample, Custody.DISPOSED, correction_reason="Tapped the wrong one")
    assert sample.custody is Custody.DISPOSED
    [event] = _events(db, "drug_sample.custody_corrected")
    assert event.detail == {"custody": "disposed", "custody_from": "handed_back"}


def test_a_code_typed_by_the_client_finds_only_its_own_sample(app, db, bench):
    site, checker = bench
    _sample, code = make_sample(db, app, site, checker)
    typed = code[:4].lower() + " - " + code[4:]
    assert normalise_sample_code(typed) == code
