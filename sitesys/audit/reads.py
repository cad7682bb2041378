"""Audited reading: a page of a client's, a visit's or an incident's record opened, a record
printed, an export, a client's code looked up.

A view calls `audit_read` as soon as its loader has found the record (a page that answers 404
reads nothing) and before it draws anything, so the one thing a reading commits is its audit
event: whatever a page computes for display afterwards is never saved by it. On SQLite the
request's read transaction ends there and a short write transaction records the event (the
write lock is held for that alone).
"""

from __future__ import annotations

from typing import Any

from sitesys.audit.services import record_read
from sitesys.auth.guard import current_staff
from sitesys.db import Audited, begin_writing, committing, get_session


def audit_read(
    action: str, record: Audited | type[Audited], *, site_id: int | None = None, **detail: Any
) -> None:
    """Record and commit that the signed-in member of staff read `record` (ids and counts in
    `detail`, never a code or free text).
    """
    db = get_session()
    begin_writing(db)
    with committing(db):
        record_read(db, action, actor=current_staff(), record=record, site_id=site_id, **detail)
