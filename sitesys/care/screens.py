"""Asking the ketamine bladder screen on a visit: when it is due, recording it (or that it was
skipped), and striking one through. Its wording and rules are care/bladder.py's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.care.bladder import (
    Assessment,
    ScreenResult,
    Symptom,
    UseFrequency,
    assess,
    is_offered,
)
from sitesys.care.models import BladderScreen
from sitesys.checkin.models import Visit
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.refusals import Refused
from sitesys.sites.models import Site


class ScreenRefused(Refused):
    """A screen that cannot be recorded; the message is shown as it is."""


@dataclass(frozen=True)
class ScreenStatus:
    """Whether the visit page offers the screen, and why not when it does not."""

    offered: bool
    #: The visit's standing screen (or skip), if it has one.
    this_visit: BladderScreen | None = None
    #: The client's last screen asked (not skipped), within the site's interval.
    recent: BladderScreen | None = None


def standing_screen(session: Session, visit: Visit) -> BladderScreen | None:
    return session.scalar(
        select(BladderScreen).where(
            BladderScreen.visit_id == visit.id, BladderScreen.struck_at.is_(None)
        )
    )


def recent_screen(session: Session, site: Site, visit: Visit) -> BladderScreen | None:
    """The client's last screen asked within the site's interval (a skip does not count)."""
    if visit.client_id is None:
        return None
    since = utcnow() - timedelta(days=site.bladder_screen_days)
    return session.scalar(
        select(BladderScreen)
        .where(
            BladderScreen.client_id == visit.client_id,
            BladderScreen.site_id == site.id,
            BladderScreen.struck_at.is_(None),
            BladderScreen.result != ScreenResult.SKIPPED,
            BladderScreen.recorded_at >= since,
        )
        .order_by(BladderScreen.recorded_at.desc())
        .limit(1)
    )


def screen_status(session: Session, site: Site, visit: Visit) -> ScreenStatus:
    """Offered when the visit names ketamine, it has no screen (or skip) yet, and the client was
    not screened within the site's interval (28 days unless the site sets otherwise).
    """
    if not is_offered([s.code for s in visit.substances]):
        return ScreenStatus(offered=False)
    this_visit = standing_screen(session, visit)
    if this_visit is not None:
        return ScreenStatus(offered=False, this_visit=this_visit)
    recent = recent_screen(session, site, visit)
    return ScreenStatus(offered=recent is None, recent=recent)


def _by_submission(session: Session, key: str) -> BladderScreen | None:
    return session.scalar(select(BladderScreen).where(BladderScreen.submission_key == key))


@dataclass(frozen=True)
class Screened:
    screen: BladderScreen
    assessment: Assessment
    #: False when this form had already recorded it (a double tap).
    is_new: bool


def record_screen(
    session: Session,
    actor: Staff,
    site: Site,
    visit: Visit,
    *,
    submission_key: str,
    symptoms: set[Symptom],
    use_frequency: UseFrequency | None,
    skipped: bool = False,
) -> Screened:
    """Record the screen's answers (or that it was skipped) for the visit, and what they call
    for. One standing screen per visit: the same form twice is one record, and a second form
    for a visit already screened is refused.
    """
    ensure(actor, Capability.SCREEN_CLIENTS)
    if visit.site_id != site.id:
        raise ScreenRefused(_("That visit is not one of this site's."))
    existing = standing_screen(session, visit)
    if existing is not None:
        if existing.submission_key == submission_key:
            return Screened(existing, assess(frozenset(existing.symptoms)), is_new=False)
        raise ScreenRefused(_("This visit's bladder screen was already recorded."))
    assessment = assess(frozenset() if skipped else frozenset(symptoms))
    screen = BladderScreen(
        id=uuid.uuid4(),
        site_id=site.id,
        visit_id=visit.id,
        client_id=visit.client_id,
        result=ScreenResult.SKIPPED if skipped else assessment.result,
        use_frequency=None if skipped else use_frequency,
        recorded_at=utcnow(),
        recorded_by_id=actor.id,
        submission_key=submission_key,
    )
    if not skipped:
        for symptom in symptoms:
            setattr(screen, symptom.value, True)

    def earlier() -> BladderScreen | None:
        found = _by_submission(session, submission_key)
        if found is None and standing_screen(session, visit) is not None:
            raise ScreenRefused(_("This visit's bladder screen was already recorded."))
        return found

    stored = add_once(session, screen, earlier)
    if stored is not screen:
        return Screened(stored, assess(frozenset(stored.symptoms)), is_new=False)
    record_event(
        session,
        "bladder_screen.recorded",
        actor=actor,
        record=screen,
        visit_id=str(visit.id),
        result=screen.result.value,
    )
    session.flush()
    return Screened(screen, assessment, is_new=True)


def strike_screen(session: Session, actor: Staff, screen: BladderScreen, reason: str) -> None:
    """Strike a screen recorded in error through; the visit may then be screened again."""
    # TRANSLATORS: completes "Only <role> can …" (a verb phrase).
    ensure(actor, Capability.SCREEN_CLIENTS, _("strike a screen through"))
    reason = reason.strip()
    if not reason:
        raise ScreenRefused(_("Give a reason for striking the screen through."))
    if screen.is_struck:
        raise ScreenRefused(_("That screen was already struck through."))
    screen.struck_at = utcnow()
    screen.struck_by_id = actor.id
    screen.strike_reason = reason[:200]
    record_event(session, "bladder_screen.struck", actor=actor, record=screen)
    session.flush()
