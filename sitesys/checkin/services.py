"""Checking a client in: who they are, what they will use, and where they go."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure, role_can
from sitesys.checkin.models import (
    DrugChecked,
    OverrideRequest,
    Route,
    ServiceGiven,
    Visit,
    VisitKind,
    VisitService,
    VisitStatus,
    VisitSubstance,
    is_open_visit,
)
from sitesys.checkin.overrides import usable_approval, use_approval
from sitesys.checkin.whereabouts import place_in_sentence
from sitesys.clients.models import AgeBand, Client, ClientFlag, FlagKind, Gender
from sitesys.clients.services import (
    active_flags,
    find_client,
    read_code_anew,
    register_client,
)
from sitesys.clock import utcnow
from sitesys.refusals import Refused
from sitesys.sites.models import Booth, BoothKind, BoothStatus, Site, SubstanceOption


class CheckInError(Refused):
    """A check-in that cannot go ahead; the message is shown to the desk as it is."""


class BoothNotFree(CheckInError):
    """The booth chosen cannot be used now; the message says why (taken, cleaning, broken)."""

    def __init__(self, booth: Booth, said: str) -> None:
        super().__init__(said)
        self.booth = booth


class BoothTaken(BoothNotFree):
    def __init__(self, booth: Booth) -> None:
        super().__init__(
            booth, _("Booth %(booth)s was just taken — choose another.", booth=booth.label)
        )


#: Why a booth that is not free cannot be chosen, in the floor's words (`booth`: its label).
_NOT_FREE = {
    BoothStatus.NEEDS_CLEANING: _l("Booth %(booth)s needs cleaning — choose another."),
    BoothStatus.OUT_OF_SERVICE: _l("Booth %(booth)s is out of service — choose another."),
}


class VisitClosed(CheckInError):
    def __init__(self, visit: Visit) -> None:
        super().__init__(
            _(
                "%(tag)s has left; services can only be recorded during a visit.",
                tag=visit.display_tag,
            )
        )
        self.visit = visit


class BoothUnsuitable(CheckInError):
    pass


class ClientAlreadyIn(CheckInError):
    """The client is on the floor already: the desk is taken to their visit."""

    category = "warning"

    def __init__(self, visit: Visit) -> None:
        super().__init__(
            _(
                "%(tag)s is already checked in (%(where)s).",
                tag=visit.display_tag,
                where=place_in_sentence(visit),
            )
        )
        self.visit = visit


class FormAlreadyUsed(CheckInError):
    """The form's submission key already checked someone else in (a page brought back with the
    browser's Back button and used for the next client): nothing is saved.
    """

    def __init__(self, visit: Visit) -> None:
        super().__init__(
            _(
                "This form had already checked in %(tag)s, so nothing was saved for this client. "
                "Press Check in again.",
                tag=visit.display_tag,
            )
        )


class ClientRestricted(CheckInError):
    def __init__(self, flag: ClientFlag) -> None:
        super().__init__(
            _(
                "Check-in is blocked: %(flag)s. A manager can override it with a reason: ask one "
                "from here if none is at the desk.",
                flag=flag.summary,
            )
        )
        self.flag = flag


class OverrideReasonNeeded(ClientRestricted):
    """A restricted client checked in by someone who may override the restriction, but with no
    reason given: the reason is what the override rests on.
    """

    #: What the reason's field says.
    field_message = _l("Write the reason for overriding the restriction.")


@dataclass
class CheckInRequest:
    """What the desk entered. The client is given by code digest, never by the code itself."""

    submission_key: str
    #: None for a services-only visit (nobody uses).
    route: Route | None
    drug_checked: DrugChecked
    substances: list[str]
    code_digest: str | None = None  # None: anonymous walk-in
    #: Which client-code key the digest is under (clients/codes.py: code_key_id).
    code_key_id: str | None = None
    booth_id: int | None = None  # None: waiting list
    services: list[ServiceGiven] = field(default_factory=list)
    age_band: AgeBand | None = None
    gender: Gender | None = None
    override_reason: str | None = None
    #: The approved override request the desk's form carries (overrides.py).
    override_request_id: uuid.UUID | None = None
    #: The digest of the code as typed with its accents, for a client registered under it
    #: before codes were made plain (clients/letters.py): found by it and saved anew.
    earlier_digest: str | None = None
    kind: VisitKind = VisitKind.CONSUMPTION


@dataclass
class CheckInResult:
    visit: Visit
    #: True when this submission had already been saved (double tap, resubmitted form).
    replayed: bool = False
    new_client: bool = False


def active_substance_codes(session: Session, site: Site) -> dict[str, str]:
    """The site's active pick-list, code to label, in desk order."""
    rows = session.execute(
        select(SubstanceOption.code, SubstanceOption.label)
        .where(SubstanceOption.site_id == site.id, SubstanceOption.is_active.is_(True))
        .order_by(SubstanceOption.position, SubstanceOption.label)
    )
    return {code: label for code, label in rows}


