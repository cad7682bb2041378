"""The visit lifecycle after check-in: into a booth, to aftercare, out of the door."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.checkin.models import OPEN_STATUSES, Departure, Visit, VisitStatus, is_open_visit
from sitesys.checkin.services import CheckInError, check_booth_suits, lock_free_booth
from sitesys.checkin.whereabouts import place_in_sentence
from sitesys.clock import local_date, local_instant, utcnow
from sitesys.incidents.kinds import IncidentStatus
from sitesys.incidents.models import Incident
from sitesys.sites.models import Booth, BoothStatus, Site


class VisitChanged(CheckInError):
    """The visit is no longer where the screen showed it: nothing is changed."""


class ServicesOnlyVisit(CheckInError):
    """A services-only visit takes no booth and has no aftercare: it ends with check-out."""

    def __init__(self) -> None:
        super().__init__(_("This visit is for services only: nobody uses, so it takes no booth."))


def _response_running(
    visit_id: uuid.UUID | InstrumentedAttribute[uuid.UUID],
) -> ColumnElement[bool]:
    """An emergency response is running for the visit: an open incident names it. Asked of the
    incidents model (the shared vocabulary), not of the incidents feature, which sits above
    check-in.
    """
    return exists().where(Incident.visit_id == visit_id, Incident.status == IncidentStatus.OPEN)


def _expect(visit: Visit, expected: VisitStatus | None, allowed: tuple[VisitStatus, ...]) -> None:
    if not visit.status.is_open:
        raise VisitChanged(
            _("%(tag)s has already left; nothing was changed.", tag=visit.display_tag)
        )
    # Where the client is, as a sentence says it ("is in aftercare", not "is aftercare").
    where = place_in_sentence(visit)
    if expected is not None and visit.status is not expected:
        raise VisitChanged(
            _(
                "%(tag)s is now %(where)s: the screen was out of date, so nothing was changed. "
                "Check the board and try again.",
                tag=visit.display_tag,
                where=where,
            )
        )
    if visit.status not in allowed:
        raise VisitChanged(
            _(
                "%(tag)s is %(where)s, so that step does not apply.",
                tag=visit.display_tag,
                where=where,
            )
        )


def _release_booth(visit: Visit) -> Booth | None:
    """A booth someone has left needs cleaning before it is free again."""
    booth = visit.booth
    if booth is not None and visit.status is VisitStatus.IN_BOOTH:
        booth.status = BoothStatus.NEEDS_CLEANING
        return booth
    return None


def move_to_booth(
    session: Session,
    actor: Staff,
    visit: Visit,
    booth_id: int | None,
    expected: VisitStatus | None,
) -> Booth:
    """Move a waiting client into a free booth of the site (of a suitable kind); `booth_id` is
    None when the form named no booth that could be one.
    """
    ensure(actor, Capability.WORK_FLOOR, _("move clients into booths"))
    if booth_id is None:
        raise CheckInError(_("Choose a free booth."))
    _expect(visit, expected, (VisitStatus.WAITING,))
    if visit.route is None:
        raise ServicesOnlyVisit()
    booth = lock_free_booth(session, visit.site, booth_id)
    check_booth_suits(session, booth, visit.route)
    now = utcnow()
    visit.status = VisitStatus.IN_BOOTH
    visit.booth_id = booth.id
    visit.booth = booth
    visit.booth_entered_at = now
    session.flush()  # the partial unique index settles a race for the booth here
    booth.status = BoothStatus.OCCUPIED
    record_event(
        session,
        "visit.moved_to_booth",
        actor=actor,
        record=visit,
        booth_id=booth.id,
    )
    session.flush()
    return booth


def move_to_aftercare(
    session: Session, actor: Staff, visit: Visit, expected: VisitStatus | None
) -> None:
    """Move a client from their booth to aftercare; the booth then needs cleaning."""
    ensure(actor, Capability.WORK_FLOOR, _("move clients to aftercare"))
    _expect(visit, expected, (VisitStatus.IN_BOOTH, VisitStatus.WAITING))
    if visit.is_services_only:
        raise ServicesOnlyVisit()
    booth = _release_booth(visit)
    visit.status = VisitStatus.AFTERCARE
    visit.aftercare_at = utcnow()
    record_event(
        session,
        "visit.moved_to_aftercare",
        actor=actor,
        record=visit,
        booth_id=booth.id if booth else None,
    )
    session.flush()


def check_out(
    session: Session,
    actor: Staff,
    visit: Visit,
    expected: VisitStatus | None,
    departure: Departure = Departure.PLANNED,
) -> None:
    """Check a client out from any open step, with how they left; a booth they were in needs
    cleaning.

    Refused while an emergency response is running for the visit: the response ends first, so
    it never drops off the board with the client still in someone's care (a transfer to
    hospital during the response is recorded on the response screen: `leave_by_ambulance`).
    """
    ensure(actor, Capability.WORK_FLOOR, _("check clients out"))
    _expect(visit, expected, OPEN_STATUSES)
    if session.scalar(select(_response_running(visit.id))):
        raise CheckInError(
            _(
                "An emergency response is running for %(tag)s: end the response before checking "
                "them out. Nothing was changed.",
                tag=visit.display_tag,
            )
        )
    booth = _release_booth(visit)
    from_status = visit.status
    visit.status = VisitStatus.LEFT
    visit.left_at = utcnow()
    visit.departure = departure
    record_event(
        session,
        "visit.checked_out",
        actor=actor,
        record=visit,
        from_status=from_status.value,
        booth_id=booth.id if booth else None,
        departure=departure.value,
    )
    session.flush()


@dataclass(frozen=True)
class LeftByAmbulance:
    """A visit ended by a transfer to hospital, and the booth it freed (needing cleaning)."""

    visit: Visit
    booth: Booth | None


def leave_by_ambulance(session: Session, actor: Staff, visit: Visit) -> LeftByAmbulance | None:
    """The client was transferred to hospital: the visit ends as left by ambulance, a booth they
    were in needs cleaning, and their tile leaves every board. Not refused while a response
    runs (the response is what sends them), and nothing is changed for a visit that has already
    ended (None). The caller holds the visit's row lock.
    """
    ensure(actor, Capability.RECORD_RESPONSE_ACTIONS, _("record a transfer to hospital"))
    if not visit.status.is_open:
        return None
    booth = _release_booth(visit)
    from_status = visit.status
    visit.status = VisitStatus.LEFT
    visit.left_at = utcnow()
    visit.departure = Departure.TRANSFERRED_TO_HOSPITAL
    record_event(
        session,
        "visit.left_by_ambulance",
        actor=actor,
        record=visit,
        from_status=from_status.value,
        booth_id=booth.id if booth else None,
        departure=Departure.TRANSFERRED_TO_HOSPITAL.value,
    )
    session.flush()
    return LeftByAmbulance(visit, booth)


#: Visits still open this long after closing time are closed by the end-of-day job.
CLOSE_AFTER_CLOSING = timedelta(hours=2)


def last_closing(site: Site, now: datetime) -> datetime:
    """The site's most recent closing instant at or before `now`, in UTC."""
    today = local_date(now, site.zone)
    closing = local_instant(today, site.closing_time, site.zone)
    if closing > now:
        closing = local_instant(today - timedelta(days=1), site.closing_time, site.zone)
    return closing


def close_forgotten_visits(session: Session, site: Site, now: datetime) -> int:
    """Mark visits still open long after closing as left without checkout.

    Only visits that began before that closing are touched, and only open ones, so running the
    job twice changes nothing the second time. A visit with an emergency response running is left
    open, as a check-out would be refused: the client is still in someone's care, and a later
    run closes the visit once the response has ended.
    """
    closing = last_closing(site, now)
    if now < closing + CLOSE_AFTER_CLOSING:
        closing = last_closing(site, closing - timedelta(seconds=1))
    visits = list(
        session.scalars(
            select(Visit)
            .where(
                Visit.site_id == site.id,
                is_open_visit(),
                Visit.checked_in_at < closing,
                ~_response_running(Visit.id),
            )
            .with_for_update()
        )
    )
    for visit in visits:
        booth = _release_booth(visit)
        from_status = visit.status
        visit.status = VisitStatus.LEFT_WITHOUT_CHECKOUT
        visit.left_at = now
        record_event(
            session,
            "visit.left_without_checkout",
            actor=None,
            record=visit,
            from_status=from_status.value,
            booth_id=booth.id if booth else None,
        )
    session.flush()
    return len(visits)
