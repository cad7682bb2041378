"""A visit's clinical record as its pages show it: observations a page at a time, any open
overdue alert, and the latest score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from sitesys.checkin.models import Visit
from sitesys.observations.latest import score_of
from sitesys.observations.models import Observation, ObservationKind, OverdueAlert
from sitesys.observations.scoring import format_rass

#: A visit rarely has more than a few dozen checks; a page shows at most this many, and says
#: so when there are more (the rest are a page away: the record is never cut short silently).
VISIT_OBSERVATION_LIMIT = 300


def visit_observations(session: Session, visit: Visit, page: int = 1) -> list[Observation]:
    """A page of a visit's observations, newest first, struck-through ones included."""
    return list(
        session.scalars(
            select(Observation)
            .where(Observation.visit_id == visit.id)
            .options(joinedload(Observation.recorded_by), joinedload(Observation.struck_by))
            .order_by(Observation.recorded_at.desc(), Observation.id.desc())
            .offset((page - 1) * VISIT_OBSERVATION_LIMIT)
            .limit(VISIT_OBSERVATION_LIMIT)
        )
    )


def count_visit_observations(session: Session, visit: Visit) -> int:
    """How many observations a visit has, struck-through ones included."""
    return int(
        session.scalar(
            select(func.count()).select_from(Observation).where(Observation.visit_id == visit.id)
        )
        or 0
    )


def _page_count(total: int) -> int:
    return max(1, -(-total // VISIT_OBSERVATION_LIMIT))


@dataclass(frozen=True)
class ObservationPage:
    """One page of a visit's observations, and where it stands among all of them."""

    observations: list[Observation]
    number: int
    total: int

    @property
    def page_count(self) -> int:
        return _page_count(self.total)

    @property
    def has_newer(self) -> bool:
        return self.number > 1

    @property
    def has_older(self) -> bool:
        return self.number < self.page_count


def observation_page(session: Session, visit: Visit, number: int) -> ObservationPage | None:
    """A page of the visit's observations, or None when there is no such page."""
    total = count_visit_observations(session, visit)
    if not 1 <= number <= _page_count(total):
        return None
    return ObservationPage(visit_observations(session, visit, number), number, total)


def open_alert_for(session: Session, visit: Visit) -> OverdueAlert | None:
    return session.scalar(
        select(OverdueAlert).where(
            OverdueAlert.visit_id == visit.id, OverdueAlert.closed_at.is_(None)
        )
    )


@dataclass
class ClinicalRecord:
    """The clinical side of a visit page: observations, the latest score, any open alert."""

    observations: list[Observation]
    open_alert: OverdueAlert | None
    #: All the visit's observations, of which `observations` holds the newest (at most
    #: VISIT_OBSERVATION_LIMIT).
    total: int

    @property
    def is_cut_short(self) -> bool:
        return self.total > len(self.observations)

    @property
    def latest_full(self) -> Observation | None:
        """The observation the score comes from, as on the board."""
        return score_of(self.observations)

    @property
    def calls_for_full_set(self) -> bool:
        """The score comes from a set with a red flag or close watch: a full set is the next
        check to offer first (a quick check is asked about, see services.FullSetAdvised).
        """
        latest = self.latest_full
        return bool(latest and latest.calls_for_full_set)


def clinical_record(session: Session, visit: Visit) -> ClinicalRecord:
    observations = visit_observations(session, visit)
    # Counted only when the page is full: a visit with fewer has them all on the page.
    total = len(observations)
    if total >= VISIT_OBSERVATION_LIMIT:
        total = count_visit_observations(session, visit)
    return ClinicalRecord(observations, open_alert_for(session, visit), total)


@dataclass(frozen=True)
class LastReading:
    """A reading as the visit last had it: "14" at 10:32 (shown beside its field)."""

    text: str
    recorded_at: datetime


def _said(value: Any) -> str:
    return str(value)


#: Each field of the full form, and how its last value reads beside it: the words and codes of
#: the form itself (ACVPU and POSS by their letter or number, RASS signed with a true minus).
_READINGS: dict[str, Callable[[Any], str]] = {
    "respiratory_rate": _said,
    "spo2": _said,
    "on_oxygen": lambda on: str(_("on oxygen") if on else _("on air")),
    "pulse": _said,
    "systolic_bp": _said,
    "temperature": _said,
    "consciousness": lambda level: str(level.value),
    "poss": lambda level: str(level.value),
    "rass": format_rass,
    "pupils": lambda pupils: str(pupils.label).lower(),
    "vomiting": lambda vomiting: str(_("yes") if vomiting else _("no")),
}


def last_readings(session: Session, visit: Visit) -> dict[str, LastReading]:
    """For each field of the full form, the visit's latest value and when it was taken, from
    full sets not struck through (a quick check measures nothing). A field never measured in
    this visit is left out.
    """
    columns = [getattr(Observation, name) for name in _READINGS]
    rows = session.execute(
        select(Observation.recorded_at, *columns)
        .where(
            Observation.visit_id == visit.id,
            Observation.kind == ObservationKind.FULL,
            Observation.struck_at.is_(None),
        )
        .order_by(Observation.recorded_at.desc(), Observation.id.desc())
    )
    found: dict[str, LastReading] = {}
    for recorded_at, *values in rows:
        for (name, say), value in zip(_READINGS.items(), values, strict=True):
            if name not in found and value is not None:
                found[name] = LastReading(say(value), recorded_at)
    return found