def substance_labels(session: Session, site_id: int) -> dict[str, str]:
    """Every substance the site has listed, hidden ones too (for what visits and reports already
    name: a substance hidden from the pick-list keeps its label there).
    """
    rows = session.execute(
        select(SubstanceOption.code, SubstanceOption.label)
        .where(SubstanceOption.site_id == site_id)
        .order_by(SubstanceOption.position, SubstanceOption.label)
    )
    return {code: label for code, label in rows}


def open_visits(session: Session, site: Site, *options: ORMOption, limit: int = 500) -> list[Visit]:
    """The site's visits still on the floor, in check-in order (at most `limit`).

    Sorted here, not by the database: ordering by check-in time in SQL leads SQLite to walk the
    site's whole history in check-in order instead of the small index of open visits.
    """
    return sorted(
        session.scalars(
            select(Visit)
            .where(Visit.site_id == site.id, is_open_visit())
            .options(*options)
            .limit(limit)
        ),
        key=lambda visit: (visit.checked_in_at, str(visit.id)),
    )


def free_booths(session: Session, site: Site) -> list[Booth]:
    return list(
        session.scalars(
            select(Booth)
            .where(
                Booth.site_id == site.id,
                Booth.status == BoothStatus.FREE,
                Booth.is_retired.is_(False),
            )
            .order_by(Booth.position, Booth.label)
        )
    )


def booth_named(session: Session, site: Site, booth_id: int | None) -> Booth | None:
    """The booth a submitted form names, when it is one of the site's in use, free or not: one
    taken since the form was drawn is then answered "just taken", not "not a choice". Only that
    booth is read, not every booth of the site.
    """
    if booth_id is None:
        return None
    return session.scalar(
        select(Booth).where(
            Booth.id == booth_id, Booth.site_id == site.id, Booth.is_retired.is_(False)
        )
    )


#: Why a booth does not suit the route (`booth`: its label): a smoking booth for anything but
#: smoking, and any other booth for smoking.
_UNSUITED = {
    Route.INJECT: _l(
        "Booth %(booth)s is a smoking booth: choose another booth for someone who will inject."
    ),
    Route.SMOKE: _l(
        "Booth %(booth)s is not a smoking booth: choose a smoking booth for someone who will smoke."
    ),
    Route.SNORT: _l(
        "Booth %(booth)s is a smoking booth: choose another booth for someone who will snort."
    ),
    Route.ORAL: _l(
        "Booth %(booth)s is a smoking booth: choose another booth for someone who will take it "
        "by mouth."
    ),
    Route.OTHER: _l(
        "Booth %(booth)s is a smoking booth: choose another booth for someone who will use "
        "another way."
    ),
}


def wanted_kind(route: Route) -> BoothKind:
    return BoothKind.SMOKING if route is Route.SMOKE else BoothKind.INJECTING


def _site_has_kind(session: Session, site_id: int, kind: BoothKind) -> bool:
    return (
        session.scalar(
            select(Booth.id).where(
                Booth.site_id == site_id, Booth.kind == kind, Booth.is_retired.is_(False)
            )
        )
        is not None
    )


def booths_suiting(session: Session, site: Site, route: Route, booths: list[Booth]) -> list[Booth]:
    """Those of `booths` that check_booth_suits would accept for `route`."""
    wanted = wanted_kind(route)
    if not _site_has_kind(session, site.id, wanted):
        return list(booths)
    return [booth for booth in booths if booth.kind is wanted]


def routes_by_booth(session: Session, site: Site, booths: list[Booth]) -> dict[int, list[Route]]:
    """For each of `booths`, the routes check_booth_suits accepts it for: the desk offers only the
    booths that suit the route chosen.
    """
    kinds = set(
        session.scalars(
            select(Booth.kind).where(Booth.site_id == site.id, Booth.is_retired.is_(False))
        )
    )
    return {
        booth.id: [
            route
            for route in Route
            if booth.kind is wanted_kind(route) or wanted_kind(route) not in kinds
        ]
        for booth in booths
    }


