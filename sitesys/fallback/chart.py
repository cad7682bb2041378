"""The NEWS2 key of the paper observation chart, read from the scoring module itself.

The paper chart is what staff score by when SiteSys is down, so its bands must be the bands
SiteSys scores by. Nothing here writes a threshold: each row is found by asking the scoring
functions for every value in a range and grouping the values that score alike, and the red flags
and close-watch triggers are found by assessing each value on its own. A change to a threshold
in `observations/scoring.py` changes the paper chart with it. No database, no Flask.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from flask_babel import gettext as _

from sitesys.observations.scoring import (
    EN_DASH,
    Consciousness,
    EscalationLevel,
    Poss,
    SpO2Scale,
    Vitals,
    _news2_level,
    air_or_oxygen_score,
    assess,
    consciousness_score,
    format_rass,
    pulse_score,
    respiratory_rate_score,
    spo2_score,
    systolic_bp_score,
    temperature_score,
)

T = TypeVar("T")

#: The score above each column of the key, as on the RCP chart: low values to the left of 0,
#: high values to the right.
COLUMNS: tuple[int, ...] = (3, 2, 1, 0, 1, 2, 3)
_ZERO = COLUMNS.index(0)

# Ranges wide enough to hold every threshold, with readings a nurse could write down.
_RATES = range(0, 61)
_SATURATIONS = range(50, 101)
_PRESSURES = range(40, 301)
_PULSES = range(0, 251)
_TEMPERATURES = [Decimal(tenths).scaleb(-1) for tenths in range(300, 451)]


@dataclass(frozen=True)
class Band:
    """Values that score the same, written as staff read them: "≤8", "9–11", "≥25"."""

    text: str
    score: int


@dataclass(frozen=True)
class KeyRow:
    """One parameter of the key: its name and the band in each of the seven score columns."""

    parameter: str
    cells: tuple[str, ...]


def bands(score: Callable[[T], int], values: Sequence[T], show: Callable[[T], str]) -> list[Band]:
    """Group neighbouring values that score alike; the first group is "≤", the last "≥"."""
    groups: list[list[T]] = []
    scores: list[int] = []
    for value in values:
        scored = score(value)
        if scores and scores[-1] == scored:
            groups[-1].append(value)
        else:
            groups.append([value])
            scores.append(scored)
    found = []
    for position, (group, scored) in enumerate(zip(groups, scores, strict=True)):
        first, last = show(group[0]), show(group[-1])
        if position == 0 and len(groups) > 1:
            text = f"≤{last}"
        elif position == len(groups) - 1 and len(groups) > 1:
            text = f"≥{first}"
        elif first == last:
            text = first
        else:
            text = f"{first}{EN_DASH}{last}"
        found.append(Band(text, scored))
    return found


def labelled_bands(
    score: Callable[[T], int], values: Sequence[T], show: Callable[[T], str]
) -> list[Band]:
    """Bands of named values (consciousness, air or oxygen): the names joined, not a range."""
    found: list[Band] = []
    for value in values:
        scored = score(value)
        if found and found[-1].score == scored:
            found[-1] = Band(f"{found[-1].text}, {show(value)}", scored)
        else:
            found.append(Band(show(value), scored))
    return found


def _row(parameter: str, found: Sequence[Band]) -> KeyRow:
    """Place each band in its column: before the first 0 on the low side, after it the high."""
    cells = [""] * len(COLUMNS)
    zero_seen = False
    for band in found:
        if band.score == 0:
            column = _ZERO
            zero_seen = True
        elif zero_seen:
            column = _ZERO + band.score
        else:
            column = _ZERO - band.score
        cells[column] = f"{cells[column]} / {band.text}" if cells[column] else band.text
    return KeyRow(parameter, tuple(cells))


def _whole(value: int) -> str:
    return str(value)


def news2_key() -> list[KeyRow]:
    """The NEWS2 scoring key, parameter by parameter, as SiteSys scores it."""
    return [
        _row(
            # TRANSLATORS: clinical (NEWS2 parameter)
            _("Respiratory rate (per minute)"),
            bands(respiratory_rate_score, _RATES, _whole),
        ),
        _row(
            # TRANSLATORS: clinical (NEWS2 parameter)
            _("SpO2 scale 1 (%)"),
            bands(lambda v: spo2_score(v, on_oxygen=False), _SATURATIONS, _whole),
        ),
        _row(
            # TRANSLATORS: clinical (NEWS2 parameter)
            _("SpO2 scale 2 (%), on air"),
            bands(lambda v: spo2_score(v, False, SpO2Scale.SCALE_2), _SATURATIONS, _whole),
        ),
        _row(
            # TRANSLATORS: clinical (NEWS2 parameter)
            _("SpO2 scale 2 (%), on oxygen"),
            bands(lambda v: spo2_score(v, True, SpO2Scale.SCALE_2), _SATURATIONS, _whole),
        ),
        _row(
            # TRANSLATORS: clinical (NEWS2 parameter)
            _("Air or oxygen"),
            labelled_bands(
                air_or_oxygen_score, [True, False], lambda on: _("Oxygen") if on else _("Air")
            ),
        ),
        _row(
            # TRANSLATORS: clinical (NEWS2 parameter)
            _("Systolic blood pressure (mmHg)"),
            bands(systolic_bp_score, _PRESSURES, _whole),
        ),
        _row(
            # TRANSLATORS: clinical (NEWS2 parameter)
            _("Pulse (per minute)"),
            bands(pulse_score, _PULSES, _whole),
        ),
        _row(
            # TRANSLATORS: clinical (NEWS2 parameter)
            _("Consciousness (ACVPU)"),
            labelled_bands(consciousness_score, list(Consciousness), lambda c: c.value),
        ),
        _row(
            # TRANSLATORS: clinical (NEWS2 parameter)
            _("Temperature (°C)"),
            bands(temperature_score, _TEMPERATURES, lambda degrees: f"{degrees:.1f}"),
        ),
    ]


@dataclass(frozen=True)
class Level:
    """A NEWS2 level and the totals that reach it."""

    label: str
    totals: str


def _complete_set_level(total: int, scores: Sequence[int]) -> EscalationLevel:
    """The level of a complete set's total (a complete set is always rated)."""
    level = _news2_level(total, scores, is_partial=False)
    if level is None:
        raise ValueError(f"a complete set totalling {total} was not rated")
    return level


