"""Imports every model, so metadata is complete for Alembic and for mapper configuration."""

from sitesys.alerts.models import (
    Acknowledgement,
    AlertShown,
    AlertSubstance,
    DrugAlert,
    alert_sites,
)
from sitesys.audit.models import AuditEvent
from sitesys.auth.models import LoginFailure, Staff, StaffSession
from sitesys.board.models import Display
from sitesys.care.models import (
    BladderScreen,
    EducationGiven,
    EducationTopic,
    Referral,
    ReferralService,
    ReferralStep,
)
from sitesys.checkin.models import Visit, VisitService, VisitSubstance
from sitesys.clients.models import Client, ClientFlag
from sitesys.drugchecks.models import (
    ComponentOption,
    CustodyAlert,
    ResultAmendment,
    Sample,
    SampleFinding,
    SampleTest,
    SampleVisit,
    SpectrumComponent,
)
from sitesys.handovers.models import (
    Handover,
    HandoverAction,
    HandoverAddendum,
    HandoverAlert,
    HandoverPerson,
    HandoverStock,
    Shift,
    StockItem,
)
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
from sitesys.observations.models import Observation, OverdueAlert
from sitesys.sites.models import Booth, Site, SubstanceOption, staff_sites
from sitesys.supplies.models import SupplyItem, VisitSupply
from sitesys.system.models import SchedulerHeartbeat
from sitesys.versions.models import RecordVersion

__all__ = [
    "Acknowledgement",
    "AlertShown",
    "AlertSubstance",
    "AuditEvent",
    "BladderScreen",
    "Booth",
    "Client",
    "ClientFlag",
    "ComponentOption",
    "CustodyAlert",
    "Display",
    "DrugAlert",
    "EducationGiven",
    "EducationTopic",
    "Handover",
    "HandoverAction",
    "HandoverAddendum",
    "HandoverAlert",
    "HandoverPerson",
    "HandoverStock",
    "Incident",
    "IncidentAction",
    "IncidentAmendment",
    "IncidentReminder",
    "IncidentStatusChange",
    "IncidentSubstance",
    "IncidentTypeEntry",
    "LoginFailure",
    "Observation",
    "OverdueAlert",
    "RecordVersion",
    "Referral",
    "ReferralService",
    "ReferralStep",
    "ResultAmendment",
    "ReviewAction",
    "Sample",
    "SampleFinding",
    "SampleTest",
    "SampleVisit",
    "SchedulerHeartbeat",
    "Shift",
    "Site",
    "SpectrumComponent",
    "Staff",
    "StaffSession",
    "StockItem",
    "SubstanceOption",
    "SupplyItem",
    "Visit",
    "VisitService",
    "VisitSubstance",
    "VisitSupply",
    "alert_sites",
    "incident_staff",
    "staff_sites",
]
