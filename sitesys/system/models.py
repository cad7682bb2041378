"""Records the system keeps about itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from sitesys.db import Base


class SchedulerHeartbeat(Base):
    """Last beat of the scheduler process, read by /healthz/scheduler and the status page."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime]
    host: Mapped[str] = mapped_column(String(255))
