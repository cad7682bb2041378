"""Reading the versions kept of a record's editable part, for its history page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload

from sitesys.db import Audited
from sitesys.versions.models import RecordVersion
from sitesys.versions.services import Editable, record_id_of

#: Versions on one page of a history: a handover draft saved as it is typed keeps many.
PER_PAGE = 20


@dataclass(frozen=True)
class Shown:
    """One version as its history page shows it, with the labels of the fields its save
    changed (every field of the first version).
    """

    version: RecordVersion
    changed: frozenset[str]


@dataclass(frozen=True)
class VersionHistory:
    """A page of the versions, newest first."""

    versions: list[Shown]
    number: int
    has_next: bool
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _of(record: Audited, editable: Editable) -> tuple[ColumnElement[bool], ...]:
    return (
        RecordVersion.record_type == record.audit_type,
        RecordVersion.record_id == record_id_of(record),
        RecordVersion.part == editable.part,
    )


def count_versions(session: Session, record: Audited, editable: Editable) -> int:
    """How many versions of the part are kept (for the link from the record's page)."""
    total = session.scalar(
        select(func.count()).select_from(RecordVersion).where(*_of(record, editable))
    )
    return int(total or 0)


def version_history(
    session: Session, record: Audited, editable: Editable, number: int
) -> VersionHistory:
    """A page of the part's versions, newest first. One version more than the page is read: it
    says whether an older page exists, and what the oldest on this page changed.
    """
    rows = list(
        session.scalars(
            select(RecordVersion)
            .where(*_of(record, editable))
            .options(joinedload(RecordVersion.saved_by))
            .order_by(RecordVersion.number.desc())
            .offset((number - 1) * PER_PAGE)
            .limit(PER_PAGE + 1)
        )
    )
    shown = []
    for index, version in enumerate(rows[:PER_PAGE]):
        before = dict(rows[index + 1].fields) if index + 1 < len(rows) else {}
        changed = frozenset(label for label, text in version.fields if before.get(label) != text)
        shown.append(Shown(version, changed))
    return VersionHistory(
        versions=shown,
        number=number,
        has_next=len(rows) > PER_PAGE,
        total=count_versions(session, record, editable),
    )
