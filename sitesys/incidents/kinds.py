"""The words of incidents: states, types, response actions, outcomes and harm levels.

Labels are the ones staff are trained on; values are stored, exported and never reworded.
Harm levels follow NHS England's Learn from Patient Safety Events (LFPSE) service.
"""

from __future__ import annotations

import enum


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "open": "Response running",
            "draft": "Draft",
            "submitted": "Submitted",
            "in_review": "In review",
            "closed": "Closed",
        }[self.value]

    @classmethod
    def after_submission(cls) -> tuple[IncidentStatus, ...]:
        return (cls.SUBMITTED, cls.IN_REVIEW, cls.CLOSED)


class IncidentType(enum.StrEnum):
    OPIOID_OVERDOSE = "opioid_overdose"
    STIMULANT_OVERAMPING = "stimulant_overamping"
    KETAMINE_CRISIS = "ketamine_dissociative_crisis"
    SEIZURE = "seizure"
    VOMITING = "vomiting_aspiration_risk"
    FALL_INJURY = "fall_or_injury"
    AGITATION = "agitation_or_aggression"
    ALLERGIC_REACTION = "allergic_reaction"
    MENTAL_HEALTH_CRISIS = "mental_health_crisis"
    OTHER_MEDICAL = "other_medical"
    SECURITY_POLICE = "security_police"
    STAFF_INJURY = "staff_injury_or_needlestick"

    @property
    def label(self) -> str:
        return {
            "opioid_overdose": "Opioid overdose",
            "stimulant_overamping": "Stimulant overamping",
            "ketamine_dissociative_crisis": "Ketamine dissociative crisis",
            "seizure": "Seizure",
            "vomiting_aspiration_risk": "Vomiting / aspiration risk",
            "fall_or_injury": "Fall or injury",
            "agitation_or_aggression": "Agitation or aggression",
            "allergic_reaction": "Allergic reaction",
            "mental_health_crisis": "Mental-health crisis",
            "other_medical": "Other medical",
            "security_police": "Security / police",
            "staff_injury_or_needlestick": "Staff injury or needlestick",
        }[self.value]


class Outcome(enum.StrEnum):
    RECOVERED_ON_SITE = "recovered_on_site"
    TRANSFERRED_TO_HOSPITAL = "transferred_to_hospital"
    LEFT_AGAINST_ADVICE = "left_against_advice"
    DIED = "died"

    @property
    def label(self) -> str:
        return {
            "recovered_on_site": "Recovered on site",
            "transferred_to_hospital": "Transferred to hospital",
            "left_against_advice": "Left against advice",
            "died": "Died",
        }[self.value]


class PhysicalHarm(enum.StrEnum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    SEVERE = "severe"
    FATAL = "fatal"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PsychologicalHarm(enum.StrEnum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def label(self) -> str:
        return self.value.capitalize()


#: What each physical harm level means (LFPSE), shown as a hint on the report.
PHYSICAL_HARM_HINT = (
    "Low: minimal harm, such as extra observation or first aid. Moderate: short-term harm needing "
    "further treatment. Severe: permanent or long-term harm, or a life-saving intervention. "
    "Fatal: the person died."
)


class NaloxoneRoute(enum.StrEnum):
    INTRAMUSCULAR = "intramuscular"
    INTRANASAL = "intranasal"
    INTRAVENOUS = "intravenous"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def short(self) -> str:
        return {"intramuscular": "IM", "intranasal": "IN", "intravenous": "IV"}[self.value]


class ActionKind(enum.StrEnum):
    """A button on the response screen, in the order of the overdose response."""

    STIMULATION = "stimulation"
    AIRWAY = "airway"
    OXYGEN = "oxygen"
    RESCUE_BREATHS = "rescue_breaths"
    NALOXONE = "naloxone"
    CPR_STARTED = "cpr_started"
    CPR_STOPPED = "cpr_stopped"
    DEFIBRILLATOR = "defibrillator"
    EMS_CALLED = "ems_called"
    EMS_ARRIVED = "ems_arrived"
    EMS_LEFT = "ems_left"
    TRANSFERRED_TO_HOSPITAL = "transferred_to_hospital"
    CLIENT_RESPONSIVE = "client_responsive"
    CLIENT_REFUSED_TRANSFER = "client_refused_transfer"
    NOTE = "note"

    @property
    def label(self) -> str:
        return {
            "stimulation": "Stimulation",
            "airway": "Airway / recovery position",
            "oxygen": "Oxygen",
            "rescue_breaths": "Rescue breaths / bag-valve-mask",
            "naloxone": "Naloxone",
            "cpr_started": "CPR started",
            "cpr_stopped": "CPR stopped",
            "defibrillator": "Defibrillator",
            "ems_called": "EMS called",
            "ems_arrived": "EMS arrived",
            "ems_left": "EMS left",
            "transferred_to_hospital": "Transferred to hospital",
            "client_responsive": "Client responsive",
            "client_refused_transfer": "Client refused transfer",
            "note": "Note",
        }[self.value]

    @property
    def needs_value(self) -> bool:
        """Buttons that carry a value (flow, dose and route, text) have their own small form."""
        return self in (ActionKind.OXYGEN, ActionKind.NALOXONE, ActionKind.NOTE)

    @classmethod
    def one_tap(cls) -> list[ActionKind]:
        return [kind for kind in cls if not kind.needs_value]

    @classmethod
    def urgent(cls) -> tuple[ActionKind, ...]:
        """Actions that make an incident urgent for managers at once."""
        return (cls.EMS_CALLED, cls.TRANSFERRED_TO_HOSPITAL)
