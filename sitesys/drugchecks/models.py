"""Drug checking: samples brought to the bench, their tests, the result given back, and what
became of the rest of the sample.

A sample is tied to no client. Its code (on the client's slip) is kept only as a keyed digest
(drugchecks/codes.py); it is tied to a visit only when the client asks for that. Tests and
results are clinical records: a test recorded in error is struck through with a reason, and a
result changed later keeps what it said before, with the reason, as an amendment.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.checkin.models import Visit
from sitesys.clock import utcnow
from sitesys.db import Audited, Base
from sitesys.sites.models import Site


class SampleForm(enum.StrEnum):
    POWDER = "powder"
    CRYSTAL = "crystal"
    PILL = "pill"
    LIQUID = "liquid"
    BLOTTER = "blotter"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(SAMPLE_FORM_LABELS[self])


#: What each form is called (translated when shown; forms take these lazily).
SAMPLE_FORM_LABELS = {
    SampleForm.POWDER: _l("Powder"),
    SampleForm.CRYSTAL: _l("Crystal"),
    SampleForm.PILL: _l("Pill"),
    SampleForm.LIQUID: _l("Liquid"),
    SampleForm.BLOTTER: _l("Blotter"),
    SampleForm.OTHER: _l("Other"),
}


class Method(enum.StrEnum):
    """How a sample was tested."""

    REAGENT = "reagent"
    STRIP = "strip"
    SPECTROMETRY = "spectrometry"

    @property
    def label(self) -> str:
        return str(METHOD_LABELS[self])


METHOD_LABELS = {
    Method.REAGENT: _l("Reagent"),
    Method.STRIP: _l("Test strip"),
    Method.SPECTROMETRY: _l("Spectrometry"),
}


class Reagent(enum.StrEnum):
    MARQUIS = "marquis"
    MECKE = "mecke"
    MANDELIN = "mandelin"
    MORRIS = "morris"
    LIEBERMANN = "liebermann"
    FROEHDE = "froehde"
    SIMONS = "simons"
    EHRLICH = "ehrlich"

    @property
    def label(self) -> str:
        return str(REAGENT_LABELS[self])


#: Reagents are named for their inventors: the names stay as they are, but a translator may
#: write them as the language's kits do.
REAGENT_LABELS = {
    Reagent.MARQUIS: _l("Marquis"),
    Reagent.MECKE: _l("Mecke"),
    Reagent.MANDELIN: _l("Mandelin"),
    Reagent.MORRIS: _l("Morris"),
    Reagent.LIEBERMANN: _l("Liebermann"),
    Reagent.FROEHDE: _l("Froehde"),
    Reagent.SIMONS: _l("Simon's"),
    Reagent.EHRLICH: _l("Ehrlich"),
}


class Finding(enum.StrEnum):
    """What reports count when it turns up where the client did not expect it. Each value is
    also the pick-list code of the substance that would make it expected.
    """

    FENTANYL = "fentanyl"
    NITAZENES = "nitazenes"
    XYLAZINE = "xylazine"
    BENZODIAZEPINES = "benzodiazepines"

    @property
    def label(self) -> str:
        return str(FINDING_LABELS[self])


FINDING_LABELS = {
    Finding.FENTANYL: _l("Fentanyl"),
    Finding.NITAZENES: _l("Nitazenes"),
    Finding.XYLAZINE: _l("Xylazine"),
    Finding.BENZODIAZEPINES: _l("Benzodiazepines"),
}


class StripTarget(enum.StrEnum):
    """What an immunoassay strip tests for (each is also a finding)."""

    FENTANYL = "fentanyl"
    BENZODIAZEPINES = "benzodiazepines"
    XYLAZINE = "xylazine"
    NITAZENES = "nitazenes"

    @property
    def label(self) -> str:
        return str(STRIP_LABELS[self])

    @property
    def finding(self) -> Finding:
        return Finding(self.value)


STRIP_LABELS = {
    StripTarget.FENTANYL: _l("Fentanyl strip"),
    StripTarget.BENZODIAZEPINES: _l("Benzodiazepines strip"),
    StripTarget.XYLAZINE: _l("Xylazine strip"),
    StripTarget.NITAZENES: _l("Nitazenes strip"),
}


class StripReading(enum.StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    INVALID = "invalid"

    @property
    def label(self) -> str:
        return str(STRIP_READING_LABELS[self])


STRIP_READING_LABELS = {
    StripReading.POSITIVE: _l("Positive"),
    StripReading.NEGATIVE: _l("Negative"),
    StripReading.INVALID: _l("Invalid"),
}


class Technique(enum.StrEnum):
    FTIR = "ftir"
    RAMAN = "raman"

    @property
    def label(self) -> str:
        return str(TECHNIQUE_LABELS[self])


TECHNIQUE_LABELS = {Technique.FTIR: _l("FTIR"), Technique.RAMAN: _l("Raman")}


class ResultOutcome(enum.StrEnum):
    AS_EXPECTED = "as_expected"
    UNEXPECTED = "unexpected"
    INCONCLUSIVE = "inconclusive"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    ResultOutcome.AS_EXPECTED: _l("As expected"),
    ResultOutcome.UNEXPECTED: _l("Something unexpected found"),
    ResultOutcome.INCONCLUSIVE: _l("Inconclusive"),
}


class ClientDecision(enum.StrEnum):
    DISPOSE = "dispose"
    USE_LESS = "use_less"
    AS_PLANNED = "as_planned"
    WONT_SAY = "wont_say"

    @property
    def label(self) -> str:
        return str(DECISION_LABELS[self])


DECISION_LABELS = {
    ClientDecision.DISPOSE: _l("Will dispose of it"),
    ClientDecision.USE_LESS: _l("Will use less"),
    ClientDecision.AS_PLANNED: _l("Will use as planned"),
    ClientDecision.WONT_SAY: _l("Would not say"),
}


class Custody(enum.StrEnum):
    HANDED_BACK = "handed_back"
    DISPOSED = "disposed"

    @property
    def label(self) -> str:
        return str(CUSTODY_LABELS[self])


CUSTODY_LABELS = {Custody.HANDED_BACK: _l("Handed back"), Custody.DISPOSED: _l("Disposed of")}


#: Samples with a result whose rest has not yet been handed back or disposed of.
_AWAITING_CUSTODY_SQL = "custody IS NULL AND result_at IS NOT NULL"


class Sample(Audited, Base):
    """One sample a client brought to be checked."""

    audit_type = "drug_sample"
    #: A sample awaiting custody past the site's limit shows on the board.
    changes_floor = True

    __tablename__ = "drug_samples"
    __table_args__ = (
        Index("ix_drug_samples_site_id_received_at", "site_id", "received_at"),
        # The board reads a site's samples awaiting custody on every draw: the few of them, never
        # the site's whole history.
        Index(
            "ix_drug_samples_awaiting_custody",
            "site_id",
            sqlite_where=text(_AWAITING_CUSTODY_SQL),
            postgresql_where=text(_AWAITING_CUSTODY_SQL),
        ),
    )

    #: Random, so links say nothing about how many samples a site checks.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    #: HMAC-SHA256 of the code on the slip (drugchecks/codes.py); the code itself is not kept.
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    code_issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: One per submitted form: a double tap finds the same sample.
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    #: The site pick-list code of what the client believes it is.
    expected_substance: Mapped[str] = mapped_column(String(40))
    form: Mapped[SampleForm]
    colour: Mapped[str | None] = mapped_column(String(40))
    markings: Mapped[str | None] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))

    #: The result as it stands (an amendment keeps what it said before).
    outcome: Mapped[ResultOutcome | None]
    #: What was found, in plain words for the client.
    found_summary: Mapped[str | None] = mapped_column(String(500))
    advice: Mapped[str | None] = mapped_column(String(500))
    decision: Mapped[ClientDecision | None]
    #: When the result was first given: the custody clock and the public page's days run from it.
    result_at: Mapped[datetime | None]
    result_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    custody: Mapped[Custody | None]
    custody_at: Mapped[datetime | None]
    custody_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: Why custody was corrected after it was first recorded (a mistaken tap), if it was.
    custody_correction_reason: Mapped[str | None] = mapped_column(String(200))

    site: Mapped[Site] = relationship()
    received_by: Mapped[Staff] = relationship(foreign_keys=[received_by_id])
    result_by: Mapped[Staff | None] = relationship(foreign_keys=[result_by_id])
    custody_by: Mapped[Staff | None] = relationship(foreign_keys=[custody_by_id])
    tests: Mapped[list[SampleTest]] = relationship(
        back_populates="sample", order_by="SampleTest.recorded_at, SampleTest.id"
    )
    findings: Mapped[list[SampleFinding]] = relationship(
        cascade="all, delete-orphan", order_by="SampleFinding.finding"
    )
    amendments: Mapped[list[ResultAmendment]] = relationship(
        order_by="ResultAmendment.amended_at.desc()"
    )
    visit_links: Mapped[list[SampleVisit]] = relationship(
        back_populates="sample", order_by="SampleVisit.linked_at"
    )

    @property
    def reference(self) -> str:
        """What staff write on the bag and say: not secret, and not the client's code."""
        return f"S-{self.id.hex[:6].upper()}"

    @property
    def has_result(self) -> bool:
        return self.result_at is not None

    def custody_due_at(self) -> datetime | None:
        """When the rest of the sample should have been handed back or disposed of by."""
        if self.result_at is None or self.custody is not None:
            return None
        return self.result_at + timedelta(minutes=self.site.custody_alert_minutes)

    def result_readable_until(self) -> datetime | None:
        """Until when the client can read the result by code on the public page."""
        if self.result_at is None:
            return None
        return self.result_at + timedelta(days=self.site.result_days)

    @classmethod
    def awaiting_custody(cls) -> ColumnElement[bool]:
        """A result given and the rest neither handed back nor disposed of (the partial index's
        own condition, so that the database uses it).
        """
        return and_(cls.custody.is_(None), cls.result_at.is_not(None))


