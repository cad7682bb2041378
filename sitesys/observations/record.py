"""A visit's clinical record as its pages show it: observations a page at a time, any open
overdue alert, and the latest score.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from sitesys.checkin.models import Visit
from sitesys.observations.latest import score_of
from sitesys.observations.models import Observation, OverdueAlert

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


def clinical_record(session: Session, visit: Visit) -> ClinicalRecord:
    observations = visit_observations(session, visit)
    # Counted only when the page is full: a visit with fewer has them all on the page.
    total = len(observations)
    if total >= VISIT_OBSERVATION_LIMIT:
        total = count_visit_observations(session, visit)
    return ClinicalRecord(observations, open_alert_for(session, visit), total)
