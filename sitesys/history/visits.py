"""A day at the site: arrivals over opening hours, the booth each waits for, how long they stay."""

from __future__ import annotations

import heapq
import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sitesys.checkin.models import DrugChecked, Route, ServiceGiven, VisitStatus
from sitesys.history.ids import ordered_uuid
from sitesys.sites.models import BoothKind

#: Doors open at this local time; the last check-in is an hour before closing.
OPENING_TIME = time(9, 0)
LAST_CHECK_IN_BEFORE_CLOSING = timedelta(hours=1)
#: A booth that was used is cleaned before the next person.
CLEANING = (2.0, 5.0)
#: Share of visits that end in aftercare (the rest leave straight from the booth).
AFTERCARE_SHARE = 0.75
#: Share of visits the end-of-day job closes because nobody checked them out.
LEFT_WITHOUT_CHECKOUT_SHARE = 0.01
#: Visits whose client deteriorates (the nurse shortens the checks to close watch).
DETERIORATING_SHARE = 0.03

# How people use, and what (published service figures put injecting and smoking ahead).
_ROUTES = (
    (Route.INJECT, 42),
    (Route.SMOKE, 38),
    (Route.SNORT, 13),
    (Route.ORAL, 5),
    (Route.OTHER, 2),
)
_SUBSTANCES: dict[Route, tuple[tuple[str, int], ...]] = {
    Route.INJECT: (
        ("heroin", 45),
        ("fentanyl", 12),
        ("cocaine", 18),
        ("methamphetamine", 8),
        ("ketamine", 6),
        ("nitazenes", 2),
        ("unknown", 6),
        ("other", 3),
    ),
    Route.SMOKE: (
        ("crack", 50),
        ("heroin", 22),
        ("methamphetamine", 12),
        ("fentanyl", 6),
        ("unknown", 6),
        ("other", 4),
    ),
    Route.SNORT: (
        ("ketamine", 45),
        ("cocaine", 35),
        ("mdma", 8),
        ("heroin", 5),
        ("unknown", 4),
        ("other", 3),
    ),
    Route.ORAL: (
        ("benzodiazepines", 35),
        ("ghb_gbl", 20),
        ("mdma", 20),
        ("ketamine", 10),
        ("unknown", 10),
        ("other", 5),
    ),
    Route.OTHER: (("unknown", 50), ("other", 50)),
}
#: Share of visits with a second substance (heroin and cocaine together, say).
SECOND_SUBSTANCE_SHARE = 0.22
_ROUTE_KIT: dict[Route, ServiceGiven] = {
    Route.INJECT: ServiceGiven.STERILE_KIT,
    Route.SMOKE: ServiceGiven.FOIL,
    Route.SNORT: ServiceGiven.SNORTING_KIT,
}
_DRUG_CHECKED = ((DrugChecked.NO, 70), (DrugChecked.YES, 22), (DrugChecked.DECLINED, 8))


