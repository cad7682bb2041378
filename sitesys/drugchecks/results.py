"""The result given back to the client, what they decided, and what became of the sample."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.clock import utcnow
from sitesys.drugchecks.models import (
    ClientDecision,
    Custody,
    CustodyAlert,
    ResultAmendment,
    ResultOutcome,
    Sample,
)
from sitesys.drugchecks.samples import DrugCheckRefused


class ResultChanged(DrugCheckRefused):
    """Someone else gave or amended the result since the page was opened."""


@dataclass
class ResultInput:
    outcome: ResultOutcome
    #: What was found, in plain words for the client.
    found_summary: str
    advice: str
    decision: ClientDecision | None = None


def _clean(result: ResultInput) -> ResultInput:
    found, advice = result.found_summary.strip(), result.advice.strip()
    if not found:
        raise DrugCheckRefused(_("Say what was found, in plain words for the client."))
    if not advice:
        raise DrugCheckRefused(_("Write the advice given."))
    return ResultInput(result.outcome, found[:500], advice[:500], result.decision)


def record_result(session: Session, actor: Staff, sample: Sample, result: ResultInput) -> None:
    """Give the sample's result: outcome, what was found and the advice, and the client's
    decision when they said. Given once; a later change is an amendment with a reason. The
    custody clock and the days the client can read it by code run from now.
    """
    ensure(actor, Capability.CHECK_DRUGS)
    if sample.result_at is not None:
        raise ResultChanged(
            _("A result was already given for this sample; to change it, amend it with a reason.")
        )
    result = _clean(result)
    sample.outcome = result.outcome
    sample.found_summary = result.found_summary
    sample.advice = result.advice
    sample.decision = result.decision
    sample.result_at = utcnow()
    sample.result_by_id = actor.id
    record_event(
        session,
        "drug_sample.result_given",
        actor=actor,
        record=sample,
        outcome=result.outcome.value,
        decision=result.decision.value if result.decision else None,
    )
    session.flush()


def amend_result(
    session: Session, actor: Staff, sample: Sample, result: ResultInput, reason: str
) -> ResultAmendment:
    """Change a given result. What it said before is kept, with who changed it, when and why."""
    # TRANSLATORS: completes "Only <role> can …" (a verb phrase).
    ensure(actor, Capability.CHECK_DRUGS, _("amend a drug-check result"))
    reason = reason.strip()
    if sample.result_at is None or sample.outcome is None:
        raise ResultChanged(_("No result has been given for this sample yet."))
    if not reason:
        raise DrugCheckRefused(_("Give the reason for amending the result."))
    result = _clean(result)
    if (result.outcome, result.found_summary, result.advice, result.decision) == (
        sample.outcome,
        sample.found_summary,
        sample.advice,
        sample.decision,
    ):
        raise DrugCheckRefused(
            _("Nothing in the result was changed, so there is nothing to amend.")
        )
    amendment = ResultAmendment(
        sample_id=sample.id,
        amended_at=utcnow(),
        amended_by_id=actor.id,
        reason=reason[:200],
        previous_outcome=sample.outcome,
        previous_found_summary=sample.found_summary or "",
        previous_advice=sample.advice or "",
        previous_decision=sample.decision,
    )
    session.add(amendment)
    sample.outcome = result.outcome
    sample.found_summary = result.found_summary
    sample.advice = result.advice
    sample.decision = result.decision
    session.flush()
    record_event(
        session,
        "drug_sample.result_amended",
        actor=actor,
        record=sample,
        amendment_id=amendment.id,
        outcome=result.outcome.value,
    )
    session.expire(sample, ["amendments"])
    return amendment


def record_decision(
    session: Session, actor: Staff, sample: Sample, decision: ClientDecision
) -> None:
    """The client's decision, when they gave it after the result (once; a change is an
    amendment of the result).
    """
    ensure(actor, Capability.CHECK_DRUGS)
    if sample.result_at is None:
        raise ResultChanged(_("Give the result first; the client's decision goes with it."))
    if sample.decision is not None:
        raise ResultChanged(
            _(
                "The client's decision was already recorded (%(decision)s); to change it, amend "
                "the result with a reason.",
                decision=sample.decision.label.lower(),
            )
        )
    sample.decision = decision
    record_event(
        session,
        "drug_sample.decision_recorded",
        actor=actor,
        record=sample,
        decision=decision.value,
    )
    session.flush()


def save_result(
    session: Session, actor: Staff, sample: Sample, result: ResultInput, reason: str | None
) -> str:
    """The result form saved: the first result; the client's decision added to a result that
    had none (no reason needed: nothing said is changed); or an amendment, with its reason.
    Returns which it was: "given", "decision" or "amended".
    """
    if sample.result_at is None:
        record_result(session, actor, sample, result)
        return "given"
    cleaned = _clean(result)
    only_decision_added = (
        sample.decision is None
        and cleaned.decision is not None
        and (cleaned.outcome, cleaned.found_summary, cleaned.advice)
        == (sample.outcome, sample.found_summary, sample.advice)
    )
    if only_decision_added and cleaned.decision is not None:
        record_decision(session, actor, sample, cleaned.decision)
        return "decision"
    amend_result(session, actor, sample, result, reason or "")
    return "amended"


def record_custody(
    session: Session,
    actor: Staff,
    sample: Sample,
    custody: Custody,
    *,
    correction_reason: str | None = None,
) -> None:
    """What became of the rest of the sample: handed back or disposed of. Recorded once; a
    mistaken tap is corrected with a reason (the first answer stays in the audit trail). Ends
    the sample's custody alert.
    """
    ensure(actor, Capability.CHECK_DRUGS)
    reason = (correction_reason or "").strip()
    before = sample.custody
    if before is not None:
        if before is custody:
            raise DrugCheckRefused(
                _("The sample is already recorded as %(custody)s.", custody=custody.label.lower())
            )
        if not reason:
            raise DrugCheckRefused(
                _(
                    "The sample was recorded as %(custody)s: give a reason to correct it.",
                    custody=before.label.lower(),
                )
            )
        sample.custody_correction_reason = reason[:200]
    now = utcnow()
    sample.custody = custody
    sample.custody_at = now
    sample.custody_by_id = actor.id
    session.execute(
        update(CustodyAlert)
        .where(CustodyAlert.sample_id == sample.id, CustodyAlert.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    record_event(
        session,
        "drug_sample.custody_corrected" if before else "drug_sample.custody_recorded",
        actor=actor,
        record=sample,
        custody=custody.value,
        custody_from=before.value if before else None,
    )
    session.flush()
