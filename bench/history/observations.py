"""Observations through a visit: checks at the site's intervals, scored as nurses would see them.

Scoring every synthetic observation with `assess` would dominate the run, so a small table of
plausible vitals is scored once, up front, and observations draw from it. The table is also what
the database copies each observation's vitals and assessment from (`bulk.Templates`): a row is made
here in the driver's form and carries only its visit, times, nurse, key and vitals' number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bench.history.bulk import TEMPLATE, DriverForm, Shape, Statement, Templates
from bench.history.ids import ordered_uuid_text
from bench.history.visits import SyntheticVisit
from sitesys.observations.models import ObservationKind, Pupils
from sitesys.observations.scoring import Consciousness, Poss, SpO2Scale, Vitals, assess

if TYPE_CHECKING:
    from bench.history.generator import DayRecords, HistoryContext

#: Nurses check a little before the interval runs out: between these fractions of it.
CHECK_EARLY = (0.55, 1.0)
#: Share of checks that are full sets rather than a one-tap quick check.
FULL_SET_SHARE = 0.2
#: Share of observations struck through as a mistake.
STRUCK_SHARE = 0.001
#: How long a deteriorating client stays on close watch.
CLOSE_WATCH_MINUTES = (8.0, 30.0)
VITALS_TABLE_SIZE = 400

Row = dict[str, Any]


def _normal_vitals(rng: random.Random) -> tuple[Vitals, Pupils]:
    measured = rng.random()
    return (
        Vitals(
            respiratory_rate=rng.randint(12, 20),
            spo2=rng.randint(95, 100),
            on_oxygen=False,
            # Blood pressure and temperature are often not taken on a quick round.
            systolic_bp=rng.randint(100, 145) if measured < 0.7 else None,
            pulse=rng.randint(58, 104),
            consciousness=Consciousness.ALERT,
            temperature=Decimal(rng.randint(361, 375)) / 10 if measured < 0.5 else None,
            poss=rng.choice((Poss.AWAKE, Poss.AWAKE, Poss.ASLEEP, Poss.DROWSY)),
            rass=rng.choice((0, 0, 0, -1, 1)),
        ),
        rng.choice((Pupils.NORMAL, Pupils.NORMAL, Pupils.PINPOINT)),
    )


def _deteriorating_vitals(rng: random.Random) -> tuple[Vitals, Pupils]:
    severe = rng.random() < 0.4
    return (
        Vitals(
            respiratory_rate=rng.randint(4, 9) if severe else rng.randint(8, 12),
            spo2=rng.randint(78, 90) if severe else rng.randint(89, 95),
            on_oxygen=rng.random() < 0.5,
            systolic_bp=rng.randint(85, 130) if rng.random() < 0.6 else None,
            pulse=rng.randint(45, 120),
            consciousness=rng.choice(
                (Consciousness.PAIN, Consciousness.UNRESPONSIVE)
                if severe
                else (Consciousness.ALERT, Consciousness.VOICE, Consciousness.NEW_CONFUSION)
            ),
            temperature=Decimal(rng.randint(352, 372)) / 10 if rng.random() < 0.4 else None,
            poss=Poss.SOMNOLENT if severe else rng.choice((Poss.DROWSY, Poss.FREQUENTLY_DROWSY)),
            rass=rng.randint(-5, -4) if severe else rng.randint(-3, -1),
        ),
        Pupils.PINPOINT,
    )


def _scored(vitals: Vitals, pupils: Pupils) -> Row:
    assessment = assess(vitals, SpO2Scale.SCALE_1)
    news2 = assessment.news2
    return {
        "kind": ObservationKind.FULL,
        "respiratory_rate": vitals.respiratory_rate,
        "spo2": vitals.spo2,
        "on_oxygen": vitals.on_oxygen,
        "pulse": vitals.pulse,
        "systolic_bp": vitals.systolic_bp,
        "temperature": vitals.temperature,
        "consciousness": vitals.consciousness,
        "poss": vitals.poss,
        "rass": vitals.rass,
        "pupils": pupils,
        "vomiting": False,
        "spo2_scale": int(SpO2Scale.SCALE_1),
        "news2_total": news2.total if news2 else None,
        "news2_partial": news2.is_partial if news2 else False,
        "level": news2.level if news2 else None,
        "prompts_emergency": assessment.prompts_emergency,
        "needs_close_watch": assessment.needs_close_watch,
        "reasons": "; ".join(assessment.reasons)[:300] or None,
    }


#: The vitals table's number of the quick check.
QUICK = 0
QUICK_CHECK: Row = {
    "kind": ObservationKind.QUICK_CHECK,
    "respiratory_rate": None,
    "spo2": None,
    "on_oxygen": False,
    "pulse": None,
    "systolic_bp": None,
    "temperature": None,
    "consciousness": None,
    "poss": None,
    "rass": None,
    "pupils": None,
    "vomiting": None,
    "spo2_scale": int(SpO2Scale.SCALE_1),
    "news2_total": None,
    "news2_partial": False,
    "level": None,
    "prompts_emergency": False,
    "needs_close_watch": False,
    "reasons": None,
}


#: The columns an observation takes from its entry in the vitals table.
SHARED_COLUMNS = tuple(QUICK_CHECK)
#: An observation as the generator makes it: its own values, then its vitals' number.
OBSERVATIONS = Shape(
    "observations",
    ("visit_id", "recorded_at", "entered_at", "recorded_by_id", "submission_key", TEMPLATE),
    Statement.INSERT_FROM_TEMPLATE,
    SHARED_COLUMNS,
)
#: An observation struck through after it was recorded (an update, as the application does it).
STRIKES = Shape(
    "observations",
    ("struck_at", "struck_by_id", "strike_reason", "submission_key"),
    Statement.UPDATE_BY_KEY,
)
STRIKE_REASON = "Recorded against the wrong client"


@dataclass(frozen=True)
class VitalsTable:
    """Full observations scored once, and the quick check: each observation takes one by number.

    `sets[0]` is the quick check; `calm` and `deteriorating` number full sets of a calm client and
    of one who is deteriorating.
    """

    sets: tuple[Row, ...]
    calm: tuple[int, ...]
    deteriorating: tuple[int, ...]

    @classmethod
    def build(cls, rng: random.Random, size: int = VITALS_TABLE_SIZE) -> VitalsTable:
        calm = [_scored(*_normal_vitals(rng)) for _ in range(size)]
        worse = [_scored(*_deteriorating_vitals(rng)) for _ in range(size // 2)]
        # Only sets that really call for close watch stand for a deteriorating client.
        worse = [row for row in worse if row["needs_close_watch"]]
        first_worse = 1 + len(calm)
        return cls(
            sets=(QUICK_CHECK, *calm, *worse),
            calm=tuple(range(1, first_worse)),
            deteriorating=tuple(range(first_worse, first_worse + len(worse))),
        )

    def templates(self) -> Templates:
        """The table as the database holds it while loading (`OBSERVATIONS` rows name them)."""
        return Templates("observations", SHARED_COLUMNS, self.sets)


@dataclass(frozen=True)
class Intervals:
    booth: timedelta
    aftercare: timedelta
    close_watch: timedelta


@dataclass
class ObservationRows:
    """A day's observations in the driver's form (`OBSERVATIONS`) and those struck (`STRIKES`)."""

    driver: DriverForm
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    strikes: list[tuple[Any, ...]] = field(default_factory=list)

    def add(
        self, rng: random.Random, visit_id: Any, at: datetime, nurse_id: int, vitals: int
    ) -> None:
        timestamp = self.driver.timestamp
        entered_at = at + timedelta(seconds=rng.randint(5, 90))
        key = ordered_uuid_text(rng, at)
        self.rows.append((visit_id, timestamp(at), timestamp(entered_at), nurse_id, key, vitals))
        if rng.random() < STRUCK_SHARE:
            struck_at = entered_at + timedelta(minutes=rng.randint(1, 20))
            self.strikes.append((timestamp(struck_at), nurse_id, STRIKE_REASON, key))


def _on_watch(at: datetime, window: tuple[datetime, datetime] | None) -> bool:
    return window is not None and window[0] <= at < window[1]


def observe_visit(
    rng: random.Random,
    visit: SyntheticVisit,
    intervals: Intervals,
    table: VitalsTable,
    nurse_ids: list[int],
    out: ObservationRows,
) -> None:
    """Checks from entering the booth until the client goes, none outside the visit's span.

    In the booth and in aftercare the nurse checks a little before each interval runs out; a full
    set is taken on moving to aftercare and now and then otherwise; a client who deteriorates gets
    full sets at the close-watch interval until a calmer set ends it.
    """
    started = visit.booth_entered_at or visit.aftercare_at
    if started is None:
        return
    visit_id = out.driver.uuid(visit.id)
    nurse = rng.choice(nurse_ids)
    end = visit.gone_at
    window: tuple[datetime, datetime] | None = None
    if visit.deteriorates and table.deteriorating:
        phase_end = visit.aftercare_at or end
        watch_from = started + (phase_end - started) * rng.uniform(0.3, 0.9)
        window = (watch_from, watch_from + timedelta(minutes=rng.uniform(*CLOSE_WATCH_MINUTES)))
    aftercare = visit.aftercare_at
    at = started
    full_set_due = False
    while True:
        watching = _on_watch(at, window)
        in_aftercare = aftercare is not None and at >= aftercare
        interval = (
            intervals.close_watch
            if watching
            else (intervals.aftercare if in_aftercare else intervals.booth)
        )
        following = at + interval * rng.uniform(*CHECK_EARLY)
        if window is not None and at < window[0] < following:
            following = window[0]
        if aftercare is not None and at < aftercare < following:
            # A full set when the client settles in aftercare.
            following = aftercare + timedelta(minutes=rng.uniform(0.5, 3.0))
            full_set_due = True
        if following > end:
            break
        was_watching = watching
        at = following
        watching = _on_watch(at, window)
        if watching:
            vitals = rng.choice(table.deteriorating)
        elif full_set_due or was_watching or rng.random() < FULL_SET_SHARE:
            # A calmer full set is what ends close watch.
            vitals = rng.choice(table.calm)
            full_set_due = False
        else:
            vitals = QUICK
        out.add(rng, visit_id, at, nurse, vitals)
        if rng.random() < 0.1:
            nurse = rng.choice(nurse_ids)


def generate_observations(context: HistoryContext, day: DayRecords) -> None:
    """Checks of every visit at the site's intervals (close watch for those who deteriorate)."""
    made = ObservationRows(context.driver)
    for visit in day.visits:
        observe_visit(
            context.rng, visit, context.intervals, context.vitals, context.nurse_ids, made
        )
    day.add_shaped(OBSERVATIONS, made.rows)
    day.add_shaped(STRIKES, made.strikes)