def _choose(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([value for value, _ in table], [weight for _, weight in table])[0]


@dataclass(frozen=True)
class BoothSlot:
    id: int
    kind: BoothKind


@dataclass
class SyntheticVisit:
    """One visit's story; observations and later kinds of record are built from it."""

    id: uuid.UUID
    client_index: int | None
    route: Route
    checked_in_at: datetime
    booth_id: int | None
    booth_entered_at: datetime | None
    aftercare_at: datetime | None
    #: When they went (for a visit closed by the end-of-day job: when the job ran).
    left_at: datetime
    #: When they were last on the floor (differs from left_at only when nobody checked them out).
    gone_at: datetime
    status: VisitStatus
    deteriorates: bool
    substances: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SiteDay:
    """The opening hours of one local day, in UTC (daylight saving changes happen at night)."""

    local_date: date
    opens_at: datetime
    last_check_in_at: datetime
    closes_at: datetime


def site_day(local_date: date, zone: ZoneInfo, closing_time: time) -> SiteDay:
    opens = datetime.combine(local_date, OPENING_TIME, tzinfo=zone).astimezone(UTC)
    closing_date = local_date if closing_time > OPENING_TIME else local_date + timedelta(days=1)
    closes = datetime.combine(closing_date, closing_time, tzinfo=zone).astimezone(UTC)
    last = max(opens + timedelta(hours=1), closes - LAST_CHECK_IN_BEFORE_CLOSING)
    return SiteDay(local_date, opens, last, closes)


class BoothFloor:
    """Booths as a queue of when each is next free: a visit takes the first free suitable booth."""

    def __init__(self, booths: list[BoothSlot]) -> None:
        self.has_smoking = any(b.kind is BoothKind.SMOKING for b in booths)
        self.has_other = any(b.kind is not BoothKind.SMOKING for b in booths)
        self.free_at: dict[BoothKind, list[tuple[datetime, int]]] = {}
        self.booths = booths

    def open_day(self, opens_at: datetime) -> None:
        self.free_at = {kind: [] for kind in BoothKind}
        for booth in self.booths:
            heapq.heappush(self.free_at[booth.kind], (opens_at, booth.id))

    def kind_for(self, route: Route) -> BoothKind:
        # Smoke goes to a smoking booth and everything else elsewhere, where the site has both.
        if route is Route.SMOKE and self.has_smoking:
            return BoothKind.SMOKING
        if route is not Route.SMOKE and self.has_other:
            return BoothKind.INJECTING
        return BoothKind.SMOKING if self.has_smoking else BoothKind.INJECTING

    def take(self, kind: BoothKind, arrives_at: datetime) -> tuple[int, datetime]:
        free_at, booth_id = heapq.heappop(self.free_at[kind])
        return booth_id, max(free_at, arrives_at)

    def release(self, kind: BoothKind, booth_id: int, free_at: datetime) -> None:
        heapq.heappush(self.free_at[kind], (free_at, booth_id))


def booth_minutes_for(booth_count: int, open_minutes: float, visits_per_day: int) -> float:
    """The mean booth time the site can offer: busy sites move people on sooner."""
    if booth_count == 0 or visits_per_day == 0:
        return 20.0
    capacity = 0.85 * booth_count * open_minutes / visits_per_day - sum(CLEANING) / 2
    return max(6.0, min(25.0, capacity))


def _arrival_times(rng: random.Random, day: SiteDay, count: int) -> list[datetime]:
    # Quieter mornings, busiest late afternoon and evening.
    span = (day.last_check_in_at - day.opens_at).total_seconds()
    offsets = sorted(rng.betavariate(1.7, 1.3) * span for _ in range(count))
    return [day.opens_at + timedelta(seconds=offset) for offset in offsets]


def _lognormal_minutes(rng: random.Random, mean: float, spread: float = 0.45) -> float:
    return rng.lognormvariate(math.log(mean) - spread * spread / 2, spread)


def _substances(rng: random.Random, route: Route, offered: set[str]) -> list[str]:
    table = tuple((code, weight) for code, weight in _SUBSTANCES[route] if code in offered)
    if not table:
        table = tuple((code, 1) for code in sorted(offered))
    first = _choose(rng, table)
    chosen = [first]
    if rng.random() < SECOND_SUBSTANCE_SHARE and len(table) > 1:
        second = _choose(rng, table)
        if second != first:
            chosen.append(second)
    return chosen


def services_for(rng: random.Random, route: Route) -> list[ServiceGiven]:
    given: list[ServiceGiven] = []
    kit = _ROUTE_KIT.get(route)
    if kit is not None and rng.random() < 0.85:
        given.append(kit)
    if route in (Route.INJECT, Route.SMOKE) and rng.random() < 0.05:
        given.append(ServiceGiven.NALOXONE_KIT)
    if rng.random() < 0.12:
        given.append(ServiceGiven.EDUCATION)
    if rng.random() < 0.03:
        given.append(ServiceGiven.REFERRAL_OFFERED)
    return given


@dataclass
class DaySchedule:
    """What the visits generator needs to know about the site."""

    floor: BoothFloor
    booth_kinds: dict[int, BoothKind]
    offered_substances: set[str]
    visits_per_day: int
    zone: ZoneInfo
    closing_time: time


def simulate_day(
    rng: random.Random,
    schedule: DaySchedule,
    local_date: date,
    arrive: Callable[[datetime], int | None],
    leave: Callable[[int, datetime], None],
) -> list[SyntheticVisit]:
    """The visits of one day, in order of arrival.

    `arrive(at)` says who comes (a client index, or None for a walk-in) and `leave(index, at)` is
    told when they go, so that nobody is on the floor twice at once.
    """
    day = site_day(local_date, schedule.zone, schedule.closing_time)
    floor = schedule.floor
    floor.open_day(day.opens_at)
    open_minutes = (day.last_check_in_at - day.opens_at).total_seconds() / 60
    mean_booth = booth_minutes_for(len(floor.booths), open_minutes, schedule.visits_per_day)
    job_runs_at = day.closes_at + timedelta(hours=2)
    visits: list[SyntheticVisit] = []
    for arrives_at in _arrival_times(rng, day, schedule.visits_per_day):
        client_index = arrive(arrives_at)
        route: Route = _choose(rng, _ROUTES)
        booth_id: int | None = None
        entered: datetime | None = None
        if floor.booths:
            kind = floor.kind_for(route)
            booth_id, entered = floor.take(kind, arrives_at)
            in_booth = timedelta(minutes=_lognormal_minutes(rng, mean_booth, 0.35))
            left_booth = entered + in_booth
            floor.release(kind, booth_id, left_booth + timedelta(minutes=rng.uniform(*CLEANING)))
        else:
            left_booth = arrives_at + timedelta(minutes=rng.uniform(1, 5))
        deteriorates = rng.random() < DETERIORATING_SHARE
        aftercare_at: datetime | None = None
        gone = left_booth
        if deteriorates or rng.random() < AFTERCARE_SHARE:
            aftercare_at = left_booth
            minutes = _lognormal_minutes(rng, 60.0 if deteriorates else 28.0, 0.5)
            gone = left_booth + timedelta(minutes=max(5.0, min(240.0, minutes)))
        status = VisitStatus.LEFT
        left_at = gone
        if rng.random() < LEFT_WITHOUT_CHECKOUT_SHARE and gone < job_runs_at:
            status, left_at = VisitStatus.LEFT_WITHOUT_CHECKOUT, job_runs_at
        if client_index is not None:
            leave(client_index, left_at)
        visits.append(
            SyntheticVisit(
                id=ordered_uuid(rng, arrives_at),
                client_index=client_index,
                route=route,
                checked_in_at=arrives_at,
                booth_id=booth_id,
                booth_entered_at=entered,
                aftercare_at=aftercare_at,
                left_at=left_at,
                gone_at=gone,
                status=status,
                deteriorates=deteriorates,
                substances=_substances(rng, route, schedule.offered_substances),
            )
        )
    return visits


def drug_checked(rng: random.Random) -> DrugChecked:
    result: DrugChecked = _choose(rng, _DRUG_CHECKED)
    return result
