"""The versions of editable clinical records, kept as each was saved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.db import Base


class RecordVersion(Base):
    """One saved version of an editable part of a clinical record (an incident's report while
    it is drafted, its review, a handover's draft): who saved it, when, and its text as a reader
    saw it then. Written once by `services.save_version`, never changed by SiteSys, and never
    deleted (the database refuses a DELETE).

    The record is named as the audit trail names it (its `audit_type` and id), so any feature's
    record can keep versions without a table of its own. The unique number per record part is
    the last guard against two saves of one version both being kept.
    """

    __tablename__ = "record_versions"
    __table_args__ = (UniqueConstraint("record_type", "record_id", "part", "number"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(64))
    #: Which editable part of the record: "report", "review", "draft".
    part: Mapped[str] = mapped_column(String(20))
    #: 1 for the first save, then one more for each save that changed something.
    number: Mapped[int]
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    saved_at: Mapped[datetime]
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    #: The part as a reader saw it: [label, text] pairs in the order its page shows them.
    fields: Mapped[list[list[str]]] = mapped_column(JSON)

    saved_by: Mapped[Staff] = relationship()
