"""Sign-in's scheduled work: failure records are kept 90 days, then removed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import LoginFailure
from sitesys.clock import utcnow

#: Long enough to look into a campaign of guessing afterwards; the lockout itself reads ten
#: minutes. Without it, every unknown username tried would add a row for ever (finding 4).
KEEP_SIGN_IN_FAILURES = timedelta(days=90)


def remove_old_sign_in_failures(session: Session) -> int:
    """Remove failure records older than 90 days; the run is audited with its count."""
    result = session.execute(
        delete(LoginFailure)
        .where(LoginFailure.failed_at < utcnow() - KEEP_SIGN_IN_FAILURES)
        .execution_options(synchronize_session=False)
    )
    removed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if removed:
        record_event(
            session, "auth.sign_in_failures_removed", actor=None, removed=removed, kept_days=90
        )
    session.flush()
    return removed
