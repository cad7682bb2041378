"""Recording observations: scored at once, never overwritten, struck through with a reason."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.checkin.models import Visit
from sitesys.db import utcnow
from sitesys.observations.models import Observation, ObservationKind, OverdueAlert, Pupils
from sitesys.observations.scoring import (
    Consciousness,
    EscalationLevel,
    Poss,
    SpO2Scale,
    Vitals,
    assess,
)

#: How far back a nurse may date an observation they recorded late.
BACKDATE_LIMIT = timedelta(minutes=60)


class ObservationError(ValueError):
    """An observation that cannot be recorded; the message is shown to the nurse as it is."""


class VisitHasLeft(ObservationError):
    """The client left (the desk checked them out meanwhile): the visit changed, not the input."""


@dataclass
class ObservationInput:
    """What a nurse measured; every reading but consciousness may be missing."""

    consciousness: Consciousness
    respiratory_rate: int | None = None
    spo2: int | None = None
    on_oxygen: bool = False
    pulse: int | None = None
    systolic_bp: int | None = None
    temperature: Decimal | None = None
    poss: Poss | None = None
    rass: int | None = None
    pupils: Pupils | None = None
    vomiting: bool | None = None
    note: str | None = None


def _observed_at(visit: Visit, observed_at: datetime | None, reason: str | None) -> datetime:
    """The server's time, or an earlier time within the hour, after check-in, with a reason."""
    now = utcnow()
    if observed_at is None:
        if not visit.status.is_open:
            raise VisitHasLeft(
                f"{visit.display_tag} has left. Record an earlier time (before they left) "
                "with a reason, or nothing."
            )
        return now
    if observed_at > now:
        raise ObservationError("The time observed cannot be in the future.")
    if now - observed_at > BACKDATE_LIMIT:
        raise ObservationError("An observation can be dated at most 60 minutes back.")
    if observed_at < visit.checked_in_at:
        raise ObservationError("The time observed is before the visit started.")
    if visit.left_at is not None and observed_at > visit.left_at:
        raise ObservationError(f"{visit.display_tag} had left by then.")
    if not (reason or "").strip():
        raise ObservationError("Give a reason for recording an earlier time.")
    return observed_at


def _replay(session: Session, submission_key: str) -> Observation | None:
    return session.scalar(select(Observation).where(Observation.submission_key == submission_key))


def _save(session: Session, observation: Observation) -> Observation:
    try:
        with session.begin_nested():
            session.add(observation)
            session.flush()
    except IntegrityError:
        # The same form arrived twice at once: the first one stands.
        existing = _replay(session, observation.submission_key)
        if existing is None:
            raise
        return existing
    _close_alert(session, observation)
    return observation


def _close_alert(session: Session, observation: Observation) -> None:
    session.execute(
        update(OverdueAlert)
        .where(OverdueAlert.visit_id == observation.visit_id, OverdueAlert.closed_at.is_(None))
        .values(closed_at=observation.entered_at, closed_by_observation_id=observation.id)
    )


def record_quick_check(
    session: Session, actor: Staff, visit: Visit, submission_key: str
) -> Observation:
    """One tap: the client is responsive and breathing normally, now."""
    replayed = _replay(session, submission_key)
    if replayed is not None:
        return replayed
    now = _observed_at(visit, None, None)
    observation = _save(
        session,
        Observation(
            visit_id=visit.id,
            kind=ObservationKind.QUICK_CHECK,
            recorded_at=now,
            entered_at=now,
            recorded_by_id=actor.id,
            submission_key=submission_key,
            spo2_scale=visit.spo2_scale,
        ),
    )
    record_event(
        session,
        "observation.quick_check",
        actor=actor,
        record_type="observation",
        record_id=observation.id,
        site_id=visit.site_id,
        visit_id=str(visit.id),
    )
    return observation


