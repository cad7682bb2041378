"""Care figures for a site over a run of its local days: what the reports' care section shows
(referrals by type and what became of them, bladder screens, education given, naloxone training,
wound care and blood-borne virus tests).

Each record is counted by the local day it was recorded (clock.day_start knows that a day at a
clock change is 23 or 25 hours long); a record struck through is not counted. Counts only: no
code, client or free text leaves here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.care.bladder import ScreenResult
from sitesys.care.models import (
    NALOXONE_TRAINING,
    BladderScreen,
    CareGiven,
    CareKind,
    EducationGiven,
    EducationTopic,
    Referral,
    ReferralState,
    ReferralStep,
    ReferralType,
)
from sitesys.clock import day_start
from sitesys.sites.models import Site


def _bounds(site: Site, first: date, last: date) -> tuple[datetime, datetime]:
    return day_start(first, site.zone), day_start(last + timedelta(days=1), site.zone)


@dataclass(frozen=True)
class CareFigures:
    """One site's care over a period."""

    #: Referrals recorded in the period, by type (offered or further).
    referrals: dict[ReferralType, int] = field(default_factory=dict)
    #: Steps recorded in the period, by the state reached (made, attended, did not attend...).
    referral_steps: dict[ReferralState, int] = field(default_factory=dict)
    #: Urology / bladder referrals recorded in the period.
    urology_referrals: int = 0
    #: Bladder screens asked (not skipped), positive ones, and those advising same-day review.
    screens: int = 0
    positive_screens: int = 0
    same_day_reviews: int = 0
    screens_skipped: int = 0
    #: Topics covered, by topic code, and the minutes recorded against them.
    education: dict[str, int] = field(default_factory=dict)
    education_minutes: int = 0
    #: Naloxone training given (a naloxone kit given is a supply, counted with supplies).
    naloxone_training: int = 0
    #: Wound care and blood-borne virus tests given (a correction counts once: the record it
    #: corrects is struck through).
    wound_care: int = 0
    bbv_tests: int = 0


def referrals_by_type(
    session: Session, site: Site, first: date, last: date
) -> dict[ReferralType, int]:
    start, end = _bounds(site, first, last)
    rows = session.execute(
        select(Referral.type, func.count())
        .where(
            Referral.site_id == site.id,
            Referral.created_at >= start,
            Referral.created_at < end,
            Referral.struck_at.is_(None),
        )
        .group_by(Referral.type)
    )
    counts = {kind: int(count) for kind, count in rows}
    return {kind: counts.get(kind, 0) for kind in ReferralType}


def referral_steps(
    session: Session, site: Site, first: date, last: date
) -> dict[ReferralState, int]:
    start, end = _bounds(site, first, last)
    rows = session.execute(
        select(ReferralStep.state, func.count())
        .join(Referral, Referral.id == ReferralStep.referral_id)
        .where(
            Referral.site_id == site.id,
            Referral.struck_at.is_(None),
            ReferralStep.recorded_at >= start,
            ReferralStep.recorded_at < end,
        )
        .group_by(ReferralStep.state)
    )
    counts = {state: int(count) for state, count in rows}
    return {state: counts.get(state, 0) for state in ReferralState}


def bladder_screens(
    session: Session, site: Site, first: date, last: date
) -> dict[ScreenResult, int]:
    """Screens recorded in the period, by result (skips included, as SKIPPED)."""
    start, end = _bounds(site, first, last)
    rows = session.execute(
        select(BladderScreen.result, func.count())
        .where(
            BladderScreen.site_id == site.id,
            BladderScreen.recorded_at >= start,
            BladderScreen.recorded_at < end,
            BladderScreen.struck_at.is_(None),
        )
        .group_by(BladderScreen.result)
    )
    counts = {result: int(count) for result, count in rows}
    return {result: counts.get(result, 0) for result in ScreenResult}


def education_given(
    session: Session, site: Site, first: date, last: date
) -> tuple[dict[str, int], int]:
    """Topics covered in the period by topic code, and the minutes recorded."""
    start, end = _bounds(site, first, last)
    rows = session.execute(
        select(
            EducationTopic.code, func.count(), func.coalesce(func.sum(EducationGiven.minutes), 0)
        )
        .join(EducationTopic, EducationTopic.id == EducationGiven.topic_id)
        .where(
            EducationGiven.site_id == site.id,
            EducationGiven.recorded_at >= start,
            EducationGiven.recorded_at < end,
            EducationGiven.struck_at.is_(None),
        )
        .group_by(EducationTopic.code)
    )
    counts: dict[str, int] = {}
    minutes = 0
    for code, count, spent in rows:
        counts[code] = int(count)
        minutes += int(spent)
    return counts, minutes


def care_given(session: Session, site: Site, first: date, last: date) -> dict[CareKind, int]:
    """Wound care and blood-borne virus tests recorded in the period, standing ones only."""
    start, end = _bounds(site, first, last)
    rows = session.execute(
        select(CareGiven.kind, func.count())
        .where(
            CareGiven.site_id == site.id,
            CareGiven.recorded_at >= start,
            CareGiven.recorded_at < end,
            CareGiven.struck_at.is_(None),
        )
        .group_by(CareGiven.kind)
    )
    counts = {kind: int(count) for kind, count in rows}
    return {kind: counts.get(kind, 0) for kind in CareKind}


def care_figures(session: Session, site: Site, first: date, last: date) -> CareFigures:
    """Every care figure of a site for local days `first` to `last`."""
    referrals = referrals_by_type(session, site, first, last)
    screens = bladder_screens(session, site, first, last)
    education, minutes = education_given(session, site, first, last)
    given = care_given(session, site, first, last)
    return CareFigures(
        referrals=referrals,
        referral_steps=referral_steps(session, site, first, last),
        urology_referrals=referrals[ReferralType.UROLOGY],
        screens=sum(n for result, n in screens.items() if result is not ScreenResult.SKIPPED),
        positive_screens=sum(n for result, n in screens.items() if result.is_positive),
        same_day_reviews=screens[ScreenResult.SAME_DAY_REVIEW],
        screens_skipped=screens[ScreenResult.SKIPPED],
        education=education,
        education_minutes=minutes,
        naloxone_training=education.get(NALOXONE_TRAINING, 0),
        wound_care=given[CareKind.WOUND_CARE],
        bbv_tests=given[CareKind.BBV_TEST],
    )
