"""Observations nurses record, and the overdue-check alerts the scheduler raises."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import Audited, Base
from sitesys.observations.scoring import (
    PARTIAL_NOT_RATED,
    Consciousness,
    EscalationLevel,
    Poss,
    SpO2Scale,
    Vitals,
    say_reason,
)

if TYPE_CHECKING:
    from sitesys.checkin.models import Visit

_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class ObservationKind(enum.StrEnum):
    QUICK_CHECK = "quick_check"
    FULL = "full"

    @property
    def label(self) -> str:
        return str(_OBSERVATION_KIND_LABELS[self.value])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (for choices made at import time)."""
        return _OBSERVATION_KIND_LABELS[self.value]


_OBSERVATION_KIND_LABELS = {
    "quick_check": _l("Quick check"),
    "full": _l("Full observation"),
}


class Pupils(enum.StrEnum):
    NORMAL = "normal"
    PINPOINT = "pinpoint"
    DILATED = "dilated"
    UNEQUAL = "unequal"

    @property
    def label(self) -> str:
        return str(_PUPILS_LABELS[self.value])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (for choices made at import time)."""
        return _PUPILS_LABELS[self.value]


_PUPILS_LABELS = {
    # TRANSLATORS: clinical (pupils)
    "normal": _l("Normal"),
    "pinpoint": _l("Pinpoint"),
    "dilated": _l("Dilated"),
    "unequal": _l("Unequal"),
}


#: What a quick check records: the nurse saw the person responsive and breathing normally.
# TRANSLATORS: clinical (what a quick check records)
QUICK_CHECK_TEXT = _l("Responsive, breathing normally")


class Observation(Audited, Base):
    """One check of one client. Never edited or deleted: a mistake is struck through."""

    audit_type = "observation"
    changes_floor = True

    __tablename__ = "observations"
    __table_args__ = (
        # Latest observation per visit: the board asks this many times a minute.
        Index("ix_observations_visit_id_recorded_at", "visit_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id"))
    kind: Mapped[ObservationKind]
    #: When the client was observed: the server's clock, or up to an hour earlier with a reason.
    recorded_at: Mapped[datetime]
    #: When it was typed in (always the server's clock).
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    backdate_reason: Mapped[str | None] = mapped_column(String(200))
    respiratory_rate: Mapped[int | None]
    spo2: Mapped[int | None]
    on_oxygen: Mapped[bool] = mapped_column(default=False)
    pulse: Mapped[int | None]
    systolic_bp: Mapped[int | None]
    temperature: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    consciousness: Mapped[Consciousness | None]
    poss: Mapped[Poss | None]
    rass: Mapped[int | None]
    pupils: Mapped[Pupils | None]
    vomiting: Mapped[bool | None]
    note: Mapped[str | None] = mapped_column(String(500))
    #: The SpO2 scale the score was computed on, as it was at the time.
    spo2_scale: Mapped[int] = mapped_column(default=1)
    # The assessment as shown to the nurse at the time, kept so the record says what they saw.
    news2_total: Mapped[int | None]
    news2_partial: Mapped[bool] = mapped_column(default=False)
    level: Mapped[EscalationLevel | None]
    prompts_emergency: Mapped[bool] = mapped_column(default=False)
    needs_close_watch: Mapped[bool] = mapped_column(default=False)
    #: Short reasons (red flags, close-watch reasons), joined by "; ".
    reasons: Mapped[str | None] = mapped_column(String(300))
    #: One per submitted form: a double tap records one observation.
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    struck_at: Mapped[datetime | None]
    struck_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    strike_reason: Mapped[str | None] = mapped_column(String(200))

    recorded_by: Mapped[Staff] = relationship(foreign_keys=[recorded_by_id])
    struck_by: Mapped[Staff | None] = relationship(foreign_keys=[struck_by_id])
    #: Read for the site an audit event names; observations are loaded by visit, never through it.
    visit: Mapped[Visit] = relationship(viewonly=True)

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None

    @property
    def scale(self) -> SpO2Scale:
        return SpO2Scale(self.spo2_scale)

    @property
    def level_label(self) -> str:
        if self.kind is ObservationKind.QUICK_CHECK:
            return str(_("Not scored"))
        if self.level is None:
            return str(PARTIAL_NOT_RATED if self.news2_total is not None else _("Not scored"))
        return self.level.label

    @property
    def score_summary(self) -> str:
        """The score as staff read it: "NEWS2 5 · Medium". A partial set's total is only a
        floor (the parameters not measured count nothing), so it is never shown as a score:
        "NEWS2 at least 6 (partial) · Medium" when what was measured is worrying, else
        "Partial – not rated", never a reassuring "NEWS2 0".
        """
        if self.kind is ObservationKind.QUICK_CHECK or self.news2_total is None:
            return str(_("Not scored"))
        if self.news2_partial:
            if self.level is None:
                return str(PARTIAL_NOT_RATED)
            # TRANSLATORS: clinical (a partial set's NEWS2 total is only a floor)
            return str(
                _(
                    "NEWS2 at least %(total)s (partial) · %(level)s",
                    total=self.news2_total,
                    level=self.level.label,
                )
            )
        # TRANSLATORS: clinical ("NEWS2 5 · Medium")
        return str(_("NEWS2 %(total)s · %(level)s", total=self.news2_total, level=self.level_label))

    @property
    def level_class(self) -> str:
        return f"level-{self.level.value.replace('_', '-')}" if self.level else "level-partial"

    @property
    def reason_list(self) -> list[str]:
        """The red flags and close-watch reasons, in the reader's language (kept in English)."""
        return [say_reason(reason) for reason in self.reasons.split("; ")] if self.reasons else []

    @property
    def calls_for_full_set(self) -> bool:
        """A set that raised a red flag or a close-watch reason: until a calmer full set has
        measured again what worried, the next check should be a full set, not a quick check
        (which says only "responsive, breathing normally" and never ends close watch).
        """
        return self.kind is ObservationKind.FULL and bool(
            self.prompts_emergency or self.needs_close_watch
        )

    def vitals(self) -> Vitals:
        return Vitals(
            respiratory_rate=self.respiratory_rate,
            spo2=self.spo2,
            on_oxygen=self.on_oxygen,
            systolic_bp=self.systolic_bp,
            pulse=self.pulse,
            consciousness=self.consciousness,
            temperature=self.temperature,
            poss=self.poss,
            rass=self.rass,
        )

    @property
    def audit_site_id(self) -> int | None:
        return self.visit.site_id


_OPEN_ALERT = "closed_at IS NULL"


class OverdueAlert(Audited, Base):
    """Raised when a client goes twice their interval unchecked; closed by the next check.

    Kept so managers can see how long overdue checks took to answer.
    """

    audit_type = "overdue_alert"
    changes_floor = True

    __tablename__ = "overdue_alerts"
    __table_args__ = (
        # One open alert per visit: a second scheduler, or a second run, cannot raise another.
        Index(
            "uq_overdue_alerts_open_visit",
            "visit_id",
            unique=True,
            sqlite_where=text(_OPEN_ALERT),
            postgresql_where=text(_OPEN_ALERT),
        ),
        Index("ix_overdue_alerts_site_id_raised_at", "site_id", "raised_at"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id"))
    #: When the visit passed twice its interval without a check.
    overdue_since: Mapped[datetime]
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    #: The observation that answered it; None when the visit ended first.
    closed_by_observation_id: Mapped[int | None] = mapped_column(
        _BIG_ID, ForeignKey("observations.id")
    )

    @property
    def minutes_to_answer(self) -> int | None:
        if self.closed_at is None:
            return None
        return max(0, int((self.closed_at - self.overdue_since).total_seconds() // 60))
