"""Writing the audit trail: every service that changes a record calls record_event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from sitesys.audit import chain
from sitesys.audit.models import AuditEvent
from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import Audited

# Whatever session writes an event (a request's, a job's, a command's, a test's) seals it into
# its site's chain when it commits.
chain.install()

# Detail values are ids, states, counts and short codes. A long string is most likely free text
# (a note, a narrative) and has no place in the audit row, so it is refused loudly in development.
MAX_DETAIL_TEXT = 80
_SCALARS = (str, int, float, bool, type(None))


#: Where an event comes from: (source address, device), or (None, None) outside a request. Set
#: by audit/origin.py for the web app, so that this module stays free of Flask.
Origin = Callable[[], tuple[str | None, str | None]]
_origin: dict[str, Origin] = {"source": lambda: (None, None)}


def set_origin_source(source: Origin) -> None:
    """Say how record_event learns the address and device of the request it is part of."""
    _origin["source"] = source


class AuditDetailError(ValueError):
    """An audit detail value that could carry free text or nested data."""


def _check_detail(detail: dict[str, Any]) -> dict[str, Any]:
    for key, value in detail.items():
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if not isinstance(item, _SCALARS):
                raise AuditDetailError(f"audit detail {key!r} must hold plain values")
            if isinstance(item, str) and len(item) > MAX_DETAIL_TEXT:
                raise AuditDetailError(f"audit detail {key!r} looks like free text")
        if isinstance(value, tuple):
            detail[key] = list(value)
    return detail


def record_event(
    session: Session,
    action: str,
    *,
    actor: Staff | None,
    record: Audited | type[Audited] | None = None,
    site_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one audit event about `record` (its type, id and site come from it); flushed with
    the change it describes, never committed here.

    A model class in place of a record names a kind of record and no one of them (an export of
    the incident list). `site_id` names the site an event happened at when the record has none
    (a sign-in, a staff account changed at a site).

    The event carries the request's source address and device, and is sealed into its site's
    tamper-evident chain when the transaction commits (audit/chain.py), when `occurred_at` is
    stamped again so that the log's order is the commits' order.
    """
    return _append(session, action, actor, record, site_id, False, detail)


def _append(
    session: Session,
    action: str,
    actor: Staff | None,
    record: Audited | type[Audited] | None,
    site_id: int | None,
    is_read: bool,
    detail: dict[str, Any],
) -> AuditEvent:
    record_type = record_id = None
    if isinstance(record, type):
        record_type = record.audit_type
    elif record is not None:
        if getattr(record, "id", None) is None:
            session.flush()  # a record added in this change gets its id
        record_type = record.audit_type
        record_id = str(record.id)  # type: ignore[attr-defined]
        if site_id is None:
            site_id = record.audit_site_id
    source_address, device = _origin["source"]()
    event = AuditEvent(
        occurred_at=utcnow(),
        source_address=source_address,
        device=device,
        is_read=is_read,
        actor_id=actor.id if actor is not None else None,
        action=action,
        record_type=record_type,
        record_id=record_id,
        site_id=site_id,
        detail=_check_detail(dict(detail)),
    )
    session.add(event)
    session.flush()
    return event


def record_read(
    session: Session,
    action: str,
    *,
    actor: Staff,
    record: Audited | type[Audited],
    site_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Record that `actor` read a record (opened its page, printed it, exported a list, looked a
    client's code up): the view commits it. Readings are marked so that the board, which
    watches the trail for changes, passes over them.
    """
    return _append(session, action, actor, record, site_id, True, detail)
