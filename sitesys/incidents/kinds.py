"""The words of incidents: states, types, response actions, outcomes and harm levels.

Labels are the ones staff are trained on; values are stored, exported and never reworded.
Harm levels follow NHS England's Learn from Patient Safety Events (LFPSE) service.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.value])

    @classmethod
    def after_submission(cls) -> tuple[IncidentStatus, ...]:
        return (cls.SUBMITTED, cls.IN_REVIEW, cls.CLOSED)


STATUS_LABELS = {
    "open": _l("Response running"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "in_review": _l("In review"),
    "closed": _l("Closed"),
}


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
        return str(TYPE_LABELS[self.value])


#: Incident types in words (a dict of lazy strings: the form's choices are made at import time).
TYPE_LABELS = {
    # TRANSLATORS: clinical
    "opioid_overdose": _l("Opioid overdose"),
    # TRANSLATORS: clinical
    "stimulant_overamping": _l("Stimulant overamping"),
    # TRANSLATORS: clinical
    "ketamine_dissociative_crisis": _l("Ketamine dissociative crisis"),
    # TRANSLATORS: clinical
    "seizure": _l("Seizure"),
    # TRANSLATORS: clinical
    "vomiting_aspiration_risk": _l("Vomiting / aspiration risk"),
    # TRANSLATORS: clinical
    "fall_or_injury": _l("Fall or injury"),
    # TRANSLATORS: clinical
    "agitation_or_aggression": _l("Agitation or aggression"),
    # TRANSLATORS: clinical
    "allergic_reaction": _l("Allergic reaction"),
    # TRANSLATORS: clinical
    "mental_health_crisis": _l("Mental-health crisis"),
    # TRANSLATORS: clinical
    "other_medical": _l("Other medical"),
    # TRANSLATORS: clinical
    "security_police": _l("Security / police"),
    # TRANSLATORS: clinical
    "staff_injury_or_needlestick": _l("Staff injury or needlestick"),
}


class Outcome(enum.StrEnum):
    RECOVERED_ON_SITE = "recovered_on_site"
    TRANSFERRED_TO_HOSPITAL = "transferred_to_hospital"
    LEFT_AGAINST_ADVICE = "left_against_advice"
    DIED = "died"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self.value])


OUTCOME_LABELS = {
    # TRANSLATORS: clinical
    "recovered_on_site": _l("Recovered on site"),
    # TRANSLATORS: clinical
    "transferred_to_hospital": _l("Transferred to hospital"),
    # TRANSLATORS: clinical
    "left_against_advice": _l("Left against advice"),
    # TRANSLATORS: clinical
    "died": _l("Died"),
}


#: Harm levels in words (LFPSE's grades).
HARM_LABELS = {
    # TRANSLATORS: clinical (harm grade, NHS England LFPSE)
    "none": _l("None"),
    # TRANSLATORS: clinical (harm grade, NHS England LFPSE)
    "low": _l("Low"),
    # TRANSLATORS: clinical (harm grade, NHS England LFPSE)
    "moderate": _l("Moderate"),
    # TRANSLATORS: clinical (harm grade, NHS England LFPSE)
    "severe": _l("Severe"),
    # TRANSLATORS: clinical (harm grade, NHS England LFPSE)
    "fatal": _l("Fatal"),
}


class PhysicalHarm(enum.StrEnum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    SEVERE = "severe"
    FATAL = "fatal"

    @property
    def label(self) -> str:
        return str(HARM_LABELS[self.value])


class PsychologicalHarm(enum.StrEnum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def label(self) -> str:
        return str(HARM_LABELS[self.value])


#: What each physical harm level means (LFPSE), shown as a hint on the report.
# TRANSLATORS: clinical (harm grades, NHS England LFPSE)
PHYSICAL_HARM_HINT = _l(
    "Low: minimal harm, such as extra observation or first aid. Moderate: short-term harm needing "
    "further treatment. Severe: permanent or long-term harm, or a life-saving intervention. "
    "Fatal: the person died."
)


ROUTE_LABELS = {
    # TRANSLATORS: clinical (naloxone route)
    "intramuscular": _l("Intramuscular"),
    # TRANSLATORS: clinical (naloxone route)
    "intranasal": _l("Intranasal"),
    # TRANSLATORS: clinical (naloxone route)
    "intravenous": _l("Intravenous"),
}


class NaloxoneRoute(enum.StrEnum):
    INTRAMUSCULAR = "intramuscular"
    INTRANASAL = "intranasal"
    INTRAVENOUS = "intravenous"

    @property
    def label(self) -> str:
        return str(ROUTE_LABELS[self.value])

    @property
    def short(self) -> str:
        return str(ROUTE_SHORT[self.value])


ROUTE_SHORT = {
    # TRANSLATORS: clinical (intramuscular, short)
    "intramuscular": _l("IM"),
    # TRANSLATORS: clinical (intranasal, short)
    "intranasal": _l("IN"),
    # TRANSLATORS: clinical (intravenous, short)
    "intravenous": _l("IV"),
}


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
        return str(ACTION_LABELS[self.value])

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


#: The response screen's buttons (first-aid steps) in words.
ACTION_LABELS = {
    # TRANSLATORS: clinical (first-aid step)
    "stimulation": _l("Stimulation"),
    # TRANSLATORS: clinical (first-aid step)
    "airway": _l("Airway / recovery position"),
    # TRANSLATORS: clinical (first-aid step)
    "oxygen": _l("Oxygen"),
    # TRANSLATORS: clinical (first-aid step)
    "rescue_breaths": _l("Rescue breaths / bag-valve-mask"),
    # TRANSLATORS: clinical (first-aid step)
    "naloxone": _l("Naloxone"),
    # TRANSLATORS: clinical (first-aid step)
    "cpr_started": _l("CPR started"),
    # TRANSLATORS: clinical (first-aid step)
    "cpr_stopped": _l("CPR stopped"),
    # TRANSLATORS: clinical (first-aid step)
    "defibrillator": _l("Defibrillator"),
    # TRANSLATORS: clinical (first-aid step)
    "ems_called": _l("EMS called"),
    # TRANSLATORS: clinical (first-aid step)
    "ems_arrived": _l("EMS arrived"),
    # TRANSLATORS: clinical (first-aid step)
    "ems_left": _l("EMS left"),
    # TRANSLATORS: clinical (first-aid step)
    "transferred_to_hospital": _l("Transferred to hospital"),
    # TRANSLATORS: clinical (first-aid step)
    "client_responsive": _l("Client responsive"),
    # TRANSLATORS: clinical (first-aid step)
    "client_refused_transfer": _l("Client refused transfer"),
    # TRANSLATORS: clinical (first-aid step)
    "note": _l("Note"),
}