class SampleVisit(Base):
    """A sample tied to a visit at the client's wish (one sample may serve two visits of a day)."""

    __tablename__ = "drug_sample_visits"
    __table_args__ = (Index("ix_drug_sample_visits_visit_id", "visit_id"),)

    sample_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drug_samples.id"), primary_key=True)
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id"), primary_key=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    linked_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))

    sample: Mapped[Sample] = relationship(back_populates="visit_links")
    visit: Mapped[Visit] = relationship()


class SampleTest(Audited, Base):
    """One test of a sample: a reagent's colour, a strip's reading, or a spectrum's components.
    Never edited or deleted: one recorded in error is struck through with a reason.
    """

    audit_type = "drug_sample_test"

    __tablename__ = "drug_sample_tests"
    __table_args__ = (Index("ix_drug_sample_tests_sample_id", "sample_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drug_samples.id"))
    method: Mapped[Method]
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    reagent: Mapped[Reagent | None]
    #: The chart option chosen (chart.Colour), or None when the colour was typed.
    colour: Mapped[str | None] = mapped_column(String(20))
    colour_typed: Mapped[str | None] = mapped_column(String(60))
    strip: Mapped[StripTarget | None]
    reading: Mapped[StripReading | None]
    technique: Mapped[Technique | None]
    #: "No library match" is an answer of its own, not a missing one.
    no_library_match: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    struck_at: Mapped[datetime | None]
    struck_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    strike_reason: Mapped[str | None] = mapped_column(String(200))

    sample: Mapped[Sample] = relationship(back_populates="tests")
    recorded_by: Mapped[Staff] = relationship(foreign_keys=[recorded_by_id])
    struck_by: Mapped[Staff | None] = relationship(foreign_keys=[struck_by_id])
    components: Mapped[list[SpectrumComponent]] = relationship(
        cascade="all, delete-orphan", order_by="SpectrumComponent.position"
    )

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None

    @property
    def audit_site_id(self) -> int | None:
        return self.sample.site_id


