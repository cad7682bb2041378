"""Where each visit's score comes from: its latest check, and the observation that speaks for it.

The board, the overdue-alert job and the visit page's check clock all read this, so a worry
raised by one observation is never dropped by another that did not measure it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from sitesys.observations.models import Observation, ObservationKind
from sitesys.observations.scoring import EscalationLevel, Vitals, assess


@dataclass(frozen=True)
class LatestObservations:
    """For each visit: when it was last checked, and the full observation its score comes from."""

    last_checked_at: dict[uuid.UUID, datetime]
    latest_full: dict[uuid.UUID, Observation]

    def close_watch(self, visit_id: uuid.UUID) -> bool:
        latest = self.latest_full.get(visit_id)
        return bool(latest and latest.needs_close_watch)

    def calls_for_full_set(self, visit_id: uuid.UUID) -> bool:
        """Whether the visit's score comes from a set with a red flag or a close-watch reason,
        so that its next check should be a full set (the board offers no one-tap quick check).
        """
        latest = self.latest_full.get(visit_id)
        return bool(latest and latest.calls_for_full_set)


#: Vitals fields a later set must measure again before it can show a worry has passed (air or
#: oxygen is always recorded, so it is not among them).
_MEASURED = (
    "respiratory_rate",
    "spo2",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature",
    "poss",
    "rass",
)


def _is_worrying(observation: Observation) -> bool:
    return bool(
        observation.prompts_emergency
        or observation.needs_close_watch
        or observation.level not in (None, EscalationLevel.LOW)
    )


def worrying_parameters(observation: Observation) -> frozenset[str]:
    """What made a set worrying: each parameter that on its own raises a red flag, close watch or
    a NEWS2 score of 3, and with a medium or high total every parameter that scored. Each is
    judged by the scoring module itself (the parameter assessed alone), so no threshold is
    written twice.
    """
    vitals = observation.vitals()
    scale = observation.scale
    total_is_high = observation.level in (EscalationLevel.MEDIUM, EscalationLevel.HIGH)
    found: set[str] = set()
    for name in _MEASURED:
        value = getattr(vitals, name)
        if value is None:
            continue
        alone = assess(Vitals(on_oxygen=vitals.on_oxygen, **{name: value}), scale)
        scores = alone.news2.parameter_scores if alone.news2 else {}
        score = max((v for k, v in scores.items() if k != "air_or_oxygen"), default=0)
        if alone.red_flags or alone.close_watch_reasons or score >= 3 or (total_is_high and score):
            found.add(name)
    return frozenset(found)


def _remeasures(later: Observation, worrying: Observation) -> bool:
    return all(getattr(later, name) is not None for name in worrying_parameters(worrying))


#: A full observation that speaks for the client's state on its own: every NEWS2 parameter taken,
#: or something worrying found.
_SPEAKS = or_(
    Observation.news2_partial.is_(False),
    Observation.level.is_not(None),
    Observation.prompts_emergency.is_(True),
    Observation.needs_close_watch.is_(True),
)


def _speaks(observation: Observation) -> bool:
    """`_SPEAKS`, for an observation already loaded."""
    return bool(
        not observation.news2_partial
        or observation.level is not None
        or observation.prompts_emergency
        or observation.needs_close_watch
    )


def score_of(observations: Iterable[Observation]) -> Observation | None:
    """The observation a visit's score comes from, chosen as `latest_observations` chooses,
    from its observations newest first (the visit page has them loaded already).
    """
    said: Observation | None = None
    partial: Observation | None = None
    for observation in observations:
        if observation.kind is not ObservationKind.FULL or observation.struck_at is not None:
            continue
        if _speaks(observation):
            said = said or observation
        else:
            partial = partial or observation
        if said is not None and partial is not None:
            break
    return _score_source(said, partial)


def latest_observations(session: Session, visit_ids: Collection[uuid.UUID]) -> LatestObservations:
    """Latest check and the observation each visit's score comes from, in one query.

    The score comes from the latest full observation, except that a partial set raising nothing
    (a pulse taken on its own) does not take over from a worrying one unless it measured again
    everything that made that one worrying: a red flag, a worrying score and close watch end only
    with a calmer observation of what worried. A quick check moves the clock on but never ends
    them. Struck-through observations do not count.
    """
    if not visit_ids:
        return LatestObservations({}, {})
    order = (Observation.recorded_at.desc(), Observation.id.desc())
    speaks = case((_SPEAKS, 1), else_=0)
    ranked = (
        select(
            Observation.id.label("id"),
            speaks.label("speaks"),
            func.row_number()
            .over(partition_by=Observation.visit_id, order_by=order)
            .label("any_rank"),
            # The latest full set that speaks for itself, and the latest that does not.
            func.row_number()
            .over(partition_by=(Observation.visit_id, Observation.kind, speaks), order_by=order)
            .label("kind_rank"),
        )
        .where(Observation.visit_id.in_(list(visit_ids)), Observation.struck_at.is_(None))
        .subquery()
    )
    rows = session.execute(
        select(Observation, ranked.c.any_rank, ranked.c.kind_rank, ranked.c.speaks)
        .join(ranked, ranked.c.id == Observation.id)
        .where(
            or_(
                ranked.c.any_rank == 1,
                and_(ranked.c.kind_rank == 1, Observation.kind == ObservationKind.FULL),
            )
        )
    )
    checked: dict[uuid.UUID, datetime] = {}
    speaking: dict[uuid.UUID, Observation] = {}
    silent: dict[uuid.UUID, Observation] = {}
    for observation, any_rank, kind_rank, speaks_for_itself in rows:
        if any_rank == 1:
            checked[observation.visit_id] = observation.recorded_at
        if kind_rank == 1 and observation.kind is ObservationKind.FULL:
            (speaking if speaks_for_itself else silent)[observation.visit_id] = observation
    latest: dict[uuid.UUID, Observation] = {}
    for visit_id in speaking.keys() | silent.keys():
        source = _score_source(speaking.get(visit_id), silent.get(visit_id))
        if source is not None:
            latest[visit_id] = source
    return LatestObservations(checked, latest)


def _score_source(said: Observation | None, partial: Observation | None) -> Observation | None:
    """The latest set that speaks for itself, or the latest partial one when that is newer and
    measured again whatever made the other worrying.
    """
    if said is None or partial is None:
        return said or partial
    if (partial.recorded_at, partial.id) < (said.recorded_at, said.id):
        return said
    if _is_worrying(said) and not _remeasures(partial, said):
        return said
    return partial