def suggested_booth(session: Session, site: Site, visit: Visit, free: list[Booth]) -> Booth | None:
    """The free booth to offer first to a waiting client: the first that suits their route.
    None when none does, so that a hurried tap cannot send a smoker to an injecting booth (or
    the reverse).
    """
    if visit.route is None:
        return None  # a services-only visit takes no booth
    suiting = booths_suiting(session, site, visit.route, free)
    return suiting[0] if suiting else None


def check_booth_suits(session: Session, booth: Booth, route: Route) -> None:
    """Smoking goes to a smoking booth and everything else to the others, where the site has
    both kinds (smoke must not drift into an injecting room).
    """
    wanted = wanted_kind(route)
    if booth.kind is wanted or not _site_has_kind(session, booth.site_id, wanted):
        return
    raise BoothUnsuitable(str(_UNSUITED[route]) % {"booth": booth.label})


def lock_free_booth(session: Session, site: Site, booth_id: int) -> Booth:
    """Load a booth of this site for update, or say why it cannot be used."""
    booth = session.scalar(
        select(Booth)
        .where(Booth.id == booth_id, Booth.site_id == site.id, Booth.is_retired.is_(False))
        .with_for_update()
        # Read afresh even when the booth is already loaded: the desk's form read the booths
        # before the write transaction began (see sitesys.db.reads_first).
        .execution_options(populate_existing=True)
    )
    if booth is None:
        raise CheckInError(_("That booth is not one of this site's booths."))
    if booth.status in _NOT_FREE:
        raise BoothNotFree(booth, str(_NOT_FREE[booth.status]) % {"booth": booth.label})
    if booth.status is not BoothStatus.FREE:
        raise BoothTaken(booth)
    return booth


def _replay(session: Session, site: Site, request: CheckInRequest) -> Visit | None:
    """The visit this form already made (a double tap, a resubmission), if it made one.

    A key that made a visit for someone else is not a resubmission of this check-in: it is
    refused (FormAlreadyUsed) rather than answered "already checked in" with the wrong client.
    """
    visit = session.scalar(
        select(Visit).where(
            Visit.submission_key == request.submission_key, Visit.site_id == site.id
        )
    )
    if visit is None:
        return None
    made_for = visit.client.code_digest if visit.client is not None else None
    if made_for != request.code_digest:
        raise FormAlreadyUsed(visit)
    return visit


@dataclass
class _Arrival:
    client: Client | None
    is_new: bool = False
    overridden: bool = False
    #: Why the restriction was overridden: the manager's reason.
    override_reason: str | None = None
    #: The approval a manager gave from their own device, used by this check-in.
    approval: OverrideRequest | None = None


def _client_for(session: Session, actor: Staff, site: Site, request: CheckInRequest) -> _Arrival:
    if request.code_digest is None:
        return _Arrival(None)
    client = find_client(session, site, request.code_digest)
    if client is None and request.earlier_digest is not None:
        client = find_client(session, site, request.earlier_digest)
        if client is not None:
            read_code_anew(session, actor, client, request.code_digest)
    if client is None:
        client = register_client(
            session,
            actor,
            site,
            request.code_digest,
            age_band=request.age_band,
            gender=request.gender,
            code_key_id=request.code_key_id,
        )
        return _Arrival(client, is_new=True)
    open_visit = session.scalar(select(Visit).where(Visit.client_id == client.id, is_open_visit()))
    if open_visit is not None:
        raise ClientAlreadyIn(open_visit)
    restriction = next(
        (f for f in active_flags(client, site) if f.kind is FlagKind.SERVICE_RESTRICTION), None
    )
    if restriction is None:
        return _Arrival(client)
    if not role_can(actor.role, Capability.OVERRIDE_RESTRICTION):
        approval = usable_approval(session, site, client, request.override_request_id)
        if approval is None:
            raise ClientRestricted(restriction)
        return _Arrival(client, overridden=True, override_reason=approval.reason, approval=approval)
    if not request.override_reason:
        raise OverrideReasonNeeded(restriction)
    return _Arrival(client, overridden=True, override_reason=request.override_reason)


