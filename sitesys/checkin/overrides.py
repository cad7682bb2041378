"""Restriction overrides without a manager at the desk.

A client under a service restriction comes to the desk and no manager is there. The desk asks for
an override; every manager signed in at the site sees the request (their queue, the home page and
a small indicator that polls) and approves or refuses it with a reason from their own device. The
desk's page follows the request by itself, and an approval lets one check-in of that client
through within the hour (`usable_approval`, used by `services.check_in`), the manager's reason
kept on the visit as an override a manager made at the desk would be.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.checkin.models import OverrideRequest, OverrideStatus
from sitesys.clients.models import Client, FlagKind
from sitesys.clients.services import active_flags
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.refusals import Refused
from sitesys.sites.models import Site

#: How long an approval lets the client's check-in through.
APPROVAL_LASTS = timedelta(hours=1)
#: The most requests a manager's list shows at once (a site has a handful a day).
LIST_LIMIT = 50


class OverrideError(Refused):
    """An override request that cannot be made or decided; the message says why."""


class AlreadyDecided(OverrideError):
    def __init__(self, request: OverrideRequest) -> None:
        who = request.decided_by.display_name if request.decided_by else _("someone else")
        if request.status is OverrideStatus.APPROVED:
            said = _(
                "That request was already approved by %(name)s; nothing was changed.", name=who
            )
        elif request.status is OverrideStatus.REFUSED:
            said = _("That request was already refused by %(name)s; nothing was changed.", name=who)
        else:
            said = _("That request was already used by %(name)s; nothing was changed.", name=who)
        super().__init__(said)


def _pending_for(session: Session, client: Client) -> OverrideRequest | None:
    return session.scalar(
        select(OverrideRequest).where(
            OverrideRequest.client_id == client.id,
            OverrideRequest.status == OverrideStatus.PENDING,
        )
    )


def request_override(session: Session, actor: Staff, site: Site, client: Client) -> OverrideRequest:
    """Ask the site's managers to let a restricted client in; a request already waiting for this
    client (a second tap, another desk) is the one returned.
    """
    ensure(actor, Capability.CHECK_IN)
    if client.site_id != site.id:
        raise OverrideError(_("That client is not one of this site's."))
    if not any(f.kind is FlagKind.SERVICE_RESTRICTION for f in active_flags(client, site)):
        raise OverrideError(_("This client has no service restriction to override."))
    waiting = _pending_for(session, client)
    if waiting is not None:
        return waiting
    request = OverrideRequest(
        id=uuid.uuid4(),
        site_id=site.id,
        client_id=client.id,
        requested_by_id=actor.id,
        requested_at=utcnow(),
    )
    stored = add_once(session, request, lambda: _pending_for(session, client))
    if stored is not request:
        return stored
    record_event(session, "override.requested", actor=actor, record=request)
    return request


def decide_override(
    session: Session, actor: Staff, request: OverrideRequest, *, approve: bool, reason: str
) -> None:
    """A manager's answer, with a reason. The first answer stands: a second manager answering
    the same request is told who answered it.
    """
    ensure(actor, Capability.OVERRIDE_RESTRICTION)
    reason = reason.strip()
    if not reason:
        raise OverrideError(
            _("Write the reason for letting the client in.")
            if approve
            else _("Write the reason for refusing, for the desk to tell the client.")
        )
    if request.status is not OverrideStatus.PENDING:
        raise AlreadyDecided(request)
    request.status = OverrideStatus.APPROVED if approve else OverrideStatus.REFUSED
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    request.reason = reason[:200]
    record_event(
        session,
        "override.approved" if approve else "override.refused",
        actor=actor,
        record=request,
    )
    session.flush()


def is_usable(request: OverrideRequest, now: datetime) -> bool:
    """An approval not yet used, decided within the hour."""
    return (
        request.status is OverrideStatus.APPROVED
        and request.decided_at is not None
        and now - request.decided_at <= APPROVAL_LASTS
    )


def usable_approval(
    session: Session, site: Site, client: Client, request_id: uuid.UUID | None
) -> OverrideRequest | None:
    """The approval the desk's form names for this client, locked for the check-in that uses
    it, or None when there is none that may still be used.
    """
    if request_id is None:
        return None
    request = session.scalar(
        select(OverrideRequest)
        .where(
            OverrideRequest.id == request_id,
            OverrideRequest.site_id == site.id,
            OverrideRequest.client_id == client.id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return request if request is not None and is_usable(request, utcnow()) else None


def use_approval(
    session: Session, actor: Staff, request: OverrideRequest, visit_id: uuid.UUID
) -> None:
    """Mark an approval used by the check-in it let through (once only)."""
    ensure(actor, Capability.CHECK_IN)
    request.status = OverrideStatus.USED
    request.visit_id = visit_id
    record_event(session, "override.used", actor=actor, record=request, visit_id=str(visit_id))


def latest_for_client(
    session: Session, site: Site, client: Client, request_id: uuid.UUID | None
) -> OverrideRequest | None:
    """The request the desk's page shows for this client: the one its form names, or else one
    waiting or approved within the hour (asked from another desk, or before a reload).
    """
    statement = select(OverrideRequest).where(
        OverrideRequest.site_id == site.id, OverrideRequest.client_id == client.id
    )
    if request_id is not None:
        named = session.scalar(statement.where(OverrideRequest.id == request_id))
        if named is not None:
            return named
    recent = session.scalar(
        statement.where(
            OverrideRequest.status.in_([OverrideStatus.PENDING, OverrideStatus.APPROVED]),
            OverrideRequest.requested_at >= utcnow() - APPROVAL_LASTS,
        ).order_by(OverrideRequest.requested_at.desc())
    )
    if recent is not None and recent.status is OverrideStatus.APPROVED:
        return recent if is_usable(recent, utcnow()) else None
    return recent


def waiting_requests(session: Session, site: Site) -> list[OverrideRequest]:
    """The site's requests waiting for a manager, oldest first."""
    return list(
        session.scalars(
            select(OverrideRequest)
            .where(
                OverrideRequest.site_id == site.id,
                OverrideRequest.status == OverrideStatus.PENDING,
            )
            .order_by(OverrideRequest.requested_at)
            .options(joinedload(OverrideRequest.client), joinedload(OverrideRequest.requested_by))
            .limit(LIST_LIMIT)
        )
    )


def count_waiting(session: Session, site: Site) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(OverrideRequest)
            .where(
                OverrideRequest.site_id == site.id,
                OverrideRequest.status == OverrideStatus.PENDING,
            )
        )
        or 0
    )


def recently_decided(session: Session, site: Site) -> list[OverrideRequest]:
    """The site's requests answered in the last day, newest first."""
    return list(
        session.scalars(
            select(OverrideRequest)
            .where(
                OverrideRequest.site_id == site.id,
                OverrideRequest.status != OverrideStatus.PENDING,
                OverrideRequest.decided_at >= utcnow() - timedelta(days=1),
            )
            .order_by(OverrideRequest.decided_at.desc())
            .options(joinedload(OverrideRequest.client), joinedload(OverrideRequest.decided_by))
            .limit(LIST_LIMIT)
        )
    )
