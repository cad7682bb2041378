"""Referrals: offering one, its steps, striking one through, and what is due to follow up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.care.models import (
    FOLLOW_UP_STATES,
    NEXT_STATES,
    Referral,
    ReferralService,
    ReferralState,
    ReferralStep,
    ReferralType,
    Urgency,
)
from sitesys.checkin.models import Visit
from sitesys.clients.models import Client
from sitesys.clock import local_date, utcnow, written
from sitesys.db import add_once
from sitesys.refusals import Refused
from sitesys.sites.models import Site


class ReferralRefused(Refused):
    """A referral change that breaks a rule; the message is shown as it is."""


class ReferralChanged(ReferralRefused):
    """The referral moved on since the page was drawn (another tablet recorded a step)."""

    category = "warning"

    def __init__(self, referral: Referral) -> None:
        super().__init__(
            _(
                "This referral is now %(state)s: someone else recorded a step. Nothing was "
                "changed; check it below.",
                state=referral.state.label.lower(),
            )
        )


#: How long after each step its follow-up falls due, by urgency: an accepted referral is to be
#: made; a made one is to be asked about ("how did it go?").
DUE_AFTER: dict[ReferralState, dict[Urgency, timedelta]] = {
    ReferralState.ACCEPTED: {
        Urgency.URGENT: timedelta(0),
        Urgency.SOON: timedelta(days=1),
        Urgency.ROUTINE: timedelta(days=3),
    },
    ReferralState.MADE: {
        Urgency.URGENT: timedelta(days=1),
        Urgency.SOON: timedelta(days=3),
        Urgency.ROUTINE: timedelta(days=7),
    },
}

#: The states a new referral may start in, and the steps it is taken to have passed through.
_PATH = {
    ReferralState.OFFERED: (ReferralState.OFFERED,),
    ReferralState.ACCEPTED: (ReferralState.OFFERED, ReferralState.ACCEPTED),
    ReferralState.DECLINED: (ReferralState.OFFERED, ReferralState.DECLINED),
    ReferralState.MADE: (ReferralState.OFFERED, ReferralState.ACCEPTED, ReferralState.MADE),
}
START_STATES = tuple(_PATH)


@dataclass
class ReferralRequest:
    """What staff entered: the kind of service, which one, how urgent, how far it got."""

    submission_key: str
    type: ReferralType
    urgency: Urgency = Urgency.ROUTINE
    state: ReferralState = ReferralState.OFFERED
    #: A service from the site's directory, or else its name as typed.
    service_id: int | None = None
    service_name: str | None = None


def due_after(state: ReferralState, urgency: Urgency, at: datetime) -> datetime | None:
    waits = DUE_AFTER.get(state)
    return at + waits[urgency] if waits is not None else None


def _directory_entry(session: Session, site: Site, service_id: int) -> ReferralService:
    service = session.get(ReferralService, service_id)
    if service is None or service.site_id != site.id or not service.is_active:
        raise ReferralRefused(_("Choose a service from this site's directory, or type its name."))
    return service


def _by_submission(session: Session, site: Site, key: str) -> Referral | None:
    return session.scalar(
        select(Referral).where(Referral.submission_key == key, Referral.site_id == site.id)
    )


def refer(
    session: Session,
    actor: Staff,
    site: Site,
    request: ReferralRequest,
    *,
    client: Client | None = None,
    visit: Visit | None = None,
    incident_id: uuid.UUID | None = None,
) -> tuple[Referral, bool]:
    """Record a referral offered (or at once accepted, declined or made) for a client, from a
    visit, the client page or an incident report. Returns it and whether it is new: the same
    form sent twice (a double tap, two tablets) makes one referral.
    """
    ensure(actor, Capability.REFER)
    if request.state not in _PATH:
        raise ReferralRefused(_("A new referral is offered, accepted, declined or made."))
    service = None
    if request.service_id is not None:
        service = _directory_entry(session, site, request.service_id)
    name = (request.service_name or "").strip()[:120] or None
    if visit is not None:
        client = visit.client
    now = utcnow()
    referral = Referral(
        id=uuid.uuid4(),
        site_id=site.id,
        client_id=client.id if client is not None else None,
        visit_id=visit.id if visit is not None else None,
        incident_id=incident_id,
        type=request.type,
        service_id=service.id if service is not None else None,
        service_name=None if service is not None else name,
        urgency=request.urgency,
        state=request.state,
        follow_up_due_at=due_after(request.state, request.urgency, now),
        owner_id=actor.id,
        created_at=now,
        created_by_id=actor.id,
        submission_key=request.submission_key,
        steps=[
            ReferralStep(state=state, recorded_at=now, recorded_by_id=actor.id)
            for state in _PATH[request.state]
        ],
    )
    stored = add_once(
        session, referral, lambda: _by_submission(session, site, request.submission_key)
    )
    if stored is not referral:
        return stored, False
    record_event(
        session,
        "referral.recorded",
        actor=actor,
        record=referral,
        type=referral.type.value,
        state=referral.state.value,
        urgency=referral.urgency.value,
        service_id=referral.service_id,
        visit_id=str(visit.id) if visit is not None else None,
        incident_id=str(incident_id) if incident_id is not None else None,
    )
    session.flush()
    return referral, True


def record_step(
    session: Session,
    actor: Staff,
    referral: Referral,
    state: ReferralState,
    *,
    expected: ReferralState,
) -> bool:
    """Record the referral's next step, as the page showed it (`expected`). The caller holds the
    referral's row lock. A step already recorded (a double tap, a second tablet that tapped the
    same) is not recorded again and is not refused: returns False. A page drawn before another
    step was recorded changes nothing (ReferralChanged).
    """
    ensure(actor, Capability.REFER)
    if referral.is_struck:
        raise ReferralRefused(_("This referral was struck through; it cannot be changed."))
    if referral.state is state:
        return False
    if referral.state is not expected:
        raise ReferralChanged(referral)
    if state not in NEXT_STATES.get(referral.state, ()):
        raise ReferralRefused(
            _(
                "A referral that is %(state)s cannot be marked %(next)s.",
                state=referral.state.label.lower(),
                next=state.label.lower(),
            )
        )
    now = utcnow()
    referral.steps.append(ReferralStep(state=state, recorded_at=now, recorded_by_id=actor.id))
    previous = referral.state
    referral.state = state
    referral.follow_up_due_at = due_after(state, referral.urgency, now)
    if referral.follow_up_due_at is not None:
        referral.owner_id = actor.id
    record_event(
        session,
        "referral.step_recorded",
        actor=actor,
        record=referral,
        previous=previous.value,
        state=state.value,
    )
    session.flush()
    return True


def strike_referral(session: Session, actor: Staff, referral: Referral, reason: str) -> None:
    """Strike a referral recorded in error through: it stays, marked, with who, when and why."""
    # TRANSLATORS: completes "Only <role> can …" (a verb phrase).
    ensure(actor, Capability.REFER, _("strike a referral through"))
    reason = reason.strip()
    if not reason:
        raise ReferralRefused(_("Give a reason for striking the referral through."))
    if referral.is_struck:
        raise ReferralRefused(_("That referral was already struck through."))
    referral.struck_at = utcnow()
    referral.struck_by_id = actor.id
    referral.strike_reason = reason[:200]
    referral.follow_up_due_at = None
    record_event(session, "referral.struck", actor=actor, record=referral)
    session.flush()


def referrals_of_visit(session: Session, visit: Visit) -> list[Referral]:
    return list(
        session.scalars(
            select(Referral)
            .where(Referral.visit_id == visit.id)
            .options(*_SHOWN)
            .order_by(Referral.created_at)
        )
    )


def referrals_of_incident(session: Session, site: Site, incident_id: uuid.UUID) -> list[Referral]:
    return list(
        session.scalars(
            select(Referral)
            .where(Referral.incident_id == incident_id, Referral.site_id == site.id)
            .options(*_SHOWN)
            .order_by(Referral.created_at)
        )
    )


def referrals_of_client(
    session: Session, site: Site, client_id: uuid.UUID, *, limit: int = 50
) -> list[Referral]:
    """A client's referrals, newest first (at most `limit`)."""
    return list(
        session.scalars(
            select(Referral)
            .where(Referral.client_id == client_id, Referral.site_id == site.id)
            .options(*_SHOWN)
            .order_by(Referral.created_at.desc())
            .limit(limit)
        )
    )


