"""The scheduler's own heartbeat."""

from __future__ import annotations

import socket

from sqlalchemy.orm import Session

from sitesys.clock import utcnow
from sitesys.system.models import SchedulerHeartbeat


def beat(session: Session) -> None:
    """Record that the scheduler is alive (read by system/heartbeat.py)."""
    heartbeat = session.get(SchedulerHeartbeat, "scheduler")
    if heartbeat is None:
        heartbeat = SchedulerHeartbeat(name="scheduler", beat_at=utcnow(), host="")
        session.add(heartbeat)
    heartbeat.beat_at = utcnow()
    heartbeat.host = socket.gethostname()[:255]
    session.flush()