def record_observation(
    session: Session,
    actor: Staff,
    visit: Visit,
    reading: ObservationInput,
    submission_key: str,
    *,
    observed_at: datetime | None = None,
    backdate_reason: str | None = None,
) -> Observation:
    """Record a full set, scored by NEWS2 on the visit's SpO2 scale, with red flags and close
    watch worked out at once and kept with the record.
    """
    replayed = _replay(session, submission_key)
    if replayed is not None:
        return replayed
    when = _observed_at(visit, observed_at, backdate_reason)
    scale = SpO2Scale(visit.spo2_scale)
    vitals = Vitals(
        respiratory_rate=reading.respiratory_rate,
        spo2=reading.spo2,
        on_oxygen=reading.on_oxygen,
        systolic_bp=reading.systolic_bp,
        pulse=reading.pulse,
        consciousness=reading.consciousness,
        temperature=reading.temperature,
        poss=reading.poss,
        rass=reading.rass,
    )
    assessment = assess(vitals, scale)
    news2 = assessment.news2
    reasons = [*assessment.red_flags, *assessment.close_watch_reasons]
    observation = _save(
        session,
        Observation(
            visit_id=visit.id,
            kind=ObservationKind.FULL,
            recorded_at=when,
            entered_at=utcnow(),
            recorded_by_id=actor.id,
            backdate_reason=(backdate_reason or "").strip()[:200] or None if observed_at else None,
            respiratory_rate=reading.respiratory_rate,
            spo2=reading.spo2,
            on_oxygen=reading.on_oxygen,
            pulse=reading.pulse,
            systolic_bp=reading.systolic_bp,
            temperature=reading.temperature,
            consciousness=reading.consciousness,
            poss=reading.poss,
            rass=reading.rass,
            pupils=reading.pupils,
            vomiting=reading.vomiting,
            note=(reading.note or "").strip()[:500] or None,
            spo2_scale=int(scale),
            news2_total=news2.total if news2 else None,
            news2_partial=news2.is_partial if news2 else False,
            level=news2.level if news2 else None,
            prompts_emergency=assessment.prompts_emergency,
            needs_close_watch=assessment.needs_close_watch,
            reasons="; ".join(dict.fromkeys(reasons))[:300] or None,
            submission_key=submission_key,
        ),
    )
    record_event(
        session,
        "observation.recorded",
        actor=actor,
        record_type="observation",
        record_id=observation.id,
        site_id=visit.site_id,
        visit_id=str(visit.id),
        level=observation.level.value if observation.level else None,
        prompts_emergency=observation.prompts_emergency,
        backdated=observed_at is not None,
    )
    return observation


def strike_observation(
    session: Session, actor: Staff, observation: Observation, reason: str
) -> None:
    """Strike a mistaken observation through; it stays visible with the reason."""
    reason = reason.strip()
    if not reason:
        raise ObservationError("Give a reason for striking the observation through.")
    if observation.struck_at is not None:
        raise ObservationError("That observation is already struck through.")
    observation.struck_at = utcnow()
    observation.struck_by_id = actor.id
    observation.strike_reason = reason[:200]
    record_event(
        session,
        "observation.struck",
        actor=actor,
        record_type="observation",
        record_id=observation.id,
        site_id=session.scalar(select(Visit.site_id).where(Visit.id == observation.visit_id)),
        visit_id=str(observation.visit_id),
    )
    session.flush()


def set_spo2_scale(
    session: Session, actor: Staff, visit: Visit, scale: SpO2Scale, reason: str
) -> None:
    """Scale 2 only by a clinician's decision, with a reason; back to scale 1 also needs one."""
    reason = reason.strip()
    if not reason:
        raise ObservationError("Give a reason for changing the SpO2 scale.")
    if visit.spo2_scale == int(scale):
        raise ObservationError(f"The visit is already on SpO2 scale {int(scale)}.")
    visit.spo2_scale = int(scale)
    visit.spo2_scale_reason = reason[:200]
    record_event(
        session,
        "visit.spo2_scale_set",
        actor=actor,
        record_type="visit",
        record_id=visit.id,
        site_id=visit.site_id,
        scale=int(scale),
    )
    session.flush()


@dataclass(frozen=True)
class LatestObservations:
    """For each visit: when it was last checked, and the full observation its score comes from."""

    last_checked_at: dict[uuid.UUID, datetime]
    latest_full: dict[uuid.UUID, Observation]

    def close_watch(self, visit_id: uuid.UUID) -> bool:
        latest = self.latest_full.get(visit_id)
        return bool(latest and latest.needs_close_watch)


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


#: A visit rarely has more than a few dozen checks; the page shows at most this many.
VISIT_OBSERVATION_LIMIT = 300


def visit_observations(session: Session, visit: Visit) -> list[Observation]:
    """Every observation of a visit, newest first, struck-through ones included."""
    from sqlalchemy.orm import joinedload

    return list(
        session.scalars(
            select(Observation)
            .where(Observation.visit_id == visit.id)
            .options(joinedload(Observation.recorded_by), joinedload(Observation.struck_by))
            .order_by(Observation.recorded_at.desc(), Observation.id.desc())
            .limit(VISIT_OBSERVATION_LIMIT)
        )
    )


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

    @property
    def latest_full(self) -> Observation | None:
        return next(
            (o for o in self.observations if o.kind is ObservationKind.FULL and not o.is_struck),
            None,
        )


def clinical_record(session: Session, visit: Visit) -> ClinicalRecord:
    return ClinicalRecord(visit_observations(session, visit), open_alert_for(session, visit))
