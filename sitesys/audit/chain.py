"""The tamper-evident audit trail: each site's events form a chain of hashes.

Every event carries its place in its site's chain (`chain_position`; the events that belong to
no site, such as a sign-in by an unknown username, make a chain of their own), the hash of the
event before it (`previous_hash`) and its own `hash`, taken over its content and that previous
hash. Editing an event's content, deleting one or inserting one out of place breaks the chain at
that event, and `flask --app wsgi audit verify` names the first break.

An event is written (and flushed) when the service records it, but it is sealed into the chain
only when its transaction commits: the hook below takes the chain's lock for each site the
transaction wrote events for (in site order, so two transactions never wait on each other),
stamps `occurred_at` afresh, reads the chain's last sealed event and seals the new ones after
it. Every other lock the transaction needs is already held by then, so the chain lock is held
for the commit alone, and the order of the log is the order of the commits. On PostgreSQL the
lock is a transaction-level advisory lock per site; on SQLite a write transaction already holds
the only write lock there is. A unique index on (site, position) refuses a fork whatever
happens. The database's trigger lets an event be sealed once and never changed afterwards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from sitesys.audit.models import AuditEvent
from sitesys.clock import utcnow

#: The previous hash of a chain's first event.
GENESIS = "0" * 64
#: The first number of the two-number advisory lock of a site's chain ("audit" in letters).
_LOCK_CLASS = 0x0A0D17
_PENDING = "sitesys.audit_pending"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    event_id: int,
    site_id: int | None,
    chain_position: int,
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    record_type: str | None,
    record_id: str | None,
    detail: dict[str, Any],
    source_address: str | None,
    device: str | None,
    is_read: bool,
    previous_hash: str,
) -> str:
    """SHA-256 over an event's content and the hash before it, in one canonical JSON text.

    The migration that began the chain seals the events written before it with this same
    function, so a change here needs a migration that seals the whole trail again.
    """
    content = {
        "id": event_id,
        "site": site_id,
        "position": chain_position,
        "at": _stamp(occurred_at),
        "actor": actor_id,
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "detail": detail,
        "address": source_address,
        "device": device,
        "read": bool(is_read),
        "previous": previous_hash,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def hash_of(audit_event: AuditEvent) -> str:
    """The hash an event sealed at its place should carry."""
    if audit_event.chain_position is None or audit_event.previous_hash is None:
        raise ValueError("an event not yet sealed into its chain has no hash to carry")
    return event_hash(
        event_id=audit_event.id,
        site_id=audit_event.site_id,
        chain_position=audit_event.chain_position,
        occurred_at=audit_event.occurred_at,
        actor_id=audit_event.actor_id,
        action=audit_event.action,
        record_type=audit_event.record_type,
        record_id=audit_event.record_id,
        detail=audit_event.detail or {},
        source_address=audit_event.source_address,
        device=audit_event.device,
        is_read=audit_event.is_read,
        previous_hash=audit_event.previous_hash,
    )


def _lock_chain(session: Session, site_id: int | None) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_LOCK_CLASS, site_id or 0)))


def chain_head(session: Session, site_id: int | None) -> tuple[int, str]:
    """The position and hash of the chain's last sealed event; (0, GENESIS) for an empty chain."""
    where_site = AuditEvent.site_id.is_(None) if site_id is None else AuditEvent.site_id == site_id
    row = session.execute(
        select(AuditEvent.chain_position, AuditEvent.hash)
        .where(where_site, AuditEvent.chain_position.is_not(None))
        .order_by(AuditEvent.chain_position.desc())
        .limit(1)
    ).first()
    if row is None or row.hash is None:
        return 0, GENESIS
    return int(row.chain_position), str(row.hash)


def chain_heads(session: Session) -> list[tuple[int | None, int, str]]:
    """(site id, last position, last hash) of every chain, the events without a site last."""
    found = set(session.scalars(select(AuditEvent.site_id).distinct()))
    site_ids = sorted(found, key=lambda site_id: (site_id is None, site_id or 0))
    return [(site_id, *chain_head(session, site_id)) for site_id in site_ids]


