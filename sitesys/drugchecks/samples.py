"""Receiving a sample at the bench, its code, and tying it to a visit at the client's wish."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.checkin.models import DrugChecked, Visit
from sitesys.clock import day_start, local_date, utcnow
from sitesys.db import add_once
from sitesys.drugchecks.codes import new_sample_code, sample_code_digest
from sitesys.drugchecks.models import Sample, SampleForm, SampleVisit
from sitesys.refusals import Refused
from sitesys.sites.models import Site


class DrugCheckRefused(Refused):
    """A drug-check change that breaks a rule; the message is shown as it is."""


class FormAlreadyUsed(DrugCheckRefused):
    """The form's submission key already made a record for another sample (a page brought back
    with the browser's Back button and used again).
    """


@dataclass
class SampleDetails:
    """What the bench records about a sample as it arrives."""

    expected_substance: str
    form: SampleForm
    colour: str | None = None
    markings: str | None = None


@dataclass
class Received:
    sample: Sample
    #: The code for the slip, in its plain form; None when this form had already made the sample
    #: (a double tap), whose code was shown once, on the first answer.
    code: str | None

    @property
    def replayed(self) -> bool:
        return self.code is None


def _by_submission(session: Session, site: Site, submission_key: str) -> Sample | None:
    return session.scalar(
        select(Sample).where(Sample.submission_key == submission_key, Sample.site_id == site.id)
    )


def receive_sample(
    session: Session,
    actor: Staff,
    site: Site,
    details: SampleDetails,
    *,
    submission_key: str,
    code_key: str,
    substances: Mapping[str, str],
    visit: Visit | None = None,
) -> Received:
    """Record a sample brought to the bench and issue its code.

    Rules: the expected substance is one of the site's pick-list (`substances`, code to label);
    the code is random and kept only as a digest; a form sent twice makes one sample (the second
    answer has no code to show, as it was shown once already); a visit is tied only when given.
    """
    ensure(actor, Capability.CHECK_DRUGS)
    if details.expected_substance not in substances:
        raise DrugCheckRefused(_("Choose what the client expects it to be from the list."))
    now = utcnow()
    code = new_sample_code()
    sample = Sample(
        id=uuid.uuid4(),
        site_id=site.id,
        code_digest=sample_code_digest(code, code_key),
        code_issued_at=now,
        submission_key=submission_key,
        expected_substance=details.expected_substance,
        form=details.form,
        colour=(details.colour or "").strip()[:40] or None,
        markings=(details.markings or "").strip()[:120] or None,
        received_at=now,
        received_by_id=actor.id,
    )
    stored = add_once(session, sample, lambda: _by_submission(session, site, submission_key))
    if stored is not sample:
        return Received(stored, None)
    record_event(
        session,
        "drug_sample.received",
        actor=actor,
        record=sample,
        expected_substance=sample.expected_substance,
        form=sample.form.value,
    )
    if visit is not None:
        link_sample(session, actor, sample, visit)
    session.flush()
    return Received(sample, code)


def reissue_code(session: Session, actor: Staff, sample: Sample, code_key: str) -> str:
    """A new code for a lost or unprinted slip: the old code stops working at once."""
    ensure(actor, Capability.CHECK_DRUGS)
    code = new_sample_code()
    sample.code_digest = sample_code_digest(code, code_key)
    sample.code_issued_at = utcnow()
    record_event(session, "drug_sample.code_reissued", actor=actor, record=sample)
    session.flush()
    return code


def _same_day(sample: Sample, visit: Visit) -> bool:
    zone = sample.site.zone
    return local_date(sample.received_at, zone) == local_date(visit.checked_in_at, zone)


def link_sample(session: Session, actor: Staff, sample: Sample, visit: Visit) -> bool:
    """Tie a sample to a visit because the client asked for it; True when newly tied.

    Rules: the same site; the visit is still open or began the day the sample was received; a
    sample tied to a visit makes the visit "Drug checked: yes". Tying it twice changes nothing.
    """
    ensure(actor, Capability.LINK_SAMPLES)
    if sample.site_id != visit.site_id:
        raise DrugCheckRefused(_("That sample was checked at another site."))
    if not visit.status.is_open and not _same_day(sample, visit):
        raise DrugCheckRefused(
            _(
                "%(tag)s's visit was on another day: tie a sample to a visit of the day it was "
                "checked.",
                tag=visit.display_tag,
            )
        )
    already = session.get(SampleVisit, (sample.id, visit.id))
    if already is not None:
        return False
    link = SampleVisit(
        sample_id=sample.id, visit_id=visit.id, linked_at=utcnow(), linked_by_id=actor.id
    )
    stored = add_once(session, link, lambda: session.get(SampleVisit, (sample.id, visit.id)))
    if stored is not link:
        return False
    checked_before = visit.drug_checked
    visit.drug_checked = DrugChecked.YES
    record_event(
        session,
        "visit.sample_linked",
        actor=actor,
        record=visit,
        sample_id=str(sample.id),
        drug_checked_from=checked_before.value,
    )
    session.flush()
    return True


def samples_of_visit(session: Session, visit: Visit) -> list[Sample]:
    """The samples tied to a visit, oldest first."""
    return list(
        session.scalars(
            select(Sample)
            .join(SampleVisit, SampleVisit.sample_id == Sample.id)
            .where(SampleVisit.visit_id == visit.id)
            .order_by(Sample.received_at)
        )
    )


def todays_samples_of_client(
    session: Session, site: Site, client_id: uuid.UUID, now: datetime | None = None
) -> list[Sample]:
    """Samples tested today for this client's visits (an earlier visit of the day): what the
    desk offers as "Drug checked" when the client comes back with the same drug.
    """
    now = now or utcnow()
    start = day_start(local_date(now, site.zone), site.zone)
    return list(
        session.scalars(
            select(Sample)
            .join(SampleVisit, SampleVisit.sample_id == Sample.id)
            .join(Visit, Visit.id == SampleVisit.visit_id)
            .where(
                Visit.client_id == client_id,
                Visit.site_id == site.id,
                Visit.checked_in_at >= start,
                Sample.received_at >= start,
            )
            .order_by(Sample.received_at)
            .distinct()
        )
    )


def samples_to_link(session: Session, site: Site, visit: Visit) -> list[Sample]:
    """Samples of the visit's day at its site not yet tied to it, newest first (what the visit
    page offers to tie).
    """
    day = local_date(visit.checked_in_at, site.zone)
    start, end = day_start(day, site.zone), day_start(day + timedelta(days=1), site.zone)
    linked = select(SampleVisit.sample_id).where(SampleVisit.visit_id == visit.id)
    return list(
        session.scalars(
            select(Sample)
            .where(
                Sample.site_id == site.id,
                Sample.received_at >= start,
                Sample.received_at < end,
                Sample.id.not_in(linked),
            )
            .order_by(Sample.received_at.desc())
            .limit(50)
        )
    )


def recent_samples(site: Site) -> Select[tuple[Sample]]:
    """The site's samples, newest first (the bench's list, to be read a page at a time)."""
    return (
        select(Sample)
        .where(Sample.site_id == site.id)
        .options(joinedload(Sample.received_by))
        .order_by(Sample.received_at.desc())
    )
