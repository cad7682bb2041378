"""Imports every model, so metadata is complete for Alembic and for mapper configuration."""

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import LoginFailure, Staff, StaffSession
from sitesys.sites.models import Booth, Site, staff_sites
from sitesys.system.models import SchedulerHeartbeat

__all__ = [
    "AuditEvent",
    "Booth",
    "LoginFailure",
    "SchedulerHeartbeat",
    "Site",
    "Staff",
    "StaffSession",
    "staff_sites",
]
