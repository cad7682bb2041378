"""Finding and registering clients, display tags, and safety flags."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.checkin.models import Visit, is_open_visit
from sitesys.clients.models import AgeBand, Client, ClientFlag, FlagKind, Gender
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.refusals import Refused
from sitesys.sites.models import Site
from sitesys.words import ANIMALS, COLOURS


class ClientError(Refused):
    """A client change that breaks a rule; the message is shown as it is."""


def site_today(site: Site) -> date:
    return utcnow().astimezone(site.zone).date()


@dataclass
class ClientSummary:
    """What the desk sees before confirming a check-in."""

    client: Client | None
    visit_count: int = 0
    last_visit_at: datetime | None = None
    active_flags: list[ClientFlag] = field(default_factory=list)
    open_visit: Visit | None = None

    @property
    def is_new(self) -> bool:
        return self.client is None

    @property
    def restriction(self) -> ClientFlag | None:
        return next((f for f in self.active_flags if f.kind is FlagKind.SERVICE_RESTRICTION), None)


def find_client(
    session: Session, site: Site, digest: str, earlier: tuple[str, ...] = ()
) -> Client | None:
    """The client under a code's digest; or, after a key rotation, under one of its `earlier`
    digests (the same code under the old keys kept for look-up), until they are re-digested
    under the current key at the desk (clients/keys.py: rekey_client).
    """
    if not earlier:
        return session.scalar(
            select(Client).where(Client.site_id == site.id, Client.code_digest == digest)
        )
    found = session.scalars(
        select(Client).where(Client.site_id == site.id, Client.code_digest.in_((digest, *earlier)))
    ).all()
    return next((c for c in found if c.code_digest == digest), found[0] if found else None)


def active_flags(client: Client, site: Site) -> list[ClientFlag]:
    today = site_today(site)
    return [flag for flag in client.flags if flag.is_active_on(today)]


def summarise(
    session: Session, site: Site, digest: str, earlier: tuple[str, ...] = ()
) -> ClientSummary:
    """Tag, number of visits, last visit, active flags and any open visit of a code's client
    (found under the current key's digest or, after a rotation, an `earlier` one).
    """
    client = find_client(session, site, digest, earlier)
    if client is None:
        return ClientSummary(None)
    # count(*), not count of an id: both are answered from the index on (client, check-in
    # time) alone, where counting ids read every one of a regular's visits from the table.
    count, last = session.execute(
        select(func.count(), func.max(Visit.checked_in_at)).where(Visit.client_id == client.id)
    ).one()
    open_visit = session.scalar(select(Visit).where(Visit.client_id == client.id, is_open_visit()))
    return ClientSummary(client, int(count), last, active_flags(client, site), open_visit)


def _candidate_tag() -> str:
    return f"{secrets.choice(COLOURS)} {secrets.choice(ANIMALS)} {secrets.randbelow(99) + 1}"


def new_display_tag(session: Session, site: Site) -> str:
    """A two-words-and-a-number tag not yet used at this site."""
    for attempt in range(50):
        tag = _candidate_tag()
        if attempt >= 25:  # a crowded site: widen the number range
            tag = f"{tag.rsplit(' ', 1)[0]} {secrets.randbelow(900) + 100}"
        taken = session.scalar(
            select(Client.id).where(Client.site_id == site.id, Client.display_tag == tag)
        )
        if taken is None:
            return tag
    raise ClientError(_("Could not find a free display tag; try again."))


def register_client(
    session: Session,
    actor: Staff,
    site: Site,
    digest: str,
    *,
    age_band: AgeBand | None = None,
    gender: Gender | None = None,
    code_key_id: str | None = None,
) -> Client:
    """Register a new client under a code digest; a simultaneous registration of the same code
    by another desk yields that desk's client rather than a duplicate.
    """
    client = Client(
        id=uuid.uuid4(),
        site_id=site.id,
        code_digest=digest,
        code_key_id=code_key_id,
        display_tag=new_display_tag(session, site),
        age_band=age_band,
        gender=gender,
    )
    stored = add_once(session, client, lambda: find_client(session, site, digest))
    if stored is not client:
        return stored
    record_event(
        session,
        "client.registered",
        actor=actor,
        record=client,
        age_band_given=age_band is not None,
        gender_given=gender is not None,
    )
    return client


def read_code_anew(session: Session, actor: Staff, client: Client, digest: str) -> None:
    """Save a client registered before codes were made plain (clients/letters.py) under the
    digest of their code's plain reading, so that it is found however the code is typed. The
    audit says that it happened, never the code.
    """
    ensure(actor, Capability.CHECK_IN)
    if client.code_digest == digest:
        return
    client.code_digest = digest
    record_event(session, "client.code_read_anew", actor=actor, record=client)
    session.flush()


def add_flag(
    session: Session,
    actor: Staff,
    client: Client,
    *,
    kind: FlagKind,
    note: str,
    ends_on: date | None,
) -> ClientFlag:
    """Add a safety flag; a service restriction needs a reason and an end date that is today or
    later in the site's calendar (one already over would block nobody and mislead the record).
    """
    ensure(actor, Capability.FLAG_CLIENTS)
    note = note.strip()
    if not note:
        raise ClientError(_("Write a short note: what staff need to know."))
    if kind is not FlagKind.SERVICE_RESTRICTION:
        ends_on = None
    elif ends_on is None:
        raise ClientError(_("A service restriction needs an end date."))
    elif ends_on < site_today(session.get_one(Site, client.site_id)):
        raise ClientError(
            _("A service restriction cannot end in the past: choose today or a later date.")
        )
    flag = ClientFlag(
        client_id=client.id,
        kind=kind,
        note=note[:200],
        ends_on=ends_on,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    session.add(flag)
    session.flush()
    record_event(
        session,
        "client.flag_added",
        actor=actor,
        record=flag,
        kind=kind.value,
    )
    return flag


def remove_flag(session: Session, actor: Staff, flag: ClientFlag, reason: str) -> None:
    """Remove a flag with a reason; it stays visible in the client's history."""
    ensure(actor, Capability.FLAG_CLIENTS)
    reason = reason.strip()
    if not reason:
        raise ClientError(_("Give a reason for removing the flag."))
    if flag.removed_at is not None:
        raise ClientError(_("That flag was already removed."))
    flag.removed_at = utcnow()
    flag.removed_by_id = actor.id
    flag.removal_reason = reason[:200]
    record_event(
        session,
        "client.flag_removed",
        actor=actor,
        record=flag,
        kind=flag.kind.value,
    )
    session.flush()
