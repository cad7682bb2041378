"""The figures the reports' "Drug checking" section calls: counted by the site's local days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sitesys.auth.roles import Role
from sitesys.drugchecks.models import (
    ClientDecision,
    Custody,
    Finding,
    ResultOutcome,
    SampleFinding,
)
from sitesys.drugchecks.reports import (
    DrugCheckingFigures,
    client_decisions,
    drug_checking_by_site,
    drug_checking_figures,
    results_by_finding,
    samples_tested,
)
from tests.drugchecks.scenes import make_sample
from tests.factories import make_site, make_staff


def test_figures_count_a_sites_samples_by_its_local_days(app, db):
    site = make_site(db, time_zone="Europe/London")
    other = make_site(db)
    checker = make_staff(db, Role.DRUG_CHECKER, [site, other])
    # 23:30 UTC on 31 July is 00:30 on 1 August in London (summer time): August's.
    first_of_august = datetime(2026, 7, 31, 23, 30, tzinfo=UTC)
    last_of_july = datetime(2026, 7, 31, 22, 30, tzinfo=UTC)
    fentanyl, _ = make_sample(
        db, app, site, checker, received_at=first_of_august,
        result_at=first_of_august + timedelta(minutes=20), decision=ClientDecision.USE_LESS,
        custody=Custody.HANDED_BACK,
    )  # fmt: skip
    fentanyl.findings = [
        SampleFinding(finding=Finding.FENTANYL, is_unexpected=True),
        SampleFinding(finding=Finding.XYLAZINE, is_unexpected=True),
    ]
    expected, _ = make_sample(
        db, app, site, checker, received_at=first_of_august + timedelta(days=3),
        result_at=first_of_august + timedelta(days=3, minutes=20), expected_substance="fentanyl",
        outcome=ResultOutcome.AS_EXPECTED, decision=ClientDecision.AS_PLANNED,
    )  # fmt: skip
    expected.findings = [SampleFinding(finding=Finding.FENTANYL, is_unexpected=False)]
    make_sample(db, app, site, checker, received_at=last_of_july)
    make_sample(db, app, other, checker, received_at=first_of_august)
    db.flush()
    august = (date(2026, 8, 1), date(2026, 8, 31))
    assert samples_tested(db, site, *august) == 2
    found, unexpected = results_by_finding(db, site, *august)
    assert found[Finding.FENTANYL] == 2 and unexpected[Finding.FENTANYL] == 1
    assert unexpected[Finding.XYLAZINE] == 1 and unexpected[Finding.NITAZENES] == 0
    assert client_decisions(db, site, *august) == {
        ClientDecision.DISPOSE: 0,
        ClientDecision.USE_LESS: 1,
        ClientDecision.AS_PLANNED: 1,
        ClientDecision.WONT_SAY: 0,
    }
    figures = drug_checking_figures(db, site, *august)
    assert figures.samples == 2 and figures.with_result == 2
    assert figures.outcomes[ResultOutcome.UNEXPECTED] == 1
    assert figures.outcomes[ResultOutcome.AS_EXPECTED] == 1
    assert figures.custody[Custody.HANDED_BACK] == 1
    assert drug_checking_figures(db, site, date(2026, 7, 1), date(2026, 7, 31)).samples == 1


def test_figures_by_site_count_each_site_by_its_own_local_days_in_one_read(app, db, count_queries):
    london = make_site(db, time_zone="Europe/London")
    toronto = make_site(db, time_zone="America/Toronto")
    quiet = make_site(db, time_zone="Europe/London")
    checker = make_staff(db, Role.DRUG_CHECKER, [london, toronto, quiet])
    # 03:30 UTC on 1 August is 04:30 in London (August's) and 23:30 on 31 July in Toronto
    # (July's); 03:30 UTC on 1 September is 23:30 on 31 August in Toronto (August's).
    first_of_august = datetime(2026, 8, 1, 3, 30, tzinfo=UTC)
    first_of_september = datetime(2026, 9, 1, 3, 30, tzinfo=UTC)
    in_london, _ = make_sample(
        db, app, london, checker, received_at=first_of_august,
        result_at=first_of_august + timedelta(minutes=20), decision=ClientDecision.USE_LESS,
        custody=Custody.HANDED_BACK,
    )  # fmt: skip
    in_london.findings = [SampleFinding(finding=Finding.FENTANYL, is_unexpected=True)]
    make_sample(db, app, london, checker, received_at=first_of_september)
    make_sample(db, app, toronto, checker, received_at=first_of_august)
    in_toronto, _ = make_sample(
        db, app, toronto, checker, received_at=first_of_september,
        result_at=first_of_september + timedelta(minutes=20), expected_substance="fentanyl",
        outcome=ResultOutcome.AS_EXPECTED, decision=ClientDecision.AS_PLANNED,
    )  # fmt: skip
    in_toronto.findings = [SampleFinding(finding=Finding.FENTANYL, is_unexpected=False)]
    make_sample(db, app, toronto, checker, received_at=datetime(2026, 8, 15, 12, tzinfo=UTC))
    db.flush()
    august = (date(2026, 8, 1), date(2026, 8, 31))
    sites = [london, toronto, quiet]

    with count_queries() as one:
        drug_checking_by_site(db, [london], *august)
    with count_queries() as three:
        by_site = drug_checking_by_site(db, sites, *august)
    assert three.count == one.count == 5

    assert set(by_site) == {london.id, toronto.id, quiet.id}
    for site in sites:
        assert by_site[site.id] == drug_checking_figures(db, site, *august)
    ours, theirs, nothing = (by_site[site.id] for site in sites)
    assert (ours.samples, ours.with_result, theirs.samples, theirs.with_result) == (1, 1, 2, 1)
    assert ours.outcomes[ResultOutcome.UNEXPECTED] == 1
    assert ours.outcomes[ResultOutcome.AS_EXPECTED] == 0
    assert theirs.outcomes[ResultOutcome.AS_EXPECTED] == 1
    assert ours.found[Finding.FENTANYL] == ours.unexpected[Finding.FENTANYL] == 1
    assert theirs.found[Finding.FENTANYL] == 1 and theirs.unexpected[Finding.FENTANYL] == 0
    assert ours.decisions[ClientDecision.USE_LESS] == 1
    assert theirs.decisions[ClientDecision.AS_PLANNED] == 1
    assert theirs.decisions[ClientDecision.USE_LESS] == 0
    assert ours.custody[Custody.HANDED_BACK] == 1
    assert nothing == DrugCheckingFigures(
        samples=0, with_result=0,
        outcomes=dict.fromkeys(ResultOutcome, 0), found=dict.fromkeys(Finding, 0),
        unexpected=dict.fromkeys(Finding, 0), decisions=dict.fromkeys(ClientDecision, 0),
        custody=dict.fromkeys(Custody, 0),
    )  # fmt: skip
