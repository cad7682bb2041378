"""Care beyond the booth: referrals to other services, the ketamine bladder screen, and the
education given on a visit.

A referral follows the client (by their record, never their code) from the visit, the client
page or an incident report, through its steps: offered, then accepted or declined, made, and what
came of it. Each step is kept with when and who. Nothing here is deleted: a record made in error
is struck through with a reason.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.care.bladder import ScreenResult, Symptom, UseFrequency
from sitesys.checkin.models import Visit
from sitesys.clients.models import Client
from sitesys.clock import utcnow
from sitesys.db import Audited, Base

REFERRAL_TYPE_LABELS = {
    "mental_health": _l("Mental health"),
    "crisis_team": _l("Crisis team"),
    "detox": _l("Detox / withdrawal"),
    "drug_treatment": _l("Drug treatment (including opioid substitution)"),
    "urology": _l("Urology / bladder"),
    "gp": _l("GP"),
    "sexual_health": _l("Sexual health"),
    "bbv_testing": _l("Blood-borne virus testing"),
    "wound_care": _l("Wound care"),
    "housing": _l("Housing"),
    "welfare": _l("Benefits / welfare"),
    "peer_support": _l("Peer support"),
    "other": _l("Other"),
}


#: The type as it reads inside a sentence ("Referral to the crisis team").
REFERRAL_TYPE_SHORT = {
    "mental_health": _l("mental health"),
    "crisis_team": _l("the crisis team"),
    "detox": _l("detox"),
    "drug_treatment": _l("drug treatment"),
    "urology": _l("urology"),
    "gp": _l("a GP"),
    "sexual_health": _l("sexual health"),
    "bbv_testing": _l("BBV testing"),
    "wound_care": _l("wound care"),
    "housing": _l("housing"),
    "welfare": _l("benefits / welfare"),
    "peer_support": _l("peer support"),
    "other": _l("another service"),
}


class ReferralType(enum.StrEnum):
    MENTAL_HEALTH = "mental_health"
    CRISIS_TEAM = "crisis_team"
    DETOX = "detox"
    DRUG_TREATMENT = "drug_treatment"
    UROLOGY = "urology"
    GP = "gp"
    SEXUAL_HEALTH = "sexual_health"
    BBV_TESTING = "bbv_testing"
    WOUND_CARE = "wound_care"
    HOUSING = "housing"
    WELFARE = "welfare"
    PEER_SUPPORT = "peer_support"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(REFERRAL_TYPE_LABELS[self.value])

    @property
    def short(self) -> str:
        """The type as it reads inside a sentence: "Referral to detox made on 2 Dec"."""
        return str(REFERRAL_TYPE_SHORT[self.value])


class Urgency(enum.StrEnum):
    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return str(URGENCY_LABELS[self.value])


URGENCY_LABELS = {
    # TRANSLATORS: clinical (how soon a referral is needed)
    "routine": _l("Routine"),
    # TRANSLATORS: clinical (how soon a referral is needed)
    "soon": _l("Soon"),
    # TRANSLATORS: clinical (how soon a referral is needed)
    "urgent": _l("Urgent"),
}


REFERRAL_STATE_LABELS = {
    "offered": _l("Offered"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "made": _l("Made"),
    "attended": _l("Attended"),
    "did_not_attend": _l("Did not attend"),
    "unknown": _l("Outcome unknown"),
}


class ReferralState(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    MADE = "made"
    ATTENDED = "attended"
    DID_NOT_ATTEND = "did_not_attend"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return str(REFERRAL_STATE_LABELS[self.value])

    @property
    def is_final(self) -> bool:
        return self in (
            ReferralState.DECLINED,
            ReferralState.ATTENDED,
            ReferralState.DID_NOT_ATTEND,
            ReferralState.UNKNOWN,
        )


#: The steps that may follow each state, in the order the buttons show them.
NEXT_STATES: dict[ReferralState, tuple[ReferralState, ...]] = {
    ReferralState.OFFERED: (ReferralState.ACCEPTED, ReferralState.DECLINED),
    ReferralState.ACCEPTED: (ReferralState.MADE,),
    ReferralState.MADE: (
        ReferralState.ATTENDED,
        ReferralState.DID_NOT_ATTEND,
        ReferralState.UNKNOWN,
    ),
}

#: States a follow-up is still due in (the worklist, the check-in reminder).
FOLLOW_UP_STATES = (ReferralState.ACCEPTED, ReferralState.MADE)


class ReferralService(Audited, Base):
    """A service in the site's directory, to refer to by name rather than typing it each time."""

    audit_type = "referral_service"

    __tablename__ = "care_referral_services"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    type: Mapped[ReferralType] = mapped_column()
    how_to_refer: Mapped[str] = mapped_column(String(300), default="")
    opening_hours: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(String(500), default="")
    #: A retired service is kept for the referrals that name it but is no longer offered.
    is_active: Mapped[bool] = mapped_column(default=True)


