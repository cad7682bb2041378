"""Loading care records for a request: of the current site, or they do not exist (404)."""

from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.care.models import (
    BladderScreen,
    CareGiven,
    EducationGiven,
    EducationTopic,
    Referral,
    ReferralService,
    ReferralStep,
)
from sitesys.sites.loaders import one_or_404
from sitesys.sites.models import Site


def get_referral_or_404(
    session: Session, referral_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> Referral:
    """A referral of this site with its steps; another site's is answered like a missing one.

    With `for_update` the referral's row is locked on its own first and then read afresh with
    its steps (PostgreSQL re-reads a locked row that changed while it waited, not rows joined to
    it in the same statement).
    """
    if for_update:
        locked = session.scalar(
            select(Referral.id)
            .where(Referral.id == referral_id, Referral.site_id == site.id)
            .with_for_update()
        )
        if locked is None:
            abort(404)
    statement = (
        select(Referral)
        .where(Referral.id == referral_id, Referral.site_id == site.id)
        .options(
            joinedload(Referral.client),
            joinedload(Referral.service),
            joinedload(Referral.owner),
            joinedload(Referral.struck_by),
            selectinload(Referral.steps).joinedload(ReferralStep.recorded_by),
        )
        .execution_options(populate_existing=True)
    )
    referral = session.scalar(statement)
    if referral is None:
        abort(404)
    return referral


def get_referral_service_or_404(
    session: Session, service_id: int, site: Site, *, for_update: bool = False
) -> ReferralService:
    """A service in this site's directory."""
    statement = select(ReferralService).where(
        ReferralService.id == service_id, ReferralService.site_id == site.id
    )
    return one_or_404(session, statement, for_update)


def get_bladder_screen_or_404(
    session: Session, screen_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> BladderScreen:
    """A bladder screen of this site."""
    statement = select(BladderScreen).where(
        BladderScreen.id == screen_id, BladderScreen.site_id == site.id
    )
    return one_or_404(session, statement, for_update)


def get_education_given_or_404(
    session: Session, row_id: int, site: Site, *, for_update: bool = False
) -> EducationGiven:
    """A topic recorded on a visit of this site."""
    statement = select(EducationGiven).where(
        EducationGiven.id == row_id, EducationGiven.site_id == site.id
    )
    return one_or_404(session, statement, for_update)


def get_education_topic_or_404(
    session: Session, topic_id: int, site: Site, *, for_update: bool = False
) -> EducationTopic:
    """A topic of this site's list."""
    statement = select(EducationTopic).where(
        EducationTopic.id == topic_id, EducationTopic.site_id == site.id
    )
    return one_or_404(session, statement, for_update)


def get_care_given_or_404(
    session: Session, row_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> CareGiven:
    """Wound care or a blood-borne virus test recorded on a visit of this site."""
    statement = select(CareGiven).where(CareGiven.id == row_id, CareGiven.site_id == site.id)
    return one_or_404(session, statement, for_update)
