"""One way to save an editable clinical record: a version checked on save, every version kept.

An editable part of a record (a draft report, a review, a handover draft) is saved from a form
that carries `version_of` the part's values when the page opened. `save_version` is the rule
every such save goes through; `typing_not_saved` is what a refused page shows of the typing it
did not save. docs/architecture.md, "One way to save an editable clinical record", says how.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import Audited
from sitesys.refusals import Refused
from sitesys.source_language import source_language
from sitesys.versions import version_of
from sitesys.versions.models import RecordVersion

#: A part's text as a reader sees it: (label, text) in the order its page shows them.
Fields = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Editable:
    """One editable part of a kind of record: its name in the versions table, and in words."""

    part: str
    #: How staff call it: "draft report", "review", "handover draft" (a lazy string, shown in
    #: the reader's language).
    label: Any


class SavedElsewhere(Refused):
    """The part was changed (from another tab or device, or by someone else) after this form was
    opened, and this form would change it again: nothing was saved. The page shows the part as
    it is now with the typing it did not save (`typing_not_saved`), so that nothing written is lost.
    """

    def __init__(self, editable: Editable, latest: RecordVersion | None) -> None:
        super().__init__(
            _(
                "The %(part)s was changed by someone else since you opened it; nothing was "
                "saved. Here it is as it is now, with what you typed beside it: make your "
                "change again.",
                part=editable.label,
            )
        )
        #: Who saved the version that is current, and when (None before any was kept).
        self.saved_by = latest.saved_by.display_name if latest is not None else None
        self.saved_at = latest.saved_at if latest is not None else None


def record_id_of(record: Audited) -> str:
    """The record's id as the versions (and the audit trail) name it."""
    return str(record.id)  # type: ignore[attr-defined]


def latest_version(session: Session, record: Audited, editable: Editable) -> RecordVersion | None:
    """The version of the part kept last, with who saved it."""
    return session.scalar(
        select(RecordVersion)
        .where(
            RecordVersion.record_type == record.audit_type,
            RecordVersion.record_id == record_id_of(record),
            RecordVersion.part == editable.part,
        )
        .options(joinedload(RecordVersion.saved_by))
        .order_by(RecordVersion.number.desc())
        .limit(1)
    )


def save_version(
    session: Session,
    actor: Staff,
    record: Audited,
    editable: Editable,
    *,
    opened: str | None,
    now: object,
    wanted: object,
    write: Callable[[], Fields],
) -> RecordVersion | None:
    """Save a change to an editable part of a clinical record, or refuse it. The rule:

    - `now` is the part's values as they are (the caller holds the record's row lock and read
      it under the lock: its loader's `for_update`); `wanted` is what this save would make of
      them, in the same shape. When they are equal the save changes nothing: nothing is
      written and nothing refused (the same form sent twice, an autosave of the same typing
      that got there first, Save tapped with nothing changed). Returns None.
    - `opened` is `version_of` the values the form was opened with. If the part has changed
      since, the form still holds older values it would write back over someone's change:
      `SavedElsewhere`, and nothing is saved. A form without a version is treated as stale;
      None is for a caller holding no form, which has the record as it is now.
    - Otherwise `write()` makes the change and returns the part's fields as a reader now sees
      them, kept as the part's next version, with who saved it and when. The versions' unique
      number is the last guard: two saves of one version that raced past the lock are never
      both kept (the second is refused).
    """
    current = version_of(now)
    if version_of(wanted) == current:
        return None
    latest = latest_version(session, record, editable)
    if opened is not None and opened != current:
        raise SavedElsewhere(editable, latest)
    site_id = record.audit_site_id
    if site_id is None:
        raise ValueError(f"a {record.audit_type} keeps versions only at its site")
    # What is kept is written in the source language whatever the saver reads (their page
    # translates the labels as it shows them): versions compare and read the same in any.
    with source_language():
        fields = [[str(label), str(text)] for label, text in write()]
    version = RecordVersion(
        record_type=record.audit_type,
        record_id=record_id_of(record),
        part=editable.part,
        number=(latest.number if latest is not None else 0) + 1,
        site_id=site_id,
        saved_at=utcnow(),
        saved_by_id=actor.id,
        fields=fields,
    )
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError:
        raise SavedElsewhere(editable, latest_version(session, record, editable)) from None
    return version


def typing_not_saved(typed: Fields, now: Fields) -> list[tuple[str, str]]:
    """The fields of a refused form whose typing differs from the part as it is now: what the
    page shows beside the current part, to be written in again.
    """
    current = {str(label): str(text) for label, text in now}
    return [
        (str(label), str(text)) for label, text in typed if current.get(str(label)) != str(text)
    ]