def news2_levels() -> list[Level]:
    """The levels by total (with no single parameter scoring 3), low to high, and the level a
    single 3 gives on its own.
    """
    found = bands(lambda total: _complete_set_level(total, []).rank, range(0, 21), _whole)
    levels = [
        Level(level.label, band.text.replace("≤", f"0{EN_DASH}", 1))
        for band in found
        for level in EscalationLevel
        if level.rank == band.score
    ]
    single = _complete_set_level(3, [3])
    # TRANSLATORS: clinical (NEWS2)
    levels.insert(1, Level(single.label, _("any single parameter scoring 3")))
    return levels


def red_flags() -> list[str]:
    """Every red flag, in SiteSys's own words, found by assessing each reading on its own."""
    readings: list[Vitals] = [
        *(Vitals(respiratory_rate=rate) for rate in _RATES),
        *(Vitals(spo2=saturation) for saturation in _SATURATIONS),
        *(Vitals(consciousness=level) for level in Consciousness),
        *(Vitals(poss=level) for level in Poss),
        *(Vitals(rass=rass) for rass in range(-5, 5)),
    ]
    found: list[str] = []
    for vitals in readings:
        for flag in assess(vitals).red_flags:
            if flag not in found:
                found.append(flag)
    return found


def close_watch_triggers() -> list[str]:
    """What puts a client on close watch: POSS and RASS readings found by assessing each on its
    own, and the NEWS2 levels found by assessing full sets across the range of totals.
    """
    poss = [level.value for level in Poss if assess(Vitals(poss=level)).needs_close_watch]
    rass = [format_rass(r) for r in range(-5, 5) if assess(Vitals(rass=r)).needs_close_watch]
    watched: set[EscalationLevel] = set()
    for rate in _RATES:
        for pulse, pressure in itertools.product((70, 100, 120, 140), (120, 95)):
            vitals = Vitals(
                respiratory_rate=rate,
                spo2=97,
                systolic_bp=pressure,
                pulse=pulse,
                consciousness=Consciousness.ALERT,
                temperature=Decimal("37.0"),
            )
            found = assess(vitals)
            if (
                found.news2 is not None
                and found.news2.level is not None
                and any(reason.startswith("NEWS2") for reason in found.close_watch_reasons)
            ):
                watched.add(found.news2.level)
    levels = [level.label.lower() for level in EscalationLevel if level in watched]
    # TRANSLATORS: clinical (joins two POSS levels or two NEWS2 levels: "3 or 4")
    either = _(" or ")
    return [
        f"POSS {either.join(poss)}",
        # TRANSLATORS: clinical (RASS readings, as "-5, -4, -3, +3 or +4")
        _("RASS %(readings)s or %(last)s", readings=", ".join(rass[:-1]), last=rass[-1]),
        f"NEWS2 {either.join(levels)}",
    ]