def seal(session: Session) -> int:
    """Seal the session's unsealed events into their sites' chains; returns how many.

    Called when a transaction commits (the hook below); a caller that writes events outside a
    session commit (none should) may call it before committing.
    """
    session.flush()
    pending: list[AuditEvent] = [
        audit_event
        for audit_event in session.info.pop(_PENDING, [])
        if inspect(audit_event).persistent and audit_event.hash is None
    ]
    if not pending:
        return 0
    by_site: dict[int | None, list[AuditEvent]] = {}
    for audit_event in sorted(pending, key=lambda item: item.id):
        by_site.setdefault(audit_event.site_id, []).append(audit_event)
    for site_id in sorted(by_site, key=lambda key: -1 if key is None else key):
        _lock_chain(session, site_id)
        position, previous = chain_head(session, site_id)
        now = utcnow()  # after the lock: the log's order is the commits' order
        for audit_event in by_site[site_id]:
            position += 1
            audit_event.occurred_at = now
            audit_event.chain_position = position
            audit_event.previous_hash = previous
            audit_event.hash = previous = hash_of(audit_event)
    session.flush()
    return len(pending)


def _note_events(session: Session, _context: Any) -> None:
    new_events = [item for item in session.new if isinstance(item, AuditEvent)]
    if new_events:
        session.info.setdefault(_PENDING, []).extend(new_events)


def _seal_at_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction around it is what is committed
    seal(session)


def install() -> None:
    """Seal every session's events when it commits (once per process). Installed after the
    floor rule, whose own flush at commit then comes before the chain's lock is taken.
    """
    if not event.contains(Session, "after_flush", _note_events):
        event.listen(Session, "after_flush", _note_events)
        event.listen(Session, "before_commit", _seal_at_commit)


@dataclass(frozen=True)
class ChainBreak:
    """The first place where a chain does not hold, in words for the person checking."""

    site_id: int | None
    event_id: int | None
    chain_position: int | None
    problem: str

    def __str__(self) -> str:
        chain = "events without a site" if self.site_id is None else f"site {self.site_id}"
        where = f"event {self.event_id}" if self.event_id is not None else "the chain"
        at = f" (position {self.chain_position})" if self.chain_position is not None else ""
        return f"Chain of {chain}: {where}{at} {self.problem}."


@dataclass
class ChainReport:
    chains: int = 0
    events: int = 0
    first_break: ChainBreak | None = None


def _events_in_chain_order(session: Session) -> Generator[AuditEvent, None, None]:
    statement = (
        select(AuditEvent)
        .order_by(AuditEvent.site_id.is_(None), AuditEvent.site_id, AuditEvent.chain_position)
        .execution_options(yield_per=2000)
    )
    result = session.scalars(statement)
    try:
        for audit_event in result:
            yield audit_event
            session.expunge(audit_event)
    finally:
        result.close()  # a break found early leaves the rest unread


def verify(session: Session) -> ChainReport:
    """Walk every chain from its first event and stop at the first break."""
    report = ChainReport()
    events = _events_in_chain_order(session)
    try:
        return _walk(events, report)
    finally:
        events.close()


def _walk(events: Iterator[AuditEvent], report: ChainReport) -> ChainReport:
    current: object = object()
    expected_position, previous = 0, GENESIS
    for audit_event in events:
        if audit_event.site_id != current:
            current = audit_event.site_id
            report.chains += 1
            expected_position, previous = 0, GENESIS
        report.events += 1
        problem = None
        if audit_event.hash is None or audit_event.chain_position is None:
            problem = "was never sealed into the chain (written around SiteSys)"
        elif audit_event.chain_position != expected_position + 1:
            problem = (
                f"follows position {expected_position}: "
                f"{audit_event.chain_position - expected_position - 1} event(s) missing before it"
            )
        elif audit_event.previous_hash != previous:
            problem = "does not carry the hash of the event before it"
        elif hash_of(audit_event) != audit_event.hash:
            problem = "was changed after it was written (its content no longer matches its hash)"
        if problem is not None:
            report.first_break = ChainBreak(
                audit_event.site_id, audit_event.id, audit_event.chain_position, problem
            )
            return report
        expected_position, previous = audit_event.chain_position or 0, audit_event.hash or ""
    return report
