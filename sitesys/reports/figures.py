"""Counting the indicators of `indicators.py` for one site over a run of its local days.

A site's `Tally` holds what adds up across sites (counts, the minutes of each case, booth
minutes) so a network's total is the sum of its sites' tallies, medians included: they are taken
from every case of every site, never averaged. `values()` turns a tally into the figures a report
shows. Counts only leave here: no client code, tag or free text.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from sitesys.alerts.reports import alerts_issued_by_site
from sitesys.care.models import EducationTopic, ReferralState, ReferralType
from sitesys.care.reports import care_by_site
from sitesys.checkin.models import Route, ServiceGiven, Visit
from sitesys.clients.models import AgeBand, Client, Gender
from sitesys.clock import local_date
from sitesys.drugchecks.models import ClientDecision, Finding
from sitesys.drugchecks.reports import drug_checking_by_site
from sitesys.handovers.models import Handover, HandoverAlert, HandoverAlertKind
from sitesys.incidents.kinds import ActionKind, IncidentType, Outcome, PhysicalHarm
from sitesys.incidents.models import Incident, IncidentAction, IncidentTypeEntry
from sitesys.observations.models import OverdueAlert
from sitesys.reports import N_
from sitesys.reports.daily import daily_visits_by_site, visits_by_month
from sitesys.reports.indicators import INDICATORS, Measure, indicator
from sitesys.reports.tally import Tally, _tenths
from sitesys.reports.visits import SUBSTANCE_CODES, hour_label
from sitesys.sites.models import Site, SubstanceOption
from sitesys.sites.zones import ZoneGroup, in_local_days, zone_groups
from sitesys.source_language import source_language
from sitesys.supplies.models import SupplyItem
from sitesys.supplies.reports import supplies_by_site

NOT_RECORDED = N_("Not recorded")

#: The incident types counted as drug-related emergencies (docs/indicators.md).
DRUG_RELATED = frozenset(
    {
        IncidentType.OPIOID_OVERDOSE,
        IncidentType.STIMULANT_OVERAMPING,
        IncidentType.KETAMINE_CRISIS,
        IncidentType.SEIZURE,
        IncidentType.VOMITING,
        IncidentType.ALLERGIC_REACTION,
    }
)

#: Which kind of visit a visit is (`Visit.kind`): services-only visits are counted apart.
CONSUMPTION = "consumption"
SERVICES_ONLY = "services_only"


def visit_kind(visit: Visit | None = None) -> str:
    """A visit's kind for the reports (`Visit.kind`; visits.py counts by the column)."""
    return visit.kind.value if visit is not None else CONSUMPTION


#: The fixed rows of each breakdown (substances and days depend on the site and period).
FIXED_ROWS: dict[str, list[str]] = {
    "clients_by_age": [band.label for band in AgeBand] + [NOT_RECORDED],
    "clients_by_gender": [gender.label for gender in Gender] + [NOT_RECORDED],
    "visits_by_route": [route.label for route in Route],
    "visits_by_hour": [hour_label(day, hour) for day in range(7) for hour in range(24)],
    "services_given": [service.label for service in ServiceGiven],
    "incidents_by_type": [kind.label for kind in IncidentType],
    "incidents_by_harm": [harm.label for harm in PhysicalHarm] + [NOT_RECORDED],
    "samples_found": [finding.label for finding in Finding],
    "samples_unexpected": [finding.label for finding in Finding],
    "sample_decisions": [decision.label for decision in ClientDecision],
    "referrals_by_type": [kind.label for kind in ReferralType],
    "referral_steps": [state.label for state in ReferralState],
}


def total(tallies: Iterable[Tally]) -> Tally:
    combined = Tally(rows={key: list(rows) for key, rows in FIXED_ROWS.items()})
    for tally in tallies:
        combined = combined + tally
    return combined


def _nth(cases: Counter[int], index: int) -> int:
    """The `index`-th smallest case (from 0) of a histogram of cases."""
    seen = 0
    for value in sorted(cases):
        seen += cases[value]
        if seen > index:
            return value
    raise IndexError(index)


