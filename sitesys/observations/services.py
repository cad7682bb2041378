"""Recording observations: scored at once, never overwritten, struck through with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.checkin.models import Visit
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.observations.latest import latest_observations
from sitesys.observations.models import Observation, ObservationKind, OverdueAlert, Pupils
from sitesys.observations.scoring import (
    Consciousness,
    Poss,
    SpO2Scale,
    Vitals,
    assess,
)
from sitesys.refusals import Refused

#: How far back a nurse may date an observation they recorded late.
BACKDATE_LIMIT = timedelta(minutes=60)


class ObservationError(Refused):
    """An observation that cannot be recorded; the message is shown to the nurse as it is."""


class VisitHasLeft(ObservationError):
    """The client left (the desk checked them out meanwhile): the visit changed, not the input."""


class FullSetAdvised(ObservationError):
    """A quick check asked for while the visit's latest full set raised a red flag or a
    close-watch reason: the nurse is asked to record a full set instead, and may still go
    ahead with the quick check (which leaves close watch as it is).
    """

    category = "warning"

    def __init__(self, visit: Visit, worrying: Observation) -> None:
        super().__init__(full_set_reason(visit, worrying))
        self.worrying = worrying


def full_set_reason(visit: Visit, worrying: Observation) -> str:
    """Why the next check should be a full set, in the words of the set that worried."""
    reasons = "; ".join(worrying.reason_list) or str(
        # TRANSLATORS: clinical (a close-watch reason: "NEWS2 high")
        _("NEWS2 %(level)s", level=worrying.level_label.lower())
    )
    if worrying.needs_close_watch:
        # TRANSLATORS: clinical
        said = _(
            "%(tag)s is on close watch: %(reasons)s. A quick check does not end it; only a full "
            "set that measures these again and finds them calmer does.",
            tag=visit.display_tag,
            reasons=reasons,
        )
    else:
        # TRANSLATORS: clinical
        said = _(
            "%(tag)s's last full set raised a red flag: %(reasons)s. A quick check does not end "
            "it; only a full set that measures these again and finds them calmer does.",
            tag=visit.display_tag,
            reasons=reasons,
        )
    return str(said)


def full_set_advice(session: Session, visit: Visit) -> Observation | None:
    """The full set an open visit's score comes from when it raised a red flag or close watch
    (so the next check should be a full set), or None. The same choice as the board's: a quick
    check, or a partial set that did not measure again what worried, never ends it.
    """
    if not visit.status.is_open:
        return None
    latest = latest_observations(session, [visit.id]).latest_full.get(visit.id)
    return latest if latest is not None and latest.calls_for_full_set else None


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


def _recorded_at(visit: Visit, observed_at: datetime | None, reason: str | None) -> datetime:
    """When an observation is recorded as taken: now, or the earlier time a nurse gave (within
    the hour, during the visit, with a reason).
    """
    now = utcnow()
    if observed_at is None:
        if not visit.status.is_open:
            raise VisitHasLeft(
                _(
                    "%(tag)s has left. Record an earlier time (before they left) with a reason, "
                    "or nothing.",
                    tag=visit.display_tag,
                )
            )
        return now
    if observed_at > now:
        raise ObservationError(_("The time observed cannot be in the future."))
    if now - observed_at > BACKDATE_LIMIT:
        raise ObservationError(_("An observation can be dated at most 60 minutes back."))
    if observed_at < visit.checked_in_at:
        if not _within_check_in_minute(visit, observed_at):
            raise ObservationError(_("The time observed is before the visit started."))
        # A nurse types whole minutes, so "18:32" for a check-in at 18:32:45 means "just after
        # check-in", not before it. It is stored as the check-in moment itself: as close to
        # what was typed as the record allows, and never before the visit started, so that
        # every observation of a visit still falls within it (the chart and the order of the
        # history rely on that).
        observed_at = visit.checked_in_at
    if visit.left_at is not None and observed_at > visit.left_at:
        raise ObservationError(_("%(tag)s had left by then.", tag=visit.display_tag))
    if not (reason or "").strip():
        raise ObservationError(_("Give a reason for recording an earlier time."))
    return observed_at


def _within_check_in_minute(visit: Visit, observed_at: datetime) -> bool:
    """Whether a time given in whole minutes names the minute the visit was checked in."""
    return observed_at == visit.checked_in_at.replace(second=0, microsecond=0)


class FormAlreadyUsed(ObservationError):
    """The form's submission key already saved an observation for another visit, or another
    kind of check (a page used again for the next client): nothing is saved.
    """

    def __init__(self, earlier: Observation, visit: Visit) -> None:
        there, here = earlier.visit.display_tag, visit.display_tag
        if earlier.kind is ObservationKind.QUICK_CHECK:
            super().__init__(
                _(
                    "This button had already recorded a check for %(there)s, so nothing was "
                    "recorded for %(here)s. Tap Quick check again.",
                    there=there,
                    here=here,
                )
            )
        else:
            super().__init__(
                _(
                    "This form had already saved an observation for %(there)s, so nothing was "
                    "saved for %(here)s. Check the readings below and save again.",
                    there=there,
                    here=here,
                )
            )


def _replay(
    session: Session, submission_key: str, visit: Visit, kind: ObservationKind
) -> Observation | None:
    """The observation this very form saved (a double tap, a resubmission), if it saved one.

    A key is bound to the visit and the kind of check it was issued for: a key that saved
    something else is not a resubmission of this form, and is refused (FormAlreadyUsed) rather
    than answered "saved" with another client's reading.
    """
    earlier = session.scalar(
        select(Observation).where(Observation.submission_key == submission_key)
    )
    if earlier is not None and (earlier.visit_id != visit.id or earlier.kind is not kind):
        raise FormAlreadyUsed(earlier, visit)
    return earlier


def _save(session: Session, observation: Observation, visit: Visit) -> Observation:
    key, kind = observation.submission_key, observation.kind
    # The same form arriving twice at once: the first one stands.
    stored = add_once(session, observation, lambda: _replay(session, key, visit, kind))
    if stored is observation:
        _close_alert(session, observation)
    return stored


def _close_alert(session: Session, observation: Observation) -> None:
    session.execute(
        update(OverdueAlert)
        .where(OverdueAlert.visit_id == observation.visit_id, OverdueAlert.closed_at.is_(None))
        .values(closed_at=observation.entered_at, closed_by_observation_id=observation.id)
    )


def record_quick_check(
    session: Session,
    actor: Staff,
    visit: Visit,
    submission_key: str,
    *,
    despite_advice: bool = False,
) -> Observation:
    """One tap: the client is responsive and breathing normally, now.

    While the latest full set calls for a full set (a red flag or close watch), a quick check
    is refused with `FullSetAdvised` unless the nurse, asked "Record a full set instead?",
    chose to go ahead (`despite_advice`). Either way a quick check never ends close watch:
    the score still comes from the full set that worried (see latest.py).
    """
    ensure(actor, Capability.RECORD_OBSERVATIONS)
    replayed = _replay(session, submission_key, visit, ObservationKind.QUICK_CHECK)
    if replayed is not None:
        return replayed
    now = _recorded_at(visit, None, None)
    advice = full_set_advice(session, visit)
    if advice is not None and not despite_advice:
        raise FullSetAdvised(visit, advice)
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
        visit,
    )
    record_event(
        session,
        "observation.quick_check",
        actor=actor,
        record=observation,
        visit_id=str(visit.id),
        # Kept so a review can see a quick check taken in place of the full set advised.
        full_set_advised=advice is not None,
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
    watch worked out at once and kept with the record. `observed_at` is the instant a nurse
    recording late gave (a typed time becomes one through `clock.nearest_instant`).
    """
    ensure(actor, Capability.RECORD_OBSERVATIONS)
    replayed = _replay(session, submission_key, visit, ObservationKind.FULL)
    if replayed is not None:
        return replayed
    when = _recorded_at(visit, observed_at, backdate_reason)
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
            reasons="; ".join(assessment.reasons)[:300] or None,
            submission_key=submission_key,
        ),
        visit,
    )
    record_event(
        session,
        "observation.recorded",
        actor=actor,
        record=observation,
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
    ensure(actor, Capability.RECORD_OBSERVATIONS, _("strike an observation through"))
    reason = reason.strip()
    if not reason:
        raise ObservationError(_("Give a reason for striking the observation through."))
    if observation.struck_at is not None:
        raise ObservationError(_("That observation is already struck through."))
    observation.struck_at = utcnow()
    observation.struck_by_id = actor.id
    observation.strike_reason = reason[:200]
    record_event(
        session,
        "observation.struck",
        actor=actor,
        record=observation,
        visit_id=str(observation.visit_id),
    )
    session.flush()


def set_spo2_scale(
    session: Session, actor: Staff, visit: Visit, scale: SpO2Scale, reason: str
) -> None:
    """Scale 2 only by a clinician's decision, with a reason; back to scale 1 also needs one."""
    ensure(actor, Capability.RECORD_OBSERVATIONS, _("change the SpO2 scale"))
    reason = reason.strip()
    if not reason:
        raise ObservationError(_("Give a reason for changing the SpO2 scale."))
    if visit.spo2_scale == int(scale):
        raise ObservationError(_("The visit is already on SpO2 scale %(scale)s.", scale=int(scale)))
    visit.spo2_scale = int(scale)
    visit.spo2_scale_reason = reason[:200]
    record_event(
        session,
        "visit.spo2_scale_set",
        actor=actor,
        record=visit,
        scale=int(scale),
    )
    session.flush()