def check_in(
    session: Session,
    actor: Staff,
    site: Site,
    request: CheckInRequest,
    *,
    labels: Mapping[str, str] | None = None,
) -> CheckInResult:
    """Check a client (or an anonymous walk-in) in, into a free booth or onto the waiting list.

    Rules: one open visit per client; an active service restriction blocks unless a manager
    overrides it with a reason; only the site's free booths of a suitable kind; a booth holds one
    person (the database settles a race); a resubmitted form returns the visit it already made.
    `labels` is the site's active pick-list when the caller has just read it (the desk's form
    does); it is read here otherwise.

    A resubmission is not looked for up front: the submission key is unique, so a form already
    saved fails at its client (already in), its booth (taken) or its insert, and each of those
    paths looks for the visit that form made before saying anything else. A first submission,
    nearly every one, costs no lookup.
    """
    ensure(actor, Capability.CHECK_IN)
    services_only = request.kind is VisitKind.SERVICES_ONLY
    if services_only:
        # Nobody uses: no substances, no route, no booth (so no observation checks).
        request = replace(request, route=None, substances=[], booth_id=None)
    else:
        if labels is None:
            labels = active_substance_codes(session, site)
        unknown = [code for code in request.substances if code not in labels]
        if unknown or not request.substances or request.route is None:
            raise CheckInError(_("Choose what the client plans to use from the list."))
    try:
        arrival = _client_for(session, actor, site, request)
        booth = lock_free_booth(session, site, request.booth_id) if request.booth_id else None
    except CheckInError:
        # The twin of a double tap may have won the lock and committed while this one waited
        # (its client is then already in, its booth taken).
        replayed = _replay(session, site, request)
        if replayed is not None:
            return CheckInResult(replayed, replayed=True)
        raise
    client = arrival.client
    if booth is not None and request.route is not None:
        check_booth_suits(session, booth, request.route)
    now = utcnow()
    visit = Visit(
        id=uuid.uuid4(),
        site_id=site.id,
        client=client,
        status=VisitStatus.IN_BOOTH if booth else VisitStatus.WAITING,
        # The booth itself, not only its id: the desk's message names it after the commit.
        booth=booth,
        kind=request.kind,
        route=request.route,
        drug_checked=request.drug_checked,
        checked_in_at=now,
        booth_entered_at=now if booth else None,
        checked_in_by_id=actor.id,
        submission_key=request.submission_key,
        restriction_override_reason=arrival.override_reason if arrival.overridden else None,
        substances=[VisitSubstance(code=code) for code in dict.fromkeys(request.substances)],
        services=[
            VisitService(service=s, recorded_at=now, recorded_by_id=actor.id)
            for s in dict.fromkeys(request.services)
        ],
    )
    try:
        # The visit, the booth taken and its audit event go in one flush (record_event flushes),
        # undone together when the database refuses the visit.
        with session.begin_nested():
            session.add(visit)
            if booth is not None:
                booth.status = BoothStatus.OCCUPIED
            record_event(
                session,
                "visit.checked_in",
                actor=actor,
                record=visit,
                booth_id=booth.id if booth else None,
                walk_in=client is None,
                new_client=arrival.is_new,
                # Said only of a services-only visit (the common case stays as it was).
                **({"services_only": True} if services_only else {}),
            )
            if arrival.approval is not None:
                # A manager's approval from their own device: its use is the override's record.
                use_approval(session, actor, arrival.approval, visit.id)
            if arrival.overridden:
                record_event(session, "visit.restriction_overridden", actor=actor, record=visit)
    except IntegrityError:
        # Another desk won a race: the same form twice, the same booth, or the same client.
        return _explain_conflict(session, site, request, booth, client)
    return CheckInResult(visit, new_client=arrival.is_new)


def _explain_conflict(
    session: Session,
    site: Site,
    request: CheckInRequest,
    booth: Booth | None,
    client: Client | None,
) -> CheckInResult:
    replayed = _replay(session, site, request)
    if replayed is not None:
        return CheckInResult(replayed, replayed=True)
    if client is not None:
        open_visit = session.scalar(
            select(Visit).where(Visit.client_id == client.id, is_open_visit())
        )
        if open_visit is not None:
            raise ClientAlreadyIn(open_visit)
    if booth is not None:
        raise BoothTaken(booth)
    raise CheckInError(_("Someone else changed the floor at the same moment; please try again."))


def add_services(
    session: Session, actor: Staff, visit: Visit, services: list[ServiceGiven]
) -> list[ServiceGiven]:
    """Record services given during a visit, only while it is open; one already recorded is not
    recorded twice.
    """
    ensure(actor, Capability.WORK_FLOOR, _("record services given"))
    if not visit.status.is_open:
        raise VisitClosed(visit)
    have = {given.service for given in visit.services}
    added = [service for service in dict.fromkeys(services) if service not in have]
    now = utcnow()
    for service in added:
        visit.services.append(
            VisitService(service=service, recorded_at=now, recorded_by_id=actor.id)
        )
    if added:
        record_event(
            session,
            "visit.services_given",
            actor=actor,
            record=visit,
            services=[s.value for s in added],
        )
    session.flush()
    return added