class Referral(Audited, Base):
    """A referral of a client (or an anonymous walk-in) to another service, and its steps."""

    audit_type = "referral"

    __tablename__ = "care_referrals"
    __table_args__ = (
        Index("ix_care_referrals_client_id", "client_id"),
        Index("ix_care_referrals_visit_id", "visit_id"),
        # The worklist: a site's follow-ups still due, soonest first.
        Index(
            "ix_care_referrals_site_due",
            "site_id",
            "follow_up_due_at",
            sqlite_where=text("follow_up_due_at IS NOT NULL"),
            postgresql_where=text("follow_up_due_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    #: None for an anonymous walk-in (such a referral cannot be followed up at a later visit).
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clients.id"))
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"))
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"))
    type: Mapped[ReferralType]
    #: The service from the site's directory, or else its name as typed.
    service_id: Mapped[int | None] = mapped_column(ForeignKey("care_referral_services.id"))
    service_name: Mapped[str | None] = mapped_column(String(120))
    urgency: Mapped[Urgency]
    state: Mapped[ReferralState]
    #: When the next step is due (making an accepted referral, asking how a made one went);
    #: None once the referral has reached a final state or is struck through.
    follow_up_due_at: Mapped[datetime | None]
    #: Who the follow-up falls to: whoever recorded the last step that needs one.
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    #: One per submitted form: a double tap or a second tablet finds the same referral.
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    struck_at: Mapped[datetime | None]
    struck_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    strike_reason: Mapped[str | None] = mapped_column(String(200))

    client: Mapped[Client | None] = relationship()
    visit: Mapped[Visit | None] = relationship()
    service: Mapped[ReferralService | None] = relationship()
    owner: Mapped[Staff] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[Staff] = relationship(foreign_keys=[created_by_id])
    struck_by: Mapped[Staff | None] = relationship(foreign_keys=[struck_by_id])
    steps: Mapped[list[ReferralStep]] = relationship(
        order_by="ReferralStep.id", cascade="all, delete-orphan"
    )

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None

    @property
    def service_label(self) -> str:
        if self.service is not None:
            return self.service.name
        return self.service_name or str(_("service not named"))

    def step(self, state: ReferralState) -> ReferralStep | None:
        return next((s for s in self.steps if s.state is state), None)


class ReferralStep(Base):
    """One step of a referral, with when and who. A step is recorded at most once per referral:
    two tablets recording it at once give one row.
    """

    __tablename__ = "care_referral_steps"
    __table_args__ = (UniqueConstraint("referral_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("care_referrals.id", ondelete="CASCADE")
    )
    state: Mapped[ReferralState]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))

    recorded_by: Mapped[Staff] = relationship()


class BladderScreen(Audited, Base):
    """A ketamine bladder symptom screen asked on a visit (care/bladder.py holds its rules), or
    the record that it was skipped. One standing screen per visit; one recorded in error is
    struck through with a reason and may then be asked again.
    """

    audit_type = "bladder_screen"

    __tablename__ = "care_bladder_screens"
    __table_args__ = (
        Index(
            "uq_care_bladder_screens_visit_standing",
            "visit_id",
            unique=True,
            sqlite_where=text("struck_at IS NULL"),
            postgresql_where=text("struck_at IS NULL"),
        ),
        Index("ix_care_bladder_screens_client_recorded", "client_id", "recorded_at"),
        Index("ix_care_bladder_screens_site_recorded", "site_id", "recorded_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id"))
    #: None for an anonymous walk-in (asked at each visit: there is no history to go by).
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clients.id"))
    result: Mapped[ScreenResult]
    use_frequency: Mapped[UseFrequency | None]
    frequency: Mapped[bool] = mapped_column(default=False)
    urgency: Mapped[bool] = mapped_column(default=False)
    nocturia: Mapped[bool] = mapped_column(default=False)
    painful_urination: Mapped[bool] = mapped_column(default=False)
    lower_belly_pain: Mapped[bool] = mapped_column(default=False)
    blood_in_urine: Mapped[bool] = mapped_column(default=False)
    leaking: Mapped[bool] = mapped_column(default=False)
    side_or_back_pain: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    struck_at: Mapped[datetime | None]
    struck_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    strike_reason: Mapped[str | None] = mapped_column(String(200))

    recorded_by: Mapped[Staff] = relationship(foreign_keys=[recorded_by_id])
    struck_by: Mapped[Staff | None] = relationship(foreign_keys=[struck_by_id])

    @property
    def symptoms(self) -> list[Symptom]:
        return [symptom for symptom in Symptom if getattr(self, symptom.value)]

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None


#: The education topics every new site starts with (code, label), in the order staff see them.
#: The codes are stable (reports count them); sites add their own and may hide these.
DEFAULT_TOPICS = (
    ("ketamine_bladder", "Ketamine risks and the bladder"),
    ("tolerance_overdose", "Tolerance and overdose risk"),
    ("mixing_depressants", "Mixing depressants"),
    ("safer_snorting", "Safer snorting"),
    ("safer_injecting", "Safer injecting and vein care"),
    ("safer_smoking", "Safer smoking"),
    ("wound_care", "Wound care"),
    ("naloxone_training", "Naloxone training"),
    ("drug_checking", "Drug checking"),
)

#: The default topics' labels in the reader's language (for display: a site's list keeps its own).
DEFAULT_TOPIC_NAMES = {
    "ketamine_bladder": _l("Ketamine risks and the bladder"),
    "tolerance_overdose": _l("Tolerance and overdose risk"),
    "mixing_depressants": _l("Mixing depressants"),
    "safer_snorting": _l("Safer snorting"),
    "safer_injecting": _l("Safer injecting and vein care"),
    "safer_smoking": _l("Safer smoking"),
    "wound_care": _l("Wound care"),
    "naloxone_training": _l("Naloxone training"),
    "drug_checking": _l("Drug checking"),
}
_DEFAULT_TOPIC_LABELS = dict(DEFAULT_TOPICS)

#: The topic reports count as naloxone training given (a naloxone kit given is a supply).
NALOXONE_TRAINING = "naloxone_training"


class EducationTopic(Audited, Base):
    """One entry of a site's list of education topics."""

    audit_type = "education_topic"

    __tablename__ = "care_education_topics"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    @property
    def name(self) -> str:
        """The topic as the reader reads it: a default topic still under its default label in
        the reader's language, anything else as the site wrote it.
        """
        if _DEFAULT_TOPIC_LABELS.get(self.code) == self.label and self.code in DEFAULT_TOPIC_NAMES:
            return str(DEFAULT_TOPIC_NAMES[self.code])
        return self.label


class EducationGiven(Audited, Base):
    """A topic covered with a client on a visit, with the minutes spent when given. A topic is
    recorded once per visit (two taps, or two tablets, give one); one recorded in error is struck
    through with a reason.
    """

    audit_type = "education_given"

    __tablename__ = "care_education_given"
    __table_args__ = (
        Index(
            "uq_care_education_given_visit_topic",
            "visit_id",
            "topic_id",
            unique=True,
            sqlite_where=text("struck_at IS NULL"),
            postgresql_where=text("struck_at IS NULL"),
        ),
        Index("ix_care_education_given_site_recorded", "site_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("care_education_topics.id"))
    minutes: Mapped[int | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    struck_at: Mapped[datetime | None]
    struck_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    strike_reason: Mapped[str | None] = mapped_column(String(200))

    topic: Mapped[EducationTopic] = relationship()
    recorded_by: Mapped[Staff] = relationship(foreign_keys=[recorded_by_id])

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None


class CareKind(enum.StrEnum):
    """A service a nurse gives on a visit and records with a short note."""

    WOUND_CARE = "wound_care"
    BBV_TEST = "bbv_test"

    @property
    def label(self) -> str:
        return str(CARE_KIND_LABELS[self.value])


CARE_KIND_LABELS = {"wound_care": _l("Wound care"), "bbv_test": _l("Blood-borne virus test")}


class CareGiven(Audited, Base):
    """Wound care or a blood-borne virus test given on a visit (a services-only visit too),
    with a short note, who recorded it and when (care/nursing.py).

    Never deleted (the database refuses it). One recorded in error is struck through with a
    reason; one corrected is struck through with the reason and followed by its correction,
    which names it (`corrects_id`).
    """

    audit_type = "care_given"

    __tablename__ = "care_given"
    __table_args__ = (
        Index("ix_care_given_visit_id", "visit_id"),
        Index("ix_care_given_site_recorded", "site_id", "recorded_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id"))
    kind: Mapped[CareKind]
    note: Mapped[str] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    #: One per submitted form: a double tap or a second tablet finds the same record.
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    #: The record this one corrects (struck through when this was written).
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("care_given.id"))
    struck_at: Mapped[datetime | None]
    struck_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    strike_reason: Mapped[str | None] = mapped_column(String(200))

    recorded_by: Mapped[Staff] = relationship(foreign_keys=[recorded_by_id])
    struck_by: Mapped[Staff | None] = relationship(foreign_keys=[struck_by_id])

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None
