"""The bench's pages, as staff use them: who may, the slip shown once, tests, result, custody."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import Staff
from sitesys.auth.roles import Role
from sitesys.checkin.models import DrugChecked
from sitesys.clock import utcnow
from sitesys.drugchecks.codes import normalise_sample_code, sample_code_digest
from sitesys.drugchecks.models import (
    Custody,
    Method,
    ResultOutcome,
    Sample,
    SampleTest,
    SampleVisit,
)
from tests.drugchecks.scenes import code_key, make_sample
from tests.factories import make_client, make_site, make_staff, make_substances, make_visit, sign_in

CODE = re.compile(r'data-testid="sample-code">([0-9A-Z]{4}-[0-9A-Z]{4})<')


@pytest.fixture
def bench(client, db):
    site = make_site(db)
    make_substances(db, site)
    checker = make_staff(db, Role.DRUG_CHECKER, [site])
    sign_in(client, db, checker)
    return site, checker


def _text(response):
    return response.get_data(as_text=True)


def _receive(client, **changes):
    form = {
        "expected_substance": "ketamine",
        "form": "powder",
        "colour": "white",
        "markings": "",
        "visit": "",
        "submission_key": str(uuid.uuid4()),
    }
    form.update(changes)
    return client.post("/drug-checks/new", data=form)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.DRUG_CHECKER, True),
        (Role.NURSE, True),
        (Role.MANAGER, True),
        (Role.FRONT_DESK, False),
        (Role.ADMIN, False),
    ],
)
def test_the_bench_is_for_drug_checkers_nurses_and_managers(client, db, role, allowed):
    site = make_site(db)
    sign_in(client, db, make_staff(db, role, [site]))
    response = client.get("/drug-checks/")
    assert response.status_code == (200 if allowed else 403)
    nav = _text(client.get("/"))
    assert (">Drug checks</a>" in nav) is allowed


def test_the_slip_shows_the_code_once_and_the_code_opens_the_result_page(app, client, db, bench):
    site, _checker = bench
    response = _receive(client)
    assert response.status_code == 302 and "/slip" in response.headers["Location"]
    # The code is in no URL.
    sample = db.scalar(select(Sample))
    assert sample is not None
    slip = _text(client.get(response.headers["Location"]))
    code = CODE.search(slip).group(1)
    assert code not in response.headers["Location"]
    assert sample.code_digest == sample_code_digest(normalise_sample_code(code), code_key(app))
    assert "/results" in slip and f"for {site.result_days} days" in slip
    again = client.get(response.headers["Location"])
    assert again.status_code == 302
    assert "shown once only" in _text(client.get(again.headers["Location"]))


def test_a_double_tap_records_one_sample_and_shows_its_slip_once(client, db, bench):
    key = str(uuid.uuid4())
    first = _receive(client, submission_key=key)
    second = _receive(client, submission_key=key)
    # The second answer leads to the first tap's slip, still waiting to be shown.
    assert first.headers["Location"] == second.headers["Location"]
    assert len(list(db.scalars(select(Sample)))) == 1
    assert CODE.search(_text(client.get(second.headers["Location"])))
    # Once shown, a third tap is told the slip was shown by the first.
    third = _receive(client, submission_key=key)
    assert "/slip" not in third.headers["Location"]
    assert "recorded by the first tap" in _text(client.get(third.headers["Location"]))


def test_a_new_code_replaces_a_lost_slip(client, db, bench):
    location = _receive(client).headers["Location"]
    old = CODE.search(_text(client.get(location))).group(1)
    sample = db.scalar(select(Sample))
    reissued = client.post(f"/drug-checks/samples/{sample.id}/new-code")
    new = CODE.search(_text(client.get(reissued.headers["Location"]))).group(1)
    assert new != old
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "drug_sample.code_reissued"))


def test_a_missing_choice_changes_nothing_and_says_what_to_fix(client, db, bench):
    response = _receive(client, expected_substance="", form="")
    assert response.status_code == 200
    body = _text(response)
    assert "Choose what the client expects it to be." in body
    # A translated message may reach the page with its apostrophe escaped or not: read as a
    # browser shows it.
    assert "Choose the sample's form." in html.unescape(body)
    assert db.scalar(select(Sample)) is None


def test_the_bench_records_morris_violet_a_fentanyl_strip_and_ftir(app, client, db, bench):
    site, checker = bench
    sample, _ = make_sample(db, app, site, checker)
    base = f"/drug-checks/samples/{sample.id}"
    page = _text(client.get(base))
    assert "Expected for Ketamine (presumptive)" in page and "Violet or purple" in page
    assert "dancesafe.org/testing-kit-instructions" in page
    replies = [
        client.post(
            f"{base}/reagents",
            data={
                "reagent-reagent": "morris",
                "reagent-colour": "purple",
                "reagent-submission_key": str(uuid.uuid4()),
            },
        ),
        client.post(
            f"{base}/reagents",
            data={
                "reagent-reagent": "marquis",
                "reagent-colour": "purple",
                "reagent-submission_key": str(uuid.uuid4()),
            },
        ),
        client.post(
            f"{base}/strips",
            data={
                "strip-strip": "fentanyl",
                "strip-reading": "positive",
                "strip-submission_key": str(uuid.uuid4()),
            },
        ),
        client.post(
            f"{base}/spectra",
            data={
                "spectrum-technique": "ftir",
                "spectrum-row_1-component": "ketamine",
                "spectrum-row_1-quality": "92",
                "spectrum-row_2-component": "fentanyl",
                "spectrum-row_2-quality": "71",
                "spectrum-submission_key": str(uuid.uuid4()),
            },
        ),
    ]
    assert [reply.status_code for reply in replies] == [302] * 4
    page = _text(client.get(base))
    assert "Matches the chart (presumptive)" in page  # Morris violet for ketamine
    assert "Does not match the chart: test further" in page  # Marquis purple is not ketamine
    assert "Fentanyl strip</strong>: <span" in page and "Positive" in page
    assert "Ketamine (92%), Fentanyl (71%)" in page
    assert "Fentanyl (unexpected)" in page
    methods = [test.method for test in db.scalars(select(SampleTest).order_by(SampleTest.id))]
    assert methods == [Method.REAGENT, Method.REAGENT, Method.STRIP, Method.SPECTROMETRY]


def test_a_component_without_its_match_quality_is_sent_back(app, client, db, bench):
    site, checker = bench
    sample, _ = make_sample(db, app, site, checker)
    reply = client.post(
        f"/drug-checks/samples/{sample.id}/spectra",
        data={
            "spectrum-technique": "ftir",
            "spectrum-row_1-component": "ketamine",
            "spectrum-submission_key": str(uuid.uuid4()),
        },
    )
    assert reply.status_code == 422
    assert "Enter the match quality the library gave" in _text(reply)
    assert db.scalar(select(SampleTest)) is None


def test_the_result_custody_and_strike_through_from_the_page(app, client, db, bench):
    site, checker = bench
    sample, _ = make_sample(db, app, site, checker)
    base = f"/drug-checks/samples/{sample.id}"
    client.post(
        f"{base}/strips",
        data={
            "strip-strip": "fentanyl",
            "strip-reading": "positive",
            "strip-submission_key": str(uuid.uuid4()),
        },
    )
    page = _text(client.get(base))
    version = re.search(r'name="result-version" type="hidden" value="([0-9a-f]+)"', page).group(1)
    saved = client.post(
        f"{base}/result",
        data={
            "result-outcome": "unexpected",
            "result-found_summary": "Fentanyl <b>as well</b> as ketamine.",
            "result-advice": "Use much less.",
            "result-version": version,
        },
    )
    assert saved.status_code == 302
    db.refresh(sample)
    assert sample.outcome is ResultOutcome.UNEXPECTED and sample.result_at is not None
    page = _text(client.get(base))
    assert "Fentanyl &lt;b&gt;as well&lt;/b&gt;" in page
    # A stale form (opened before the result was given) changes nothing.
    stale = client.post(
        f"{base}/result",
        data={
            "result-outcome": "as_expected",
            "result-found_summary": "x",
            "result-advice": "y",
            "result-reason": "z",
            "result-version": version,
        },
    )
    assert "nothing was saved" in _text(client.get(stale.headers["Location"]))
    db.refresh(sample)
    assert sample.outcome is ResultOutcome.UNEXPECTED
    kept = client.post(f"{base}/custody", data={"custody-custody": "disposed"})
    assert kept.status_code == 302
    db.refresh(sample)
    assert sample.custody is Custody.DISPOSED
    test = db.scalar(select(SampleTest))
    struck = client.post(
        f"{base}/tests/{test.id}/strike", data={"strike-reason": "Read the wrong line"}
    )
    assert struck.status_code == 302
    db.refresh(test)
    assert test.struck_at is not None and test.strike_reason == "Read the wrong line"
    assert "struck through" in _text(client.get(base))


def test_another_sites_sample_is_not_found(app, client, db, bench):
    other = make_site(db)
    sample, _ = make_sample(db, app, other, make_staff(db, Role.NURSE, [other]))
    assert client.get(f"/drug-checks/samples/{sample.id}").status_code == 404
    assert client.post(f"/drug-checks/samples/{sample.id}/new-code").status_code == 404


def test_a_sample_is_tied_to_someone_on_the_floor_only_when_chosen(app, client, db, bench):
    site, checker = bench
    person = make_client(db, site, display_tag="Amber Heron 4")
    visit = make_visit(db, site, checker, client=person)
    form = _text(client.get("/drug-checks/new"))
    assert "Amber Heron 4 · Waiting list" in form and "Not tied to a visit" in form
    _receive(client, visit=str(visit.id))
    link = db.scalar(select(SampleVisit))
    assert link is not None and link.visit_id == visit.id
    db.refresh(visit)
    assert visit.drug_checked is DrugChecked.YES
    _receive(client)
    assert len(list(db.scalars(select(SampleVisit)))) == 1


def test_the_visit_page_ties_one_of_todays_samples(app, client, db):
    site = make_site(db)
    make_substances(db, site)
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse)
    visit = make_visit(db, site, nurse, client=make_client(db, site))
    sample, _ = make_sample(db, app, site, nurse)
    old, _ = make_sample(db, app, site, nurse, received_at=utcnow() - timedelta(days=3))
    refused = client.post(f"/drug-checks/visits/{visit.id}/samples", data={"sample": str(old.id)})
    assert refused.status_code == 302 and db.scalar(select(SampleVisit)) is None
    tied = client.post(f"/drug-checks/visits/{visit.id}/samples", data={"sample": str(sample.id)})
    assert tied.status_code == 302
    assert db.scalar(select(SampleVisit.sample_id)) == sample.id


def test_the_component_list_adds_and_hides(client, db, bench):
    added = client.post(
        "/drug-checks/components", data={"label": "Medetomidine HCl", "finding": ""}
    )
    assert added.status_code == 302
    page = _text(client.get("/drug-checks/components"))
    assert "Medetomidine HCl" in page and "This site's" in page
    assert client.post("/drug-checks/components/caffeine/hide").status_code == 302
    assert "Offer Caffeine" in _text(client.get("/drug-checks/components"))


def test_common_components_are_named_in_the_readers_language_and_a_sites_own_as_written(
    client, db, bench
):
    client.post("/drug-checks/components", data={"label": "Medetomidine HCl", "finding": ""})
    page = _text(client.get("/drug-checks/components?lang=en_XA"))
    assert "⟦Ćåfféîñé⟧" in page, "a common component goes through the catalogue"
    assert "<td>Medetomidine HCl" in page, "a site's own component is shown as the site wrote it"


def test_an_admin_can_give_the_drug_checker_role_and_its_home_offers_the_bench(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    form = _text(client.get("/staff/new"))
    assert '<option value="drug_checker">Drug checker</option>' in form
    added = client.post(
        "/staff/new",
        data={
            "username": "chas.bench",
            "display_name": "Chas",
            "role": "drug_checker",
            "sites": [str(site.id)],
        },
    )
    assert added.status_code == 302
    checker = db.scalar(select(Staff).where(Staff.username == "chas.bench"))
    assert checker is not None and checker.role is Role.DRUG_CHECKER
    sign_in(client, db, checker)
    home = _text(client.get("/"))
    assert 'href="/drug-checks/"' in home and "Drug checker" in home
    assert client.get("/board/").status_code == 403
