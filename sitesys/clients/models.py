"""Clients and their safety flags. No name, date of birth, address or phone number, ever."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.clock import utcnow, written
from sitesys.db import Audited, Base


class AgeBand(enum.StrEnum):
    UNDER_25 = "18_24"
    FROM_25 = "25_34"
    FROM_35 = "35_44"
    FROM_45 = "45_54"
    FROM_55 = "55_64"
    FROM_65 = "65_plus"
    NOT_SAID = "prefer_not_to_say"

    @property
    def label(self) -> str:
        return str(_AGE_BAND_LABELS[self.value])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (for choices made at import time)."""
        return _AGE_BAND_LABELS[self.value]


_AGE_BAND_LABELS = {
    "18_24": _l("18–24"),
    "25_34": _l("25–34"),
    "35_44": _l("35–44"),
    "45_54": _l("45–54"),
    "55_64": _l("55–64"),
    "65_plus": _l("65 or over"),
    "prefer_not_to_say": _l("Prefer not to say"),
}


class Gender(enum.StrEnum):
    WOMAN = "woman"
    MAN = "man"
    NON_BINARY = "non_binary"
    ANOTHER = "another"
    NOT_SAID = "prefer_not_to_say"

    @property
    def label(self) -> str:
        return str(_GENDER_LABELS[self.value])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (for choices made at import time)."""
        return _GENDER_LABELS[self.value]


_GENDER_LABELS = {
    "woman": _l("Woman"),
    "man": _l("Man"),
    "non_binary": _l("Non-binary"),
    "another": _l("Another gender"),
    "prefer_not_to_say": _l("Prefer not to say"),
}


class Client(Audited, Base):
    """A person who uses the site, known by a keyed digest of their code and a display tag."""

    audit_type = "client"

    __tablename__ = "clients"
    __table_args__ = (
        UniqueConstraint("site_id", "code_digest"),
        UniqueConstraint("site_id", "display_tag"),
    )

    #: Random, so URLs say nothing about how many clients a site has.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    #: HMAC-SHA256 of the normalised code under SITESYS_CLIENT_CODE_KEY; the code is never stored.
    code_digest: Mapped[str] = mapped_column(String(64))
    #: What staff see and say, e.g. "Amber Heron 27"; generated, never chosen.
    display_tag: Mapped[str] = mapped_column(String(40))
    #: Which client-code key the digest is under (`code_key_id`); None: registered before key
    #: ids were kept, under the key that was current then.
    code_key_id: Mapped[str | None] = mapped_column(String(16), index=True)
    age_band: Mapped[AgeBand | None]
    gender: Mapped[Gender | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    flags: Mapped[list[ClientFlag]] = relationship(
        back_populates="client", order_by="ClientFlag.created_at.desc()"
    )


class FlagKind(enum.StrEnum):
    SEIZURE_HISTORY = "seizure_history"
    ALLERGY = "allergy"
    CLINICAL_NOTE = "clinical_note"
    SERVICE_RESTRICTION = "service_restriction"

    @property
    def label(self) -> str:
        return str(_FLAG_KIND_LABELS[self.value])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (for choices made at import time)."""
        return _FLAG_KIND_LABELS[self.value]


_FLAG_KIND_LABELS = {
    "seizure_history": _l("Seizure history"),
    "allergy": _l("Allergy"),
    "clinical_note": _l("Clinical note"),
    "service_restriction": _l("Service restriction"),
}


class ClientFlag(Audited, Base):
    """A safety flag staff must see at the desk and on the board; removed with a reason, never
    deleted.
    """

    audit_type = "client_flag"

    __tablename__ = "client_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    kind: Mapped[FlagKind]
    #: Short clinical note or the reason for a restriction (no names of anyone).
    note: Mapped[str] = mapped_column(String(200))
    #: Last day a service restriction applies, in the site's calendar.
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    removal_reason: Mapped[str | None] = mapped_column(String(200))

    client: Mapped[Client] = relationship(back_populates="flags")
    created_by: Mapped[Staff] = relationship(foreign_keys=[created_by_id])
    removed_by: Mapped[Staff | None] = relationship(foreign_keys=[removed_by_id])

    def is_active_on(self, day: date) -> bool:
        """A flag applies until removed; a restriction also ends after its end date."""
        if self.removed_at is not None:
            return False
        return self.ends_on is None or self.ends_on >= day

    @property
    def summary(self) -> str:
        if self.ends_on is not None:
            return str(
                _(
                    "%(kind)s until %(day)s: %(note)s",
                    kind=self.kind.label,
                    day=written(self.ends_on, "%-d %b %Y"),
                    note=self.note,
                )
            )
        return str(_("%(kind)s: %(note)s", kind=self.kind.label, note=self.note))

    @property
    def audit_site_id(self) -> int | None:
        return self.client.site_id


class RetiredCodeKey(Audited, Base):
    """An old client-code key an admin retired: no longer used to look clients up, so those
    still under it look new at the desk.
    """

    audit_type = "client_code_key"
    audit_site_id = None

    __tablename__ = "retired_code_keys"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    retired_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: How many clients were still under the key when it was retired.
    clients_left: Mapped[int] = mapped_column(default=0)

    @property
    def id(self) -> str:
        return self.key_id