def median(cases: Counter[int]) -> float | None:
    count = cases.total()
    if not count:
        return None
    if count % 2:
        return float(_nth(cases, count // 2))
    return (_nth(cases, count // 2 - 1) + _nth(cases, count // 2)) / 2


def percentile(cases: Counter[int], share: float) -> float | None:
    """The nearest-rank percentile: the smallest case with at least `share` of cases at or
    below it.
    """
    count = cases.total()
    if not count:
        return None
    return float(_nth(cases, max(0, math.ceil(share * count) - 1)))


def site_tally(session: Session, site: Site, first: date, last: date) -> Tally:
    """Everything one site did from local day `first` to `last`, both included."""
    return site_tallies(session, [site], first, last)[site.id]


def site_tallies(
    session: Session, sites: Sequence[Site], first: date, last: date
) -> dict[int, Tally]:
    """Everything each site did from local day `first` to `last`, by site id: each figure read
    for every site in one statement (per time zone), so a network of forty sites costs about
    what one site does in statements.
    """
    # Rows are keyed by their English words, whoever asks and from wherever (a job, a command).
    with source_language():
        return _site_tallies(session, sites, first, last)


def _site_tallies(
    session: Session, sites: Sequence[Site], first: date, last: date
) -> dict[int, Tally]:
    fixed = Tally(rows={key: list(rows) for key, rows in FIXED_ROWS.items()})
    visits = daily_visits_by_site(session, sites, first, last)
    tallies = {site.id: fixed + visits[site.id] for site in sites}
    name_substances(session, sites, tallies)
    groups = zone_groups(sites, first, last)
    _clients(session, groups, tallies)
    _incidents(session, groups, tallies)
    _floor(session, groups, tallies)
    _handovers(session, groups, tallies)
    _drug_checking(session, sites, first, last, tallies)
    _care(session, sites, first, last, tallies)
    days = [day.isoformat() for day in period_days(first, last)]
    for tally in tallies.values():
        tally.rows["visits_by_day"] = list(days)
    return tallies


def name_substances(session: Session, sites: Sequence[Site], tallies: dict[int, Tally]) -> None:
    """Turn the substances counted by code into each site's pick-list labels, in its order (a
    code no longer on the list keeps its code).
    """
    labels = _labels(session, SubstanceOption, sites)
    for site_id, tally in tallies.items():
        rows = list(labels[site_id].values())
        for (key, code), count in list(tally.counts.items()):
            if key != SUBSTANCE_CODES:
                continue
            label = labels[site_id].get(code, code)
            if label not in rows:
                rows.append(label)
            tally.add("visits_by_substance", label, count)
            del tally.counts[(key, code)]
        tally.rows["visits_by_substance"] = rows


def _clients(session: Session, groups: list[ZoneGroup], tallies: dict[int, Tally]) -> None:
    """The period's clients by age band and gender; new clients were counted with the visits
    (each client's first visit, kept by day), so returning ones are the rest.
    """
    in_period = in_local_days(groups, Visit.site_id, Visit.checked_in_at)
    per_client = (
        select(
            Client.site_id.label("site_id"),
            Client.age_band.label("age_band"),
            Client.gender.label("gender"),
        )
        .where(
            # A client belongs to one site: the site narrows the clients read by index.
            Client.site_id.in_(list(tallies)),
            Client.id.in_(select(Visit.client_id).where(in_period)),
        )
        .subquery()
    )
    # Counted by the database, one row per (site, age band, gender): a month at a busy site has
    # thousands of clients, which Python would otherwise count one by one.
    grouped = (per_client.c.site_id, per_client.c.age_band, per_client.c.gender)
    for site_id, age_band, gender, count in session.execute(
        select(*grouped, func.count()).group_by(*grouped)
    ):
        tally = tallies[site_id]
        tally.add("clients_unique", count=count)
        tally.add(
            "clients_by_age", AgeBand(age_band).label if age_band else NOT_RECORDED, count=count
        )
        tally.add(
            "clients_by_gender", Gender(gender).label if gender else NOT_RECORDED, count=count
        )
    for tally in tallies.values():
        unique, new = tally.counts[("clients_unique", "")], tally.counts[("clients_new", "")]
        tally.counts[("clients_returning", "")] += unique - new
        tally.counts[("clients_new", "")] += 0


def _incidents(session: Session, groups: list[ZoneGroup], tallies: dict[int, Tally]) -> None:
    in_period = in_local_days(groups, Incident.site_id, Incident.started_at)
    incidents = session.execute(
        select(
            Incident.id,
            Incident.site_id,
            Incident.started_at,
            Incident.outcome,
            Incident.physical_harm,
        ).where(in_period)
    ).all()
    types: dict[object, set[IncidentType]] = {}
    for incident_id, kind in session.execute(
        select(IncidentTypeEntry.incident_id, IncidentTypeEntry.type)
        .join(Incident, Incident.id == IncidentTypeEntry.incident_id)
        .where(in_period)
    ):
        types.setdefault(incident_id, set()).add(IncidentType(kind))
    actions: dict[object, list[tuple[ActionKind, datetime, Decimal | None]]] = {}
    for incident_id, kind, recorded_at, dose in session.execute(
        select(
            IncidentAction.incident_id,
            IncidentAction.kind,
            IncidentAction.recorded_at,
            IncidentAction.dose_mg,
        )
        .join(Incident, Incident.id == IncidentAction.incident_id)
        .where(in_period, IncidentAction.struck_at.is_(None))
    ):
        actions.setdefault(incident_id, []).append((ActionKind(kind), recorded_at, dose))
    for each in tallies.values():
        for key in (
            "incidents_total", "overdoses", "emergencies", "naloxone_responses",
            "naloxone_doses", "oxygen", "ems_called", "transfers", "deaths",
        ):  # fmt: skip
            each.counts[(key, "")] += 0
    for incident_id, site_id, started_at, outcome, harm in incidents:
        tally = tallies[site_id]
        tally.add("incidents_total")
        kinds = types.get(incident_id, set())
        for kind in kinds:
            tally.add("incidents_by_type", kind.label)
        tally.add("incidents_by_harm", PhysicalHarm(harm).label if harm else NOT_RECORDED)
        if IncidentType.OPIOID_OVERDOSE in kinds:
            tally.add("overdoses")
        if kinds & DRUG_RELATED:
            tally.add("emergencies")
        done = actions.get(incident_id, [])
        naloxone = [(at, dose) for kind, at, dose in done if kind is ActionKind.NALOXONE]
        if naloxone:
            tally.add("naloxone_responses")
            tally.add("naloxone_doses", count=len(naloxone))
            tally.naloxone_mg += sum((dose or Decimal(0) for _, dose in naloxone), Decimal(0))
            first = min(at for at, _ in naloxone)
            tally.time("naloxone", _tenths(first, started_at))
        kinds_done = {kind for kind, _, _ in done}
        if ActionKind.OXYGEN in kinds_done:
            tally.add("oxygen")
        if ActionKind.EMS_CALLED in kinds_done:
            tally.add("ems_called")
        if (
            outcome == Outcome.TRANSFERRED_TO_HOSPITAL
            or ActionKind.TRANSFERRED_TO_HOSPITAL in kinds_done
        ):
            tally.add("transfers")
        if outcome == Outcome.DIED or harm == PhysicalHarm.FATAL:
            tally.add("deaths")


def _floor(session: Session, groups: list[ZoneGroup], tallies: dict[int, Tally]) -> None:
    alerts = session.execute(
        select(
            OverdueAlert.site_id,
            OverdueAlert.overdue_since,
            OverdueAlert.closed_at,
            OverdueAlert.closed_by_observation_id,
        ).where(in_local_days(groups, OverdueAlert.site_id, OverdueAlert.raised_at))
    ).all()
    for each in tallies.values():
        for key in ("overdue_alerts", "overdue_answered", "booth_visits"):
            each.counts[(key, "")] += 0
    for site_id, overdue_since, closed_at, observation_id in alerts:
        tally = tallies[site_id]
        tally.add("overdue_alerts")
        if closed_at is not None and observation_id is not None:
            tally.add("overdue_answered")
            tally.time("overdue_answer", _tenths(closed_at, overdue_since))


def _drug_checking(
    session: Session, sites: Sequence[Site], first: date, last: date, tallies: dict[int, Tally]
) -> None:
    checks = drug_checking_by_site(session, sites, first, last)
    alerts = alerts_issued_by_site(session, sites, first, last)
    for site_id, tally in tallies.items():
        found = checks[site_id]
        tally.add("samples", count=found.samples)
        for finding, count in found.found.items():
            tally.add("samples_found", finding.label, count)
        for finding, count in found.unexpected.items():
            tally.add("samples_unexpected", finding.label, count)
        for decision, count in found.decisions.items():
            tally.add("sample_decisions", decision.label, count)
        tally.add("alerts_issued", count=alerts[site_id].issued)


def _handovers(session: Session, groups: list[ZoneGroup], tallies: dict[int, Tally]) -> None:
    """Handovers of the shifts that ended in the period, counted by the database (a site hands
    over three times a day: a network's year is tens of thousands).
    """
    in_period = in_local_days(groups, Handover.site_id, Handover.shift_ends_at)
    submitted = Handover.submitted_at.is_not(None)
    counted = session.execute(
        select(
            Handover.site_id,
            func.count().filter(submitted),
            func.count().filter(submitted, Handover.submitted_at > Handover.shift_ends_at),
            func.count().filter(Handover.acknowledged_at.is_not(None)),
        )
        .where(in_period)
        .group_by(Handover.site_id)
    ).all()
    # A shift flagged as not started whose handover was never given in the period.
    given_for = exists().where(
        in_period,
        submitted,
        Handover.site_id == HandoverAlert.site_id,
        Handover.shift_key == HandoverAlert.shift_key,
    )
    missing: dict[int, int] = dict(
        session.execute(  # type: ignore[arg-type]
            select(HandoverAlert.site_id, func.count(func.distinct(HandoverAlert.shift_key)))
            .where(
                in_local_days(groups, HandoverAlert.site_id, HandoverAlert.shift_ends_at),
                HandoverAlert.kind == HandoverAlertKind.NOT_STARTED,
                ~given_for,
            )
            .group_by(HandoverAlert.site_id)
        ).all()
    )
    for site_id, each in tallies.items():
        for key in ("handovers_given", "handovers_late", "handovers_acknowledged"):
            each.counts[(key, "")] += 0
        each.add("handovers_missing", count=int(missing.get(site_id, 0)))
    for site_id, given, late, acknowledged in counted:
        tally = tallies[site_id]
        tally.add("handovers_given", count=int(given))
        tally.add("handovers_late", count=int(late))
        tally.add("handovers_acknowledged", count=int(acknowledged))


def _labels(
    session: Session,
    model: type[SubstanceOption] | type[EducationTopic] | type[SupplyItem],
    sites: Sequence[Site],
) -> dict[int, dict[str, str]]:
    """Each site's list (substances, education topics, supply catalogue) as code → label, in
    its order.
    """
    labels: dict[int, dict[str, str]] = {site.id: {} for site in sites}
    for site_id, code, label in session.execute(
        select(model.site_id, model.code, model.label)
        .where(model.site_id.in_(labels))
        .order_by(model.position, model.label)
    ):
        labels[site_id][code] = label
    return labels


def _care(
    session: Session, sites: Sequence[Site], first: date, last: date, tallies: dict[int, Tally]
) -> None:
    """Care beyond the booth (care/reports.py) and supplies (supplies/reports.py): few records,
    always counted from them.
    """
    topics = _labels(session, EducationTopic, sites)
    items = _labels(session, SupplyItem, sites)
    handed_out: dict[int, set[str]] = {site.id: set() for site in sites}
    for site_id, code in session.execute(
        select(SupplyItem.site_id, SupplyItem.code).where(
            SupplyItem.site_id.in_(handed_out),
            SupplyItem.on_visits.is_(True),
            SupplyItem.is_active.is_(True),
        )
    ):
        handed_out[site_id].add(code)
    cares = care_by_site(session, sites, first, last)
    supplied = supplies_by_site(session, sites, first, last)
    for site in sites:
        tally = tallies[site.id]
        care = cares[site.id]
        tally.add("referrals", count=sum(care.referrals.values()))
        for kind, count in care.referrals.items():
            tally.add("referrals_by_type", kind.label, count)
        for state, count in care.referral_steps.items():
            tally.add("referral_steps", state.label, count)
        tally.add("urology_referrals", count=care.urology_referrals)
        tally.add("bladder_screens", count=care.screens)
        tally.add("bladder_screens_positive", count=care.positive_screens)
        tally.add("bladder_same_day", count=care.same_day_reviews)
        tally.add("naloxone_training", count=care.naloxone_training)
        tally.add("wound_care", count=care.wound_care)
        tally.add("bbv_tests", count=care.bbv_tests)
        site_topics = topics[site.id]
        tally.rows["education_by_topic"] = list(site_topics.values())
        for code, count in care.education.items():
            label = site_topics.get(code, code)
            if label not in tally.rows["education_by_topic"]:
                tally.rows["education_by_topic"].append(label)
            tally.add("education_by_topic", label, count)
        supplies = supplied[site.id]
        tally.add("naloxone_kits", count=supplies.naloxone_kits)
        # The catalogue handed out on visits, in its order, given or not (and any item given
        # that is no longer on it: a hidden item, the naloxone kit of the ticks before
        # quantities).
        site_items = items[site.id]
        tally.rows["supplies_given"] = [
            label
            for code, label in site_items.items()
            if code in handed_out[site.id] or code in supplies.given
        ]
        for code, quantity in supplies.given.items():
            label = site_items.get(code, code)
            if label not in tally.rows["supplies_given"]:
                tally.rows["supplies_given"].append(label)
            tally.add("supplies_given", label, quantity)


#: A figure: a count, a rate, minutes or a percentage; None where there is nothing to measure.
Value = int | float | None

_TIMED = {
    "naloxone_minutes": ("naloxone", 0.5),
    "overdue_answer_median": ("overdue_answer", 0.5),
    "overdue_answer_p90": ("overdue_answer", 0.9),
    "booth_wait_median": ("booth_wait", 0.5),
    "booth_wait_p90": ("booth_wait", 0.9),
}


def values(tally: Tally) -> dict[tuple[str, str], Value]:
    """Every figure of a tally by (indicator key, row): row "" for a single figure."""
    figures: dict[tuple[str, str], Value] = {}
    for item in INDICATORS:
        if item.breakdown is not None:
            for row in tally.rows.get(item.key, []):
                figures[(item.key, row)] = tally.counts[(item.key, row)]
        elif item.measure is Measure.COUNT:
            figures[(item.key, "")] = tally.counts[(item.key, "")]
    for item in INDICATORS:
        key = (item.key, "")
        if item.measure is Measure.RATE:
            per = tally.counts[(str(item.per), "")]
            of = tally.counts[(str(item.of), "")]
            figures[key] = round(of * 1000 / per, 1) if per else None
        elif item.measure is Measure.MINUTES:
            sample, share = _TIMED[item.key]
            cases = tally.times.get(sample, Counter())
            found = median(cases) if share == 0.5 else percentile(cases, share)
            figures[key] = None if found is None else round(found / 10, 1)
        elif item.measure is Measure.PERCENT:
            figures[key] = (
                round(100 * tally.booth_seconds_used / tally.booth_seconds_open, 1)
                if tally.booth_seconds_open
                else None
            )
        elif item.measure is Measure.AMOUNT:
            figures[key] = float(tally.naloxone_mg)
    return figures


def figure(tally: Tally, key: str, row: str = "") -> Value:
    indicator(key)  # a key not in the registry is a mistake, not a zero
    return values(tally).get((key, row))


def period_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


@dataclass(frozen=True)
class MonthFigures:
    """One month of the twelve-month trend (a few counts, read straight from the tables)."""

    first: date
    visits: int
    overdoses: int
    incidents: int


def monthly_trend(
    session: Session, sites: Sequence[Site], months: Sequence[tuple[date, date]]
) -> list[MonthFigures]:
    """Visits, overdoses and incidents of the sites in each month, each site in its own days:
    per site, the visits of the whole span by day (kept days from their figures) and its
    incidents in one read each, put into months here, rather than four queries a month.
    """
    if not months:
        return []
    firsts = [first for first, _ in months]
    counts = {first: [0, 0, 0] for first in firsts}

    def month_of(day: date) -> date | None:
        index = bisect_right(firsts, day) - 1
        if index < 0 or day > months[index][1]:
            return None
        return firsts[index]

    span_first, span_last = months[0][0], months[-1][1]
    is_overdose = exists().where(
        IncidentTypeEntry.incident_id == Incident.id,
        IncidentTypeEntry.type == IncidentType.OPIOID_OVERDOSE,
    )
    for first, visits in zip(firsts, visits_by_month(session, sites, months), strict=True):
        counts[first][0] += visits
    zones = {site.id: site.zone for site in sites}
    groups = zone_groups(sites, span_first, span_last)
    for site_id, started_at, overdose in session.execute(
        select(Incident.site_id, Incident.started_at, is_overdose).where(
            in_local_days(groups, Incident.site_id, Incident.started_at)
        )
    ):
        month = month_of(local_date(started_at, zones[site_id]))
        if month is not None:
            counts[month][2] += 1
            counts[month][1] += 1 if overdose else 0
    return [MonthFigures(first, *counts[first]) for first in firsts]
