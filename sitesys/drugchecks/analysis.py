"""Recording a sample's tests (reagents, strips, spectrometry), striking one through, and the
findings they add up to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.drugchecks.chart import Colour
from sitesys.drugchecks.components import Component
from sitesys.drugchecks.models import (
    Finding,
    Method,
    Reagent,
    Sample,
    SampleFinding,
    SampleTest,
    SpectrumComponent,
    StripReading,
    StripTarget,
    Technique,
)
from sitesys.drugchecks.samples import DrugCheckRefused, FormAlreadyUsed

#: A spectrum lists at most this many components (FTIR finds about four to six).
MOST_COMPONENTS = 8


@dataclass
class Recorded:
    test: SampleTest
    #: True when this form had already recorded the test (a double tap).
    replayed: bool = False


def _by_submission(session: Session, submission_key: str) -> SampleTest | None:
    return session.scalar(select(SampleTest).where(SampleTest.submission_key == submission_key))


def _replayed(session: Session, sample: Sample, submission_key: str) -> Recorded | None:
    earlier = _by_submission(session, submission_key)
    if earlier is None:
        return None
    if earlier.sample_id != sample.id:
        raise FormAlreadyUsed(_("That form was already used for another sample; reload the page."))
    return Recorded(earlier, replayed=True)


def _store(session: Session, actor: Staff, sample: Sample, test: SampleTest) -> Recorded:
    stored = add_once(session, test, lambda: _by_submission(session, test.submission_key))
    if stored is not test:
        return Recorded(stored, replayed=True)
    # Read the sample's tests afresh, the new one with them, before adding up its findings.
    session.expire(sample, ["tests"])
    refresh_findings(sample)
    record_event(
        session,
        "drug_sample.test_recorded",
        actor=actor,
        record=sample,
        test_id=test.id,
        method=test.method.value,
    )
    session.flush()
    return Recorded(test)


def record_reagent(
    session: Session,
    actor: Staff,
    sample: Sample,
    reagent: Reagent,
    *,
    colour: Colour | None,
    colour_typed: str | None,
    submission_key: str,
) -> Recorded:
    """Record the colour a reagent turned: a chart option, or typed when none fits (one or the
    other, never both). Always presumptive.
    """
    ensure(actor, Capability.CHECK_DRUGS)
    replayed = _replayed(session, sample, submission_key)
    if replayed is not None:
        return replayed
    typed = (colour_typed or "").strip()[:60] or None
    if (colour is None) == (typed is None):
        raise DrugCheckRefused(
            _("Choose the colour seen from the chart, or type it: one of the two.")
        )
    test = SampleTest(
        sample_id=sample.id,
        method=Method.REAGENT,
        submission_key=submission_key,
        reagent=reagent,
        colour=colour.value if colour is not None else None,
        colour_typed=typed,
        recorded_at=utcnow(),
        recorded_by_id=actor.id,
    )
    return _store(session, actor, sample, test)


def record_strip(
    session: Session,
    actor: Staff,
    sample: Sample,
    strip: StripTarget,
    reading: StripReading,
    *,
    submission_key: str,
) -> Recorded:
    """Record an immunoassay strip's reading: positive, negative or invalid."""
    ensure(actor, Capability.CHECK_DRUGS)
    replayed = _replayed(session, sample, submission_key)
    if replayed is not None:
        return replayed
    test = SampleTest(
        sample_id=sample.id,
        method=Method.STRIP,
        submission_key=submission_key,
        strip=strip,
        reading=reading,
        recorded_at=utcnow(),
        recorded_by_id=actor.id,
    )
    return _store(session, actor, sample, test)


@dataclass(frozen=True)
class ComponentMatch:
    code: str
    match_quality: int


def record_spectrum(
    session: Session,
    actor: Staff,
    sample: Sample,
    technique: Technique,
    matches: Sequence[ComponentMatch],
    *,
    no_library_match: bool,
    offered: Sequence[Component],
    submission_key: str,
) -> Recorded:
    """Record what FTIR or Raman found: components from the site's list, each with its match
    quality (0 to 100), or "no library match", which is a valid answer (never both).
    """
    ensure(actor, Capability.CHECK_DRUGS)
    replayed = _replayed(session, sample, submission_key)
    if replayed is not None:
        return replayed
    if no_library_match and matches:
        raise DrugCheckRefused(_("Either list the components found or tick No library match."))
    if not no_library_match and not matches:
        raise DrugCheckRefused(_("List at least one component found, or tick No library match."))
    if len(matches) > MOST_COMPONENTS:
        raise DrugCheckRefused(_("List at most %(most)d components.", most=MOST_COMPONENTS))
    listed = {component.code: component for component in offered if component.is_active}
    codes = [match.code for match in matches]
    if len(set(codes)) != len(codes):
        raise DrugCheckRefused(_("Each component once: one of them is listed twice."))
    for match in matches:
        if match.code not in listed:
            raise DrugCheckRefused(_("Choose each component from the site's list."))
        if not 0 <= match.match_quality <= 100:
            raise DrugCheckRefused(_("A match quality is a number from 0 to 100."))
    test = SampleTest(
        sample_id=sample.id,
        method=Method.SPECTROMETRY,
        submission_key=submission_key,
        technique=technique,
        no_library_match=no_library_match,
        recorded_at=utcnow(),
        recorded_by_id=actor.id,
        components=[
            SpectrumComponent(
                position=position,
                code=match.code,
                label=listed[match.code].label,
                finding=listed[match.code].finding,
                match_quality=match.match_quality,
            )
            for position, match in enumerate(matches)
        ],
    )
    return _store(session, actor, sample, test)


def strike_test(session: Session, actor: Staff, test: SampleTest, reason: str) -> None:
    """Strike a test recorded in error through: it stays, marked, with who, when and why."""
    # TRANSLATORS: completes "Only <role> can …" (a verb phrase).
    ensure(actor, Capability.CHECK_DRUGS, _("strike a drug-check test through"))
    reason = reason.strip()
    if not reason:
        raise DrugCheckRefused(_("Give a reason for striking the test through."))
    if test.struck_at is not None:
        raise DrugCheckRefused(_("That test was already struck through."))
    test.struck_at = utcnow()
    test.struck_by_id = actor.id
    test.strike_reason = reason[:200]
    refresh_findings(test.sample)
    record_event(
        session,
        "drug_sample.test_struck",
        actor=actor,
        record=test.sample,
        test_id=test.id,
    )
    session.flush()


def findings_of(sample: Sample) -> dict[Finding, bool]:
    """What the sample's tests found (a positive strip, a component of a finding's kind), and
    whether each was unexpected: anything but what the client expected it to be.
    """
    found: set[Finding] = set()
    for test in sample.tests:
        if test.is_struck:
            continue
        if test.method is Method.STRIP and test.reading is StripReading.POSITIVE and test.strip:
            found.add(test.strip.finding)
        for component in test.components:
            if component.finding is not None:
                found.add(component.finding)
    return {finding: finding.value != sample.expected_substance for finding in found}


def refresh_findings(sample: Sample) -> None:
    """Bring the sample's stored findings in line with its tests (reports count them)."""
    wanted = findings_of(sample)
    kept = []
    for row in sample.findings:
        if row.finding in wanted:
            row.is_unexpected = wanted.pop(row.finding)
            kept.append(row)
    sample.findings = kept + [
        SampleFinding(finding=finding, is_unexpected=unexpected)
        for finding, unexpected in sorted(wanted.items())
    ]