_SHOWN = (
    joinedload(Referral.service),
    selectinload(Referral.steps).joinedload(ReferralStep.recorded_by),
    joinedload(Referral.struck_by),
)


@dataclass(frozen=True)
class FollowUp:
    """A referral to ask the client about at check-in."""

    referral: Referral
    sentence: str


def follow_up_sentence(referral: Referral, site: Site) -> str:
    """The check-in reminder: "Referral to detox made on 2 Dec — ask how it went"."""
    step = referral.step(referral.state)
    at = step.recorded_at if step is not None else referral.created_at
    day = local_date(at, site.zone)
    when = written(day, "%-d %b")
    if referral.state is ReferralState.MADE:
        return str(
            _(
                "Referral to %(service)s made on %(day)s — ask how it went",
                service=referral.type.short,
                day=when,
            )
        )
    return str(
        _(
            "Referral to %(service)s accepted on %(day)s — not made yet",
            service=referral.type.short,
            day=when,
        )
    )


def follow_ups_of_client(
    session: Session, site: Site, client_id: uuid.UUID, *, limit: int = 5
) -> list[FollowUp]:
    """The client's referrals still to follow up (accepted or made, not struck), newest first."""
    rows = session.scalars(
        select(Referral)
        .where(
            Referral.client_id == client_id,
            Referral.site_id == site.id,
            Referral.state.in_(FOLLOW_UP_STATES),
            Referral.struck_at.is_(None),
        )
        .options(selectinload(Referral.steps))
        .order_by(Referral.created_at.desc())
        .limit(limit)
    )
    return [FollowUp(referral, follow_up_sentence(referral, site)) for referral in rows]


