"""A day at the site: arrivals over opening hours, the booth each waits for, how long they stay."""

from __future__ import annotations

import heapq
import math
import random
import uuid
from bisect import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from bench.history.bulk import Shape, Statement, table_of
from bench.history.ids import ordered_uuid, ordered_uuid_text
from sitesys.checkin.models import DrugChecked, Route, ServiceGiven, VisitStatus
from sitesys.clients.models import Client
from sitesys.sites.models import BoothKind

if TYPE_CHECKING:
    from bench.history.generator import DayRecords, HistoryContext

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice made ready once: the pick `rng.choices` would make, without rebuilding
    its lists and running totals for every draw (millions of draws in a long history).
    """

    def __init__(self, table: Iterable[tuple[T, int]]) -> None:
        pairs = list(table)
        self.values = [value for value, _weight in pairs]
        self.cumulative = list(accumulate(weight for _value, weight in pairs))
        self.total = self.cumulative[-1] + 0.0
        self.last = len(pairs) - 1

    def pick(self, rng: random.Random) -> T:
        # As random.choices does it, so a seed draws the same history.
        return self.values[bisect(self.cumulative, rng.random() * self.total, 0, self.last)]


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
_ROUTES = Weighted(
    (
        (Route.INJECT, 42),
        (Route.SMOKE, 38),
        (Route.SNORT, 13),
        (Route.ORAL, 5),
        (Route.OTHER, 2),
    )
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
_DRUG_CHECKED = Weighted(((DrugChecked.NO, 70), (DrugChecked.YES, 22), (DrugChecked.DECLINED, 8)))


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


def substance_choice(route: Route, offered: set[str]) -> Weighted[str]:
    """What people using this route take, among the substances the site offers."""
    table = tuple((code, weight) for code, weight in _SUBSTANCES[route] if code in offered)
    return Weighted(table or ((code, 1) for code in sorted(offered)))


def _substances(rng: random.Random, choice: Weighted[str]) -> list[str]:
    first = choice.pick(rng)
    chosen = [first]
    if rng.random() < SECOND_SUBSTANCE_SHARE and choice.last > 0:
        second = choice.pick(rng)
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
    _substance_choices: dict[Route, Weighted[str]] = field(default_factory=dict, init=False)

    def substances_for(self, route: Route) -> Weighted[str]:
        choice = self._substance_choices.get(route)
        if choice is None:
            choice = substance_choice(route, self.offered_substances)
            self._substance_choices[route] = choice
        return choice


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
        route = _ROUTES.pick(rng)
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
                substances=_substances(rng, schedule.substances_for(route)),
            )
        )
    return visits


def drug_checked(rng: random.Random) -> DrugChecked:
    return _DRUG_CHECKED.pick(rng)


#: A visit as `generate_visits` makes it, in the driver's form (columns in the table's order).
VISITS = Shape(
    "visits",
    (
        "id",
        "site_id",
        "client_id",
        "status",
        "booth_id",
        "route",
        "drug_checked",
        "checked_in_at",
        "booth_entered_at",
        "aftercare_at",
        "left_at",
        "checked_in_by_id",
        "submission_key",
        "spo2_scale",
    ),
    Statement.INSERT,
)
VISIT_SUBSTANCES = Shape("visit_substances", ("visit_id", "code"), Statement.INSERT)
VISIT_SERVICES = Shape(
    "visit_services", ("visit_id", "service", "recorded_at", "recorded_by_id"), Statement.INSERT
)


def generate_visits(context: HistoryContext, day: DayRecords) -> None:
    """The day's visits, any first-time clients, what they used and the services they were given.

    Made in the driver's form: each visit's identifier and check-in time are formatted once, for
    the visit and for the rows that refer to it.
    """
    rng = context.rng
    pool = context.pool
    timestamp = context.driver.timestamp
    uuid_form = context.driver.uuid
    day.visits = simulate_day(rng, context.schedule, day.local_date, pool.arrival, pool.leaves)
    day.add(table_of(Client), pool.take_new_rows())
    visits: list[tuple[Any, ...]] = []
    substances: list[tuple[Any, ...]] = []
    services: list[tuple[Any, ...]] = []
    for visit in day.visits:
        desk = rng.choice(context.desk_ids)
        visit_id = uuid_form(visit.id)
        checked_in_at = timestamp(visit.checked_in_at)
        client = visit.client_index
        visits.append(
            (
                visit_id,
                context.site_id,
                None if client is None else uuid_form(pool.ids[client]),
                visit.status.value,
                visit.booth_id,
                visit.route.value,
                drug_checked(rng).value,
                checked_in_at,
                _optional(timestamp, visit.booth_entered_at),
                _optional(timestamp, visit.aftercare_at),
                timestamp(visit.left_at),
                desk,
                ordered_uuid_text(rng, visit.checked_in_at),
                1,
            )
        )
        substances.extend((visit_id, code) for code in visit.substances)
        services.extend(
            (visit_id, service.value, checked_in_at, desk)
            for service in services_for(rng, visit.route)
        )
    day.add_shaped(VISITS, visits)
    day.add_shaped(VISIT_SUBSTANCES, substances)
    day.add_shaped(VISIT_SERVICES, services)


def _optional(timestamp: Callable[[datetime], Any], value: datetime | None) -> Any:
    return None if value is None else timestamp(value)
