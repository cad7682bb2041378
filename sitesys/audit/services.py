"""Writing the audit trail: every service that changes a record calls record_event."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import Audited

# Detail values are ids, states, counts and short codes. A long string is most likely free text
# (a note, a narrative) and has no place in the audit row, so it is refused loudly in development.
MAX_DETAIL_TEXT = 80
_SCALARS = (str, int, float, bool, type(None))


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
    """
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
    event = AuditEvent(
        occurred_at=utcnow(),
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