def worklist(site: Site, *, owner: Staff | None = None) -> Select[tuple[Referral]]:
    """The site's follow-ups due (or `owner`'s only), soonest first, for the view to paginate."""
    statement = (
        select(Referral)
        .where(Referral.site_id == site.id, Referral.follow_up_due_at.is_not(None))
        .options(joinedload(Referral.client), joinedload(Referral.service))
        .order_by(Referral.follow_up_due_at, Referral.id)
    )
    if owner is not None:
        statement = statement.where(Referral.owner_id == owner.id)
    return statement


def directory(session: Session, site: Site, *, active_only: bool = True) -> list[ReferralService]:
    statement = select(ReferralService).where(ReferralService.site_id == site.id)
    if active_only:
        statement = statement.where(ReferralService.is_active.is_(True))
    return list(session.scalars(statement.order_by(ReferralService.name)))


@dataclass
class ServiceDetails:
    name: str
    type: ReferralType
    how_to_refer: str = ""
    opening_hours: str = ""
    phone: str = ""
    notes: str = ""


def add_service(
    session: Session, actor: Staff, site: Site, details: ServiceDetails
) -> ReferralService:
    """Add a service to the site's directory; names are unique at a site."""
    ensure(actor, Capability.MANAGE_CARE_LISTS)
    name = details.name.strip()[:120]
    if not name:
        raise ReferralRefused(_("Give the service's name."))
    taken = session.scalar(
        select(ReferralService.id).where(
            ReferralService.site_id == site.id, ReferralService.name == name
        )
    )
    if taken is not None:
        raise ReferralRefused(
            _("The directory already has a service called %(service)s.", service=name)
        )
    service = ReferralService(
        site_id=site.id,
        name=name,
        type=details.type,
        how_to_refer=details.how_to_refer.strip()[:300],
        opening_hours=details.opening_hours.strip()[:120],
        phone=details.phone.strip()[:40],
        notes=details.notes.strip()[:500],
    )
    session.add(service)
    session.flush()
    record_event(
        session, "referral_service.added", actor=actor, record=service, type=service.type.value
    )
    return service


def retire_service(session: Session, actor: Staff, service: ReferralService) -> None:
    """Stop offering a service; referrals already made to it keep its name."""
    ensure(actor, Capability.MANAGE_CARE_LISTS)
    if not service.is_active:
        return
    service.is_active = False
    record_event(session, "referral_service.retired", actor=actor, record=service)
    session.flush()
