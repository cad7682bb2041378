"""Drug-checking figures for sites over a run of their local days: what the reports' "Drug
checking" section shows (samples, results by finding, what clients then decided).

Samples are counted by the local day they were received (clock.day_start knows that a day at a
clock change is 23 or 25 hours long). Each figure is read for every site asked for in one
statement, grouped by site. Counts only: no code, visit or free text leaves here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sitesys.drugchecks.models import (
    ClientDecision,
    Custody,
    Finding,
    ResultOutcome,
    Sample,
    SampleFinding,
)
from sitesys.sites.models import Site
from sitesys.sites.zones import ZoneGroup, in_local_days, zone_groups


@dataclass(frozen=True)
class DrugCheckingFigures:
    """One site's drug checking over a period."""

    #: Samples received in the period.
    samples: int
    #: Of those, the ones given a result.
    with_result: int
    outcomes: dict[ResultOutcome, int] = field(default_factory=dict)
    #: Samples where each finding turned up at all.
    found: dict[Finding, int] = field(default_factory=dict)
    #: Samples where it turned up and the client expected something else ("unexpected fentanyl").
    unexpected: dict[Finding, int] = field(default_factory=dict)
    decisions: dict[ClientDecision, int] = field(default_factory=dict)
    custody: dict[Custody, int] = field(default_factory=dict)


def _received_in(groups: Sequence[ZoneGroup]) -> ColumnElement[bool]:
    return in_local_days(groups, Sample.site_id, Sample.received_at)


def _samples(session: Session, groups: Sequence[ZoneGroup]) -> dict[int, int]:
    rows = session.execute(
        select(Sample.site_id, func.count()).where(_received_in(groups)).group_by(Sample.site_id)
    )
    return {site_id: int(count) for site_id, count in rows}


def _no_findings() -> tuple[dict[Finding, int], dict[Finding, int]]:
    return {finding: 0 for finding in Finding}, {finding: 0 for finding in Finding}


def _findings(
    session: Session, groups: Sequence[ZoneGroup]
) -> dict[int, tuple[dict[Finding, int], dict[Finding, int]]]:
    by_site: dict[int, tuple[dict[Finding, int], dict[Finding, int]]] = {}
    rows = session.execute(
        select(Sample.site_id, SampleFinding.finding, SampleFinding.is_unexpected, func.count())
        .join(Sample, Sample.id == SampleFinding.sample_id)
        .where(_received_in(groups))
        .group_by(Sample.site_id, SampleFinding.finding, SampleFinding.is_unexpected)
    )
    for site_id, finding, is_unexpected, count in rows:
        found, unexpected = by_site.setdefault(site_id, _no_findings())
        found[finding] += int(count)
        if is_unexpected:
            unexpected[finding] += int(count)
    return by_site


def _counts_by(
    session: Session, column: InstrumentedAttribute[Any], groups: Sequence[ZoneGroup]
) -> dict[int, dict[Any, int]]:
    by_site: dict[int, dict[Any, int]] = {}
    rows = session.execute(
        select(Sample.site_id, column, func.count())
        .where(_received_in(groups), column.is_not(None))
        .group_by(Sample.site_id, column)
    )
    for site_id, value, count in rows:
        by_site.setdefault(site_id, {})[value] = int(count)
    return by_site


def samples_tested(session: Session, site: Site, first: date, last: date) -> int:
    """Samples received at the site from `first` to `last` (local days, both included)."""
    return _samples(session, zone_groups([site], first, last)).get(site.id, 0)


def results_by_finding(
    session: Session, site: Site, first: date, last: date
) -> tuple[dict[Finding, int], dict[Finding, int]]:
    """Samples of the period in which each finding turned up, and in which it was unexpected."""
    return _findings(session, zone_groups([site], first, last)).get(site.id) or _no_findings()


def client_decisions(
    session: Session, site: Site, first: date, last: date
) -> dict[ClientDecision, int]:
    """What clients said they would do after their result, for the period's samples."""
    counts = _counts_by(session, Sample.decision, zone_groups([site], first, last))
    return {decision: counts.get(site.id, {}).get(decision, 0) for decision in ClientDecision}


def drug_checking_by_site(
    session: Session, sites: Sequence[Site], first: date, last: date
) -> dict[int, DrugCheckingFigures]:
    """Every drug-checking figure of each site for its local days `first` to `last`, by site id
    (zero figures for a site with no samples), each figure read in one statement for them all.
    """
    if not sites:
        return {}
    groups = zone_groups(sites, first, last)
    samples = _samples(session, groups)
    outcomes = _counts_by(session, Sample.outcome, groups)
    custody = _counts_by(session, Sample.custody, groups)
    decisions = _counts_by(session, Sample.decision, groups)
    findings = _findings(session, groups)
    figures = {}
    for site in sites:
        its_outcomes = outcomes.get(site.id, {})
        found, unexpected = findings.get(site.id) or _no_findings()
        figures[site.id] = DrugCheckingFigures(
            samples=samples.get(site.id, 0),
            with_result=sum(its_outcomes.values()),
            outcomes={outcome: its_outcomes.get(outcome, 0) for outcome in ResultOutcome},
            found=found,
            unexpected=unexpected,
            decisions={
                decision: decisions.get(site.id, {}).get(decision, 0) for decision in ClientDecision
            },
            custody={kind: custody.get(site.id, {}).get(kind, 0) for kind in Custody},
        )
    return figures


def drug_checking_figures(
    session: Session, site: Site, first: date, last: date
) -> DrugCheckingFigures:
    """Every drug-checking figure of a site for local days `first` to `last`."""
    return drug_checking_by_site(session, [site], first, last)[site.id]
