"""Observations through a visit: checks at the site's intervals, scored as nurses would see them.

Scoring every synthetic observation with `assess` would dominate the run, so a small table of
plausible vitals is scored once, up front, and observations draw from it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sitesys.history.ids import ordered_uuid_text
from sitesys.history.visits import SyntheticVisit
from sitesys.observations.models import ObservationKind, Pupils
from sitesys.observations.scoring import Consciousness, Poss, SpO2Scale, Vitals, assess

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
    reasons = [*assessment.red_flags, *assessment.close_watch_reasons]
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
        "reasons": "; ".join(dict.fromkeys(reasons))[:300] or None,
    }


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


@dataclass(frozen=True)
class VitalsTable:
    """Full observations scored once: calm ones, and ones of a client who is deteriorating."""

    calm: tuple[Row, ...]
    deteriorating: tuple[Row, ...]

    @classmethod
    def build(cls, rng: random.Random, size: int = VITALS_TABLE_SIZE) -> VitalsTable:
        calm = tuple(_scored(*_normal_vitals(rng)) for _ in range(size))
        worse = tuple(_scored(*_deteriorating_vitals(rng)) for _ in range(size // 2))
        # Only sets that really call for close watch stand for a deteriorating client.
        return cls(calm, tuple(row for row in worse if row["needs_close_watch"]))


@dataclass(frozen=True)
class Intervals:
    booth: timedelta
    aftercare: timedelta
    close_watch: timedelta


def _row(
    template: Row,
    visit: SyntheticVisit,
    at: datetime,
    nurse_id: int,
    rng: random.Random,
    struck_by: int,
) -> Row:
    row = dict(template)
    row["visit_id"] = visit.id
    row["recorded_at"] = at
    row["entered_at"] = at + timedelta(seconds=rng.randint(5, 90))
    row["recorded_by_id"] = nurse_id
    row["submission_key"] = ordered_uuid_text(rng, at)
    if rng.random() < STRUCK_SHARE:
        row["struck_at"] = row["entered_at"] + timedelta(minutes=rng.randint(1, 20))
        row["struck_by_id"] = struck_by
        row["strike_reason"] = "Recorded against the wrong client"
    else:
        row["struck_at"] = None
        row["struck_by_id"] = None
        row["strike_reason"] = None
    return row


def _on_watch(at: datetime, window: tuple[datetime, datetime] | None) -> bool:
    return window is not None and window[0] <= at < window[1]


def observation_rows(
    rng: random.Random,
    visit: SyntheticVisit,
    intervals: Intervals,
    table: VitalsTable,
    nurse_ids: list[int],
) -> list[Row]:
    """Checks from entering the booth until the client goes, none outside the visit's span.

    In the booth and in aftercare the nurse checks a little before each interval runs out; a full
    set is taken on moving to aftercare and now and then otherwise; a client who deteriorates gets
    full sets at the close-watch interval until a calmer set ends it.
    """
    rows: list[Row] = []
    started = visit.booth_entered_at or visit.aftercare_at
    if started is None:
        return rows
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
            template = rng.choice(table.deteriorating)
        elif full_set_due or was_watching or rng.random() < FULL_SET_SHARE:
            # A calmer full set is what ends close watch.
            template = rng.choice(table.calm)
            full_set_due = False
        else:
            template = QUICK_CHECK
        rows.append(_row(template, visit, at, nurse, rng, nurse))
        if rng.random() < 0.1:
            nurse = rng.choice(nurse_ids)
    return rows
