"""How the scheduler is: read from its heartbeat (system/tasks.py: beat)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from sitesys.system.models import SchedulerHeartbeat

#: The scheduler beats every 30 seconds; two missed beats and a margin mean it is down.
HEARTBEAT_STALE_AFTER = timedelta(seconds=120)
OK, STALE, NEVER_SEEN = "ok", "stale", "never seen"


@dataclass(frozen=True)
class SchedulerState:
    status: str
    beat_at: datetime | None = None
    host: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == OK


def scheduler_state(session: Session, now: datetime) -> SchedulerState:
    heartbeat = session.get(SchedulerHeartbeat, "scheduler")
    if heartbeat is None:
        return SchedulerState(NEVER_SEEN)
    status = STALE if now - heartbeat.beat_at > HEARTBEAT_STALE_AFTER else OK
    return SchedulerState(status, heartbeat.beat_at, heartbeat.host)