class SpectrumComponent(Base):
    """A component a spectrometer's library matched, with the match quality it gave."""

    __tablename__ = "drug_spectrum_components"

    test_id: Mapped[int] = mapped_column(
        ForeignKey("drug_sample_tests.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    #: The component's code on the site's list, and its name and kind as they were then.
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    finding: Mapped[Finding | None]
    #: The library match quality, 0 to 100.
    match_quality: Mapped[int]


class SampleFinding(Base):
    """A finding of a sample's tests (a positive strip, a component found), and whether the
    client expected it: what reports count as "unexpected fentanyl" and the like.
    """

    __tablename__ = "drug_sample_findings"

    sample_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("drug_samples.id", ondelete="CASCADE"), primary_key=True
    )
    finding: Mapped[Finding] = mapped_column(primary_key=True)
    is_unexpected: Mapped[bool]


class ResultAmendment(Audited, Base):
    """What a result said before it was changed, who changed it, when and why."""

    audit_type = "drug_result_amendment"

    __tablename__ = "drug_result_amendments"
    __table_args__ = (Index("ix_drug_result_amendments_sample_id", "sample_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drug_samples.id"))
    amended_at: Mapped[datetime] = mapped_column(default=utcnow)
    amended_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(String(200))
    previous_outcome: Mapped[ResultOutcome]
    previous_found_summary: Mapped[str] = mapped_column(String(500))
    previous_advice: Mapped[str] = mapped_column(String(500))
    previous_decision: Mapped[ClientDecision | None]

    amended_by: Mapped[Staff] = relationship()
    sample: Mapped[Sample] = relationship(back_populates="amendments")

    @property
    def audit_site_id(self) -> int | None:
        return self.sample.site_id


class ComponentOption(Audited, Base):
    """A site's own entry on its component list: one it added, or a common one it hid."""

    audit_type = "drug_component"

    __tablename__ = "drug_component_options"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    finding: Mapped[Finding | None]
    is_active: Mapped[bool] = mapped_column(default=True)


class CustodyAlert(Audited, Base):
    """Raised by the scheduler when a sample's rest is still on the bench past the site's limit;
    closed when it is handed back or disposed of.
    """

    audit_type = "custody_alert"

    __tablename__ = "drug_custody_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    sample_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drug_samples.id"), unique=True)
    due_at: Mapped[datetime]
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    sample: Mapped[Sample] = relationship()
