"""A checked rule: a change to the floor is committed only with an audit event beside it.

The board tells a tablet "no change" by fingerprinting the site's latest audit events
(board/freshness.py). A service that changed a visit, a booth, an observation or a response
without writing an event would leave every board showing the floor as it was, so this is not a
convention to remember: each session notes what its flushes touched, and a commit that changed
a record whose class sets `changes_floor` but added no audit event is refused in development and
tests (every test that commits a floor change checks it) and logged as an error in production,
where refusing a clinical record would do more harm than the stale board it prevents.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from sitesys.audit.models import AuditEvent
from sitesys.db import Audited

log = logging.getLogger(__name__)

_TOUCHED = "sitesys.floor_touched"
_AUDITED = "sitesys.audited"
#: "raise" (development, tests) or "log" (production); set by init_app.
_mode = {"value": "raise"}


class UnauditedFloorChange(RuntimeError):
    """A commit changed the floor without an audit event: every board would miss it."""


def _note_flush(session: Session, _context: Any) -> None:
    # After the flush has run (a flush that failed, such as a double tap's insert refused in a
    # savepoint, changed nothing), while new, dirty and deleted still list what it wrote.
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, AuditEvent):
            session.info[_AUDITED] = True
        elif isinstance(instance, Audited) and instance.changes_floor:
            if instance in session.dirty and not session.is_modified(instance):
                continue
            session.info.setdefault(_TOUCHED, set()).add(instance.audit_type)


def _check_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction around it is what is committed
    # The commit's own last flush comes after this hook: flush now so that it is counted.
    session.flush()
    touched = session.info.pop(_TOUCHED, None)
    audited = session.info.pop(_AUDITED, False)
    if not touched or audited:
        return
    message = f"floor change committed without an audit event: {sorted(touched)}"
    if _mode["value"] == "raise":
        raise UnauditedFloorChange(message)
    log.error(message)


def forget(session: Session, *_args: Any) -> None:
    """Forget what the session's flushes touched: after a rollback, and for a test's scene,
    which builds the floor directly rather than through the services.
    """
    session.info.pop(_TOUCHED, None)
    session.info.pop(_AUDITED, None)


def install(mode: str) -> None:
    """Watch every session (once per process); `mode` is "raise" or "log"."""
    _mode["value"] = mode
    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_flush", _note_flush)
        event.listen(Session, "before_commit", _check_commit)
        # A rollback (of a savepoint too) forgets what was noted: at worst a change is missed,
        # never one refused that was audited.
        event.listen(Session, "after_soft_rollback", forget)
