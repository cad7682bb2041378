"""Imports every model, so metadata is complete for Alembic and for mapper configuration."""

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import LoginFailure, Staff, StaffSession
from sitesys.checkin.models import Visit, VisitService, VisitSubstance
from sitesys.clients.models import Client, ClientFlag
from sitesys.incidents.models import (
    Incident,
    IncidentAction,
    IncidentAmendment,
    IncidentReminder,
    IncidentStatusChange,
    IncidentSubstance,
    IncidentTypeEntry,
    ReviewAction,
    incident_staff,
)
from sitesys.sites.models import Booth, Site, SubstanceOption, staff_sites
from sitesys.system.models import SchedulerHeartbeat

__all__ = [
    "AuditEvent",
    "Booth",
    "Client",
    "ClientFlag",
    "Incident",
    "IncidentAction",
    "IncidentAmendment",
    "IncidentReminder",
    "IncidentStatusChange",
    "IncidentSubstance",
    "IncidentTypeEntry",
    "LoginFailure",
    "ReviewAction",
    "SchedulerHeartbeat",
    "Site",
    "Staff",
    "StaffSession",
    "SubstanceOption",
    "Visit",
    "VisitService",
    "VisitSubstance",
    "incident_staff",
    "staff_sites",
]
