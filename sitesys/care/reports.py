"""Care figures for sites over a run of their local days: what the reports' care section shows
(referrals by type and what became of them, bladder screens, education given, naloxone training,
wound care and blood-borne virus tests).

Each record is counted by the local day it was recorded (clock.day_start knows that a day at a
clock change is 23 or 25 hours long); a record struck through is not counted. Each figure is
read for every site asked for in one statement, grouped by site. Counts only: no code, client
or free text leaves here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
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
from sitesys.sites.models import Site
from sitesys.sites.zones import ZoneGroup, in_local_days, zone_groups


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


def _counts(session: Session, statement: Select[tuple[int, Any, int]]) -> dict[int, dict[Any, int]]:
    """(site id, value, count) rows as each site's counts by value."""
    by_site: dict[int, dict[Any, int]] = {}
    for site_id, value, count in session.execute(statement):
        by_site.setdefault(site_id, {})[value] = int(count)
    return by_site


def _referrals_by_type(
    session: Session, groups: Sequence[ZoneGroup]
) -> dict[int, dict[ReferralType, int]]:
    return _counts(
        session,
        select(Referral.site_id, Referral.type, func.count())
        .where(
            in_local_days(groups, Referral.site_id, Referral.created_at),
            Referral.struck_at.is_(None),
        )
        .group_by(Referral.site_id, Referral.type),
    )


def _referral_steps(
    session: Session, groups: Sequence[ZoneGroup]
) -> dict[int, dict[ReferralState, int]]:
    return _counts(
        session,
        select(Referral.site_id, ReferralStep.state, func.count())
        .join(Referral, Referral.id == ReferralStep.referral_id)
        .where(
            in_local_days(groups, Referral.site_id, ReferralStep.recorded_at),
            Referral.struck_at.is_(None),
        )
        .group_by(Referral.site_id, ReferralStep.state),
    )


def _bladder_screens(
    session: Session, groups: Sequence[ZoneGroup]
) -> dict[int, dict[ScreenResult, int]]:
    """Screens recorded in the period, by result (skips included, as SKIPPED)."""
    return _counts(
        session,
        select(BladderScreen.site_id, BladderScreen.result, func.count())
        .where(
            in_local_days(groups, BladderScreen.site_id, BladderScreen.recorded_at),
            BladderScreen.struck_at.is_(None),
        )
        .group_by(BladderScreen.site_id, BladderScreen.result),
    )


def _education_given(
    session: Session, groups: Sequence[ZoneGroup]
) -> dict[int, tuple[dict[str, int], int]]:
    """Topics covered in the period by topic code, and the minutes recorded."""
    rows = session.execute(
        select(
            EducationGiven.site_id,
            EducationTopic.code,
            func.count(),
            func.coalesce(func.sum(EducationGiven.minutes), 0),
        )
        .join(EducationTopic, EducationTopic.id == EducationGiven.topic_id)
        .where(
            in_local_days(groups, EducationGiven.site_id, EducationGiven.recorded_at),
            EducationGiven.struck_at.is_(None),
        )
        .group_by(EducationGiven.site_id, EducationTopic.code)
    )
    by_site: dict[int, tuple[dict[str, int], int]] = {}
    for site_id, code, count, spent in rows:
        counts, minutes = by_site.get(site_id, ({}, 0))
        counts[code] = int(count)
        by_site[site_id] = counts, minutes + int(spent)
    return by_site


def _care_given(session: Session, groups: Sequence[ZoneGroup]) -> dict[int, dict[CareKind, int]]:
    """Wound care and blood-borne virus tests recorded in the period, standing ones only."""
    return _counts(
        session,
        select(CareGiven.site_id, CareGiven.kind, func.count())
        .where(
            in_local_days(groups, CareGiven.site_id, CareGiven.recorded_at),
            CareGiven.struck_at.is_(None),
        )
        .group_by(CareGiven.site_id, CareGiven.kind),
    )


def care_by_site(
    session: Session, sites: Sequence[Site], first: date, last: date
) -> dict[int, CareFigures]:
    """Every care figure of each site for its local days `first` to `last`, by site id (zero
    figures for a site with no care recorded), each figure read in one statement for them all.
    """
    if not sites:
        return {}
    groups = zone_groups(sites, first, last)
    referrals_by_site = _referrals_by_type(session, groups)
    steps_by_site = _referral_steps(session, groups)
    screens_by_site = _bladder_screens(session, groups)
    education_by_site = _education_given(session, groups)
    given_by_site = _care_given(session, groups)
    figures = {}
    for site in sites:
        referrals = {kind: referrals_by_site.get(site.id, {}).get(kind, 0) for kind in ReferralType}
        screens = {
            result: screens_by_site.get(site.id, {}).get(result, 0) for result in ScreenResult
        }
        education, minutes = education_by_site.get(site.id, ({}, 0))
        given = {kind: given_by_site.get(site.id, {}).get(kind, 0) for kind in CareKind}
        figures[site.id] = CareFigures(
            referrals=referrals,
            referral_steps={
                state: steps_by_site.get(site.id, {}).get(state, 0) for state in ReferralState
            },
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
    return figures


def care_figures(session: Session, site: Site, first: date, last: date) -> CareFigures:
    """Every care figure of a site for local days `first` to `last`."""
    return care_by_site(session, [site], first, last)[site.id]
