"""Is a tablet's board still current? Answered cheaply, so that polling stays light.

Twenty tablets poll the board every few seconds, and most of the time nothing has changed. A
tablet sends back the stamp of the board it shows; when no change has been recorded at the site
since, and the clock has not reached the moment the board would look different (a minute counter
ticking over, a check falling due, midnight ending a restriction), the answer is "no change"
(204) without reading or drawing the board.

Every change to the floor goes through a service that writes an audit event for its site, so the
site's latest audit events are the change signal. Their ids are hashed rather than only the
newest one taken: on PostgreSQL a slower transaction can commit an event with a lower id after a
faster one, and it would still change the set of the latest events.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sitesys.audit.models import AuditEvent
from sitesys.record_ids import record_id, whole_number

#: How many of the site's latest events the fingerprint covers.
RECENT_EVENTS = 20


#: Built once: this query runs on every poll of every tablet.
_LATEST_EVENTS = (
    select(AuditEvent.id)
    .where(AuditEvent.site_id == bindparam("site_id"), AuditEvent.is_read.is_(False))
    .order_by(AuditEvent.occurred_at.desc())
    .limit(RECENT_EVENTS)
)


def fingerprint(session: Session, site_id: int) -> str:
    """A short digest of the site's latest audit events (one indexed query)."""
    ids = session.scalars(_LATEST_EVENTS, {"site_id": site_id})
    text = ",".join(str(event_id) for event_id in sorted(ids))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_stamp(site_id: int, digest: str, stable_until: datetime) -> str:
    return f"{site_id}.{digest}.{int(stable_until.timestamp())}"


def still_current(stamp: str | None, site_id: int, digest: str, now: datetime) -> bool:
    """True when a tablet's board needs no redrawing: same site, no change, not yet stale."""
    if not stamp:
        return False
    parts = stamp.split(".")
    # A stamp comes back from the tablet: anything not made by make_stamp is simply not current.
    if len(parts) != 3 or record_id(parts[0]) != site_id or parts[1] != digest:
        return False
    seconds = whole_number(parts[2], 10**11 - 1)  # up to the year 5138
    return seconds is not None and now < datetime.fromtimestamp(seconds, UTC)
