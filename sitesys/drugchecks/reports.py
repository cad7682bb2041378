"""Drug-checking figures for a site over a run of its local days: what the reports' "Drug
checking" section shows (samples, results by finding, what clients then decided).

Samples are counted by the local day they were received (clock.day_start knows that a day at a
clock change is 23 or 25 hours long). Counts only: no code, visit or free text leaves here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sitesys.clock import day_start
from sitesys.drugchecks.models import (
    ClientDecision,
    Custody,
    Finding,
    ResultOutcome,
    Sample,
    SampleFinding,
)
from sitesys.sites.models import Site


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


def _received_in(site: Site, first: date, last: date) -> ColumnElement[bool]:
    start, end = day_start(first, site.zone), day_start(last + timedelta(days=1), site.zone)
    return and_(Sample.site_id == site.id, Sample.received_at >= start, Sample.received_at < end)


def samples_tested(session: Session, site: Site, first: date, last: date) -> int:
    """Samples received at the site from `first` to `last` (local days, both included)."""
    return int(
        session.scalar(
            select(func.count()).select_from(Sample).where(_received_in(site, first, last))
        )
        or 0
    )


def results_by_finding(
    session: Session, site: Site, first: date, last: date
) -> tuple[dict[Finding, int], dict[Finding, int]]:
    """Samples of the period in which each finding turned up, and in which it was unexpected."""
    found = {finding: 0 for finding in Finding}
    unexpected = {finding: 0 for finding in Finding}
    rows = session.execute(
        select(SampleFinding.finding, SampleFinding.is_unexpected, func.count())
        .join(Sample, Sample.id == SampleFinding.sample_id)
        .where(_received_in(site, first, last))
        .group_by(SampleFinding.finding, SampleFinding.is_unexpected)
    )
    for finding, is_unexpected, count in rows:
        found[finding] += count
        if is_unexpected:
            unexpected[finding] += count
    return found, unexpected


def _counts_by(
    session: Session, column: InstrumentedAttribute[Any], site: Site, first: date, last: date
) -> dict[Any, int]:
    rows = session.execute(
        select(column, func.count())
        .where(_received_in(site, first, last), column.is_not(None))
        .group_by(column)
    )
    return {value: int(count) for value, count in rows}


def client_decisions(
    session: Session, site: Site, first: date, last: date
) -> dict[ClientDecision, int]:
    """What clients said they would do after their result, for the period's samples."""
    counts = _counts_by(session, Sample.decision, site, first, last)
    return {decision: counts.get(decision, 0) for decision in ClientDecision}


def drug_checking_figures(
    session: Session, site: Site, first: date, last: date
) -> DrugCheckingFigures:
    """Every drug-checking figure of a site for local days `first` to `last`."""
    outcomes = _counts_by(session, Sample.outcome, site, first, last)
    custody = _counts_by(session, Sample.custody, site, first, last)
    found, unexpected = results_by_finding(session, site, first, last)
    return DrugCheckingFigures(
        samples=samples_tested(session, site, first, last),
        with_result=sum(outcomes.values()),
        outcomes={outcome: outcomes.get(outcome, 0) for outcome in ResultOutcome},
        found=found,
        unexpected=unexpected,
        decisions=client_decisions(session, site, first, last),
        custody={kind: custody.get(kind, 0) for kind in Custody},
    )
