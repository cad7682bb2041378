"""Every indicator a report shows, defined once: its key, label, plain-language definition, the
exact rule it is counted by, its breakdown and how it behaves in a table.

The page shows `definition` beside each figure, docs/indicators.md lists `rule`, and the CSV
exports name indicators by `key` (keys are never renamed). Counting lives in `figures.py`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l


class Measure(enum.StrEnum):
    """What kind of number an indicator is, which decides how sites add up and publication hides."""

    #: A count of visits, people or events: sites add up; 1 to threshold-1 is suppressed.
    COUNT = "count"
    #: Per 1,000 of another count: hidden when its numerator or denominator is suppressed.
    RATE = "rate"
    #: Minutes (a median or 90th percentile): hidden when fewer cases than the threshold.
    MINUTES = "minutes"
    #: A percentage of time (occupancy): not a count of people, shown as it is.
    PERCENT = "percent"
    #: An amount (mg of naloxone): hidden when the count it belongs to is suppressed.
    AMOUNT = "amount"


class Section(enum.StrEnum):
    VISITS = "Visits"
    SUBSTANCES = "Substances and routes"
    SERVICES = "Services and referrals"
    INCIDENTS = "Incidents and emergencies"
    FLOOR = "Floor safety"
    DRUG_CHECKING = "Drug checking"
    HANDOVERS = "Handovers"

    @property
    def label(self) -> str:
        """The section's heading in the reader's language (the value is its English name)."""
        return str(SECTION_LABELS[self])


SECTION_LABELS = {
    Section.VISITS: _l("Visits"),
    Section.SUBSTANCES: _l("Substances and routes"),
    Section.SERVICES: _l("Services and referrals"),
    Section.INCIDENTS: _l("Incidents and emergencies"),
    Section.FLOOR: _l("Floor safety"),
    Section.DRUG_CHECKING: _l("Drug checking"),
    Section.HANDOVERS: _l("Handovers"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    #: A lazy string: shown in the reader's language, English in docs/indicators.md.
    label: Any
    section: Section
    #: What it means, in a sentence a funder reads (shown beside the figure); a lazy string.
    definition: Any
    #: Exactly how it is counted (docs/indicators.md).
    rule: str
    measure: Measure = Measure.COUNT
    #: What its rows are ("Substance"); None for a single figure.
    breakdown: str | None = None
    #: The indicator its breakdown adds up to, when every case falls in exactly one row (ages,
    #: with "Not recorded" as a row); None when a case may be in several rows (substances).
    adds_up_to: str | None = None
    #: For a rate, an amount or minutes: the count it is read against (hidden with it).
    of: str | None = None
    #: For a rate: the denominator (per 1,000 of it).
    per: str | None = None


#: Counted on the day the visit checked in (site-local), whatever day it ended.
_VISIT_DAY = (
    "Visits are counted on the site-local day they checked in, even if they end after midnight."
)
_INCIDENT_DAY = (
    "Incidents of every status (a response still running, a draft, submitted, closed) are "
    "counted on the site-local day their response started or the report was filed."
)
_LIVE = "Actions struck through are not counted."
_STRUCK = "Records struck through are not counted."

INDICATORS: tuple[Indicator, ...] = (
    # Visits
    Indicator(
        "visits_consumption", _l("Consumption visits"), Section.VISITS,
        _l("Visits to use substances under supervision."),
        f"Visits checked in during the period whose kind is consumption (chosen at the desk: "
        f"\"Using\", the default). {_VISIT_DAY}",
    ),
    Indicator(
        "visits_services_only", _l("Services-only visits"), Section.VISITS,
        _l("Visits for services (supplies, a referral, a check) without using on site."),
        f"Visits checked in during the period whose kind is services only (chosen at the desk: "
        f"no booth, no observation checks). They are not in the denominator of the rates per "
        f"1,000 consumption visits. {_VISIT_DAY}",
    ),
    Indicator(
        "visits_total", _l("All visits"), Section.VISITS,
        _l("Every visit, of either kind."),
        f"Visits checked in during the period, of any kind and status. {_VISIT_DAY}",
    ),
    Indicator(
        "clients_unique", _l("Unique clients"), Section.VISITS,
        _l("Different people with a client code who visited."),
        "Distinct client records among the period's visits (walk-ins excluded). Client codes are "
        "digested per site, so a network's figure is the sum of its sites' figures: a person "
        "registered at two sites counts twice.",
    ),
    Indicator(
        "clients_new", _l("New clients"), Section.VISITS,
        _l("Clients whose first visit to the site was in the period."),
        "Unique clients with no visit at the site before the period's first day.",
    ),
    Indicator(
        "clients_returning", _l("Returning clients"), Section.VISITS,
        _l("Clients who had visited the site before the period."),
        "Unique clients with at least one visit at the site before the period's first day "
        "(unique clients minus new clients).",
    ),
    Indicator(
        "visits_walk_in", _l("Anonymous walk-in visits"), Section.VISITS,
        _l("Visits by people who gave no client code."),
        "Visits checked in during the period without a client record.",
    ),
    Indicator(
        "clients_by_age", _l("Unique clients by age band"), Section.VISITS,
        _l("Unique clients by the age band they gave."),
        "Unique clients counted under the age band on their record; those with none under "
        "\"Not recorded\".",
        breakdown="Age band", adds_up_to="clients_unique",
    ),
    Indicator(
        "clients_by_gender", _l("Unique clients by gender"), Section.VISITS,
        _l("Unique clients by the gender they gave."),
        "Unique clients counted under the gender on their record; those with none under "
        "\"Not recorded\".",
        breakdown="Gender", adds_up_to="clients_unique",
    ),
    Indicator(
        "visits_by_day", _l("Visits per day"), Section.VISITS,
        _l("Visits on each day of the period."),
        f"Visits by the site-local date they checked in. {_VISIT_DAY}",
        breakdown="Day", adds_up_to="visits_total",
    ),
    Indicator(
        "visits_by_hour", _l("Visits by weekday and hour"), Section.FLOOR,
        _l("When people arrive: visits by day of the week and hour of the day."),
        "Visits by the site-local weekday and hour of their check-in (\"Mon 09\" is 09:00 to "
        "09:59 on Mondays).",
        breakdown="Weekday and hour", adds_up_to="visits_total",
    ),
    # Substances and routes
    Indicator(
        "visits_by_substance", _l("Visits naming each substance"), Section.SUBSTANCES,
        _l("Visits at which the client named the substance; a visit may name several."),
        f"Visits checked in during the period with the substance on their check-in, by the "
        f"site pick-list's label. A visit naming two substances counts under both, so the rows "
        f"do not add up to the visits. {_VISIT_DAY}",
        breakdown="Substance",
    ),
    Indicator(
        "visits_by_route", _l("Visits by route"), Section.SUBSTANCES,
        _l("How the client said they would use."),
        f"Visits checked in during the period by the route on their check-in. {_VISIT_DAY}",
        breakdown="Route", adds_up_to="visits_total",
    ),
    # Services
    Indicator(
        "services_given", _l("Services given"), Section.SERVICES,
        _l("Services and supplies given during visits."),
        "Services ticked at the desk on the period's visits, one per service per visit, by kind "
        "(\"Referral offered\" included). Referrals by type and step, and supplies by quantity, "
        "are the indicators below.",
        breakdown="Service",
    ),
    Indicator(
        "referrals", _l("Referrals"), Section.SERVICES,
        _l("Referrals to other services recorded for clients (offered, or further)."),
        f"Referrals recorded during the period (site-local day recorded), whatever state they "
        f"reached, from a visit, the client page or an incident report. {_STRUCK}",
    ),
    Indicator(
        "referrals_by_type", _l("Referrals by type"), Section.SERVICES,
        _l("Referrals by the kind of service referred to."),
        f"Referrals counted above, by their type. {_STRUCK}",
        breakdown="Type", adds_up_to="referrals",
    ),
    Indicator(
        "referral_steps", _l("Referral steps recorded"), Section.SERVICES,
        _l("What became of referrals: each step recorded (accepted, made, attended...)."),
        "Steps of referrals recorded during the period (site-local day of the step), by the "
        "state reached; a referral recorded at once as made counts offered, accepted and made. "
        "A step counts in the period it was recorded, whenever the referral was made. "
        "Steps of referrals struck through are not counted.",
        breakdown="Step",
    ),
    Indicator(
        "urology_referrals", _l("Urology / bladder referrals"), Section.SERVICES,
        _l("Referrals to urology or for bladder care (ketamine bladder damage)."),
        f"Referrals counted above whose type is urology / bladder. {_STRUCK}",
    ),
    Indicator(
        "bladder_screens", _l("Ketamine bladder screens"), Section.SERVICES,
        _l("Bladder symptom screens asked of people using ketamine."),
        f"Bladder screens recorded during the period (site-local day recorded); screens skipped "
        f"are not counted. {_STRUCK}",
    ),
    Indicator(
        "bladder_screens_positive", _l("Positive bladder screens"), Section.SERVICES,
        _l("Bladder screens with at least one symptom."),
        f"Bladder screens counted above with any symptom (those advising same-day review "
        f"included). {_STRUCK}",
    ),
    Indicator(
        "bladder_same_day", _l("Bladder screens advising same-day review"), Section.SERVICES,
        _l("Bladder screens with blood in the urine or pain in the side or back."),
        f"Bladder screens counted above whose result is \"advise same-day medical review\". "
        f"{_STRUCK}",
    ),
    Indicator(
        "education_by_topic", _l("Education given by topic"), Section.SERVICES,
        _l("Education and brief interventions given on visits, by topic."),
        f"Topics recorded as covered on visits during the period (site-local day recorded), by "
        f"the site's topic label; a visit covering two topics counts under both, and a topic "
        f"counts once per visit. {_STRUCK}",
        breakdown="Topic",
    ),
    Indicator(
        "naloxone_training", _l("Naloxone training given"), Section.SERVICES,
        _l("Times naloxone training was given (a kit given is counted apart)."),
        f"Education recorded during the period with the topic \"Naloxone training\". {_STRUCK}",
    ),
    Indicator(
        "naloxone_kits", _l("Naloxone kits given"), Section.SERVICES,
        _l("Naloxone kits handed out to take away."),
        "The quantity of naloxone kits (intranasal, intramuscular, or kind not recorded) "
        "recorded on the visits checked in during the period.",
    ),
    Indicator(
        "supplies_given", _l("Supplies given (quantity)"), Section.SERVICES,
        _l("How much of each supply was handed out."),
        "Quantities recorded on the visits checked in during the period, by the site's "
        "catalogue item (a kit ticked at the desk is one). Emergency stock used in responses is "
        "not a supply given.",
        breakdown="Supply",
    ),
    Indicator(
        "wound_care", _l("Wound care given"), Section.SERVICES,
        _l("Wound care given by a nurse."),
        f"Wound care recorded during the period (site-local day recorded). A corrected record "
        f"counts once (the record it corrects is struck through). {_STRUCK}",
    ),
    Indicator(
        "bbv_tests", _l("Blood-borne virus tests"), Section.SERVICES,
        _l("Blood-borne virus tests given by a nurse."),
        f"Blood-borne virus tests recorded during the period (site-local day recorded). A "
        f"corrected record counts once (the record it corrects is struck through). {_STRUCK}",
    ),
    # Incidents and emergencies
    Indicator(
        "incidents_total", _l("Incidents"), Section.INCIDENTS,
        _l("Emergencies and adverse events recorded."),
        _INCIDENT_DAY,
    ),
    Indicator(
        "incidents_by_type", _l("Incidents by type"), Section.INCIDENTS,
        _l("Incidents by what happened; an incident may be of several types."),
        f"Incidents by each type recorded on them; an incident of two types counts under both. "
        f"{_INCIDENT_DAY}",
        breakdown="Type",
    ),
    Indicator(
        "incidents_by_harm", _l("Incidents by physical harm"), Section.INCIDENTS,
        _l("Incidents by the physical harm grade (LFPSE) reported."),
        f"Incidents by their physical harm grade; none yet reported under \"Not recorded\". "
        f"{_INCIDENT_DAY}",
        breakdown="Physical harm", adds_up_to="incidents_total",
    ),
    Indicator(
        "overdoses", _l("Opioid overdoses"), Section.INCIDENTS,
        _l("Opioid overdoses responded to."),
        f"Incidents with the type opioid overdose. {_INCIDENT_DAY}",
    ),
    Indicator(
        "overdoses_rate", _l("Opioid overdoses per 1,000 consumption visits"), Section.INCIDENTS,
        _l("How often an overdose happens, for comparing months and sites."),
        "Opioid overdoses × 1,000 ÷ consumption visits, to one decimal place.",
        measure=Measure.RATE, of="overdoses", per="visits_consumption",
    ),
    Indicator(
        "emergencies", _l("Drug-related emergencies"), Section.INCIDENTS,
        _l("Every emergency caused by a drug, overdoses included."),
        f"Incidents with at least one of the types opioid overdose, stimulant overamping, "
        f"ketamine dissociative crisis, seizure, vomiting / aspiration risk or allergic "
        f"reaction. {_INCIDENT_DAY}",
    ),
    Indicator(
        "emergencies_rate", _l("Drug-related emergencies per 1,000 consumption visits"),
        Section.INCIDENTS,
        _l("How often a drug-related emergency happens."),
        "Drug-related emergencies × 1,000 ÷ consumption visits, to one decimal place.",
        measure=Measure.RATE, of="emergencies", per="visits_consumption",
    ),
    Indicator(
        "naloxone_responses", _l("Responses with naloxone"), Section.INCIDENTS,
        _l("Emergencies in which naloxone was given."),
        f"Incidents with at least one naloxone action. {_LIVE}",
    ),
    Indicator(
        "naloxone_doses", _l("Naloxone doses"), Section.INCIDENTS,
        _l("Doses of naloxone given."),
        f"Naloxone actions recorded in the period's incidents. {_LIVE}",
    ),
    Indicator(
        "naloxone_mg", _l("Naloxone given (mg)"), Section.INCIDENTS,
        _l("The total naloxone given, in milligrams."),
        f"The sum of the doses (mg) of the naloxone actions counted. {_LIVE}",
        measure=Measure.AMOUNT, of="naloxone_doses",
    ),
    Indicator(
        "naloxone_minutes", _l("Minutes to first naloxone (median)"), Section.INCIDENTS,
        _l("How quickly the first naloxone was given once a response began."),
        f"For each incident with naloxone, minutes from the start of the response to its first "
        f"naloxone action; the median of those. {_LIVE}",
        measure=Measure.MINUTES, of="naloxone_responses",
    ),
    Indicator(
        "oxygen", _l("Responses with oxygen"), Section.INCIDENTS,
        _l("Emergencies in which oxygen was given."),
        f"Incidents with at least one oxygen action. {_LIVE}",
    ),
    Indicator(
        "ems_called", _l("Responses calling EMS"), Section.INCIDENTS,
        _l("Emergencies in which an ambulance was called."),
        f"Incidents with at least one \"EMS called\" action. {_LIVE}",
    ),
    Indicator(
        "transfers", _l("Transfers to hospital"), Section.INCIDENTS,
        _l("Emergencies ending with the person taken to hospital."),
        f"Incidents with the outcome \"transferred to hospital\" or a \"transferred to "
        f"hospital\" action. {_LIVE}",
    ),
    Indicator(
        "deaths", _l("Deaths"), Section.INCIDENTS,
        _l("People who died."),
        "Incidents with the outcome \"died\" or the physical harm grade \"fatal\".",
    ),
    # Floor safety
    Indicator(
        "overdue_alerts", _l("Overdue-check alerts"), Section.FLOOR,
        _l("Times a client went twice their check interval without a check."),
        "Overdue-check alerts raised during the period (site-local day raised).",
    ),
    Indicator(
        "overdue_answer_median", _l("Minutes to answer an overdue check (median)"), Section.FLOOR,
        _l("How long an overdue check took to be answered, typically."),
        "For each alert answered by an observation, minutes from when the check became overdue "
        "to the observation closing it; the median. Alerts closed by the visit ending are not "
        "timed.",
        measure=Measure.MINUTES, of="overdue_answered",
    ),
    Indicator(
        "overdue_answer_p90", _l("Minutes to answer an overdue check (90th percentile)"),
        Section.FLOOR,
        _l("How long the slowest tenth of overdue checks took to be answered."),
        "As the median, the 90th percentile (nearest rank).",
        measure=Measure.MINUTES, of="overdue_answered",
    ),
    Indicator(
        "overdue_answered", _l("Overdue checks answered"), Section.FLOOR,
        _l("Overdue-check alerts answered by an observation."),
        "Overdue-check alerts raised during the period and closed by an observation.",
    ),
    Indicator(
        "booth_wait_median", _l("Minutes waiting for a booth (median)"), Section.FLOOR,
        _l("How long clients waited for a booth, typically."),
        f"For each visit that went into a booth, minutes from check-in to entering it; the "
        f"median. {_VISIT_DAY}",
        measure=Measure.MINUTES, of="booth_visits",
    ),
    Indicator(
        "booth_wait_p90", _l("Minutes waiting for a booth (90th percentile)"), Section.FLOOR,
        _l("How long the longest tenth of waits were."),
        "As the median, the 90th percentile (nearest rank).",
        measure=Measure.MINUTES, of="booth_visits",
    ),
    Indicator(
        "booth_visits", _l("Visits using a booth"), Section.FLOOR,
        _l("Visits at which the client went into a booth."),
        f"Visits checked in during the period with a time of entering a booth. {_VISIT_DAY}",
    ),
    Indicator(
        "occupancy",
        # TRANSLATORS: %(percent)s is the per cent sign, kept out of the text so that a bare
        # "%" is not read as a placeholder.
        _l("Booth occupancy (%(percent)s of opening hours)", percent="%"),
        Section.FLOOR,
        _l("How much of the time the site was open its booths were in use."),
        "Booth-minutes used (entering the booth to moving to aftercare or leaving) ÷ (booths not "
        "retired × minutes open) × 100. SiteSys keeps a closing time but no opening time, so a "
        "day is taken as open from its first check-in to its last visit's end.",
        measure=Measure.PERCENT,
    ),
    # Drug checking (sitesys/drugchecks/reports.py, sitesys/alerts/reports.py)
    Indicator(
        "samples", _l("Samples checked"), Section.DRUG_CHECKING,
        _l("Drug samples brought for checking."),
        "Drug-check samples received during the period (site-local day received).",
    ),
    Indicator(
        "samples_found",
        _l("Samples in which a substance of concern was found"),
        Section.DRUG_CHECKING,
        _l("Samples in which each substance of concern turned up."),
        "Samples of the period with each finding recorded; a sample may have several.",
        breakdown="Finding",
    ),
    Indicator(
        "samples_unexpected", _l("Samples with an unexpected finding"), Section.DRUG_CHECKING,
        _l("Samples in which a finding turned up that the client did not expect."),
        "Samples of the period with each finding recorded as unexpected.",
        breakdown="Finding",
    ),
    Indicator(
        "sample_decisions", _l("What clients then did"), Section.DRUG_CHECKING,
        _l("What clients said they would do after their result."),
        "Samples of the period by the client's recorded decision (samples without one are not "
        "counted).",
        breakdown="Decision",
    ),
    Indicator(
        "alerts_issued", _l("Drug alerts issued"), Section.DRUG_CHECKING,
        _l("Drug alerts published to the site's staff."),
        "Drug alerts covering the site published during the period.",
    ),
    # Handovers
    Indicator(
        "handovers_given", _l("Handovers given"), Section.HANDOVERS,
        _l("Shift handovers written and submitted."),
        "Handovers submitted for shifts ending during the period (site-local day the shift "
        "ended).",
    ),
    Indicator(
        "handovers_late", _l("Handovers late"), Section.HANDOVERS,
        _l("Handovers submitted after their shift had ended."),
        "Handovers counted as given whose submission was after the shift's end.",
    ),
    Indicator(
        "handovers_missing", _l("Handovers missing"), Section.HANDOVERS,
        _l("Shifts that ended without a handover."),
        "Shifts ending during the period flagged \"not started\" whose handover was never "
        "submitted.",
    ),
    Indicator(
        "handovers_acknowledged", _l("Handovers acknowledged"), Section.HANDOVERS,
        _l("Handovers the incoming lead read back and acknowledged."),
        "Handovers of shifts ending during the period that were acknowledged.",
    ),
)  # fmt: skip

BY_KEY: dict[str, Indicator] = {indicator.key: indicator for indicator in INDICATORS}


def indicator(key: str) -> Indicator:
    return BY_KEY[key]


def in_section(section: Section) -> list[Indicator]:
    return [item for item in INDICATORS if item.section is section]
