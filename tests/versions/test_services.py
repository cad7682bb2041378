"""The one way an editable clinical record is saved (versions.save_version), on a record of its
own kind, so that the rule is pinned apart from any feature that uses it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask_babel import gettext
from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError

from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.versions import version_of
from sitesys.versions.models import RecordVersion
from sitesys.versions.services import (
    Editable,
    SavedElsewhere,
    latest_version,
    save_version,
    typing_not_saved,
)
from tests.factories import make_site, make_staff

NOTE = Editable("note", "care note")


class CareNote:
    """A stand-in editable record: one text, kept as the versions name records."""

    audit_type = "care_note"

    def __init__(self, site_id: int) -> None:
        self.id = 7
        self.audit_site_id = site_id
        self.text = ""


def save(db, actor, note, text, *, opened):
    def write():
        note.text = text
        return [("Note", text or "—")]

    return save_version(
        db,
        actor,
        note,
        NOTE,
        opened=opened,
        now={"text": note.text},
        wanted={"text": text},
        write=write,
    )


@pytest.fixture
def scene(db):
    site = make_site(db)
    return CareNote(site.id), make_staff(db, Role.NURSE, [site]), make_staff(db, Role.NURSE, [site])


def versions(db):
    return list(db.scalars(select(RecordVersion).order_by(RecordVersion.number)))


def test_each_save_that_changes_the_record_is_kept_with_who_and_when(db, scene):
    note, nia, sam = scene
    start = utcnow()
    with time_machine.travel(start, tick=False):
        first = save(db, nia, note, "Settled in booth 2", opened=version_of({"text": ""}))
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        second = save(db, sam, note, "Left at 14:10", opened=version_of({"text": note.text}))
    assert [(v.number, v.saved_by_id, v.fields) for v in versions(db)] == [
        (1, nia.id, [["Note", "Settled in booth 2"]]),
        (2, sam.id, [["Note", "Left at 14:10"]]),
    ]
    assert second.saved_at - first.saved_at == timedelta(minutes=3)
    assert (first.record_type, first.record_id, first.part) == ("care_note", "7", "note")
    assert first.site_id == note.audit_site_id
    assert latest_version(db, note, NOTE) is second


def test_a_save_that_changes_nothing_keeps_nothing_and_is_not_refused(db, scene):
    note, nia, _sam = scene
    opened = version_of({"text": ""})
    save(db, nia, note, "Settled", opened=opened)
    # The same form sent again (a double tap, an autosave that got there first): stale, but it
    # would change nothing, so it goes on and writes nothing.
    assert save(db, nia, note, "Settled", opened=opened) is None
    assert len(versions(db)) == 1


def test_a_stale_form_that_would_change_the_record_is_refused_and_writes_nothing(db, scene):
    note, nia, sam = scene
    opened = version_of({"text": ""})
    save(db, nia, note, "Settled in booth 2", opened=opened)
    with pytest.raises(SavedElsewhere) as refused:
        save(db, sam, note, "Left at 14:10", opened=opened)
    assert str(refused.value).startswith(
        "The care note was changed by someone else since you opened it; nothing was saved."
    )
    assert refused.value.saved_by == nia.display_name
    assert refused.value.saved_at == versions(db)[0].saved_at
    assert note.text == "Settled in booth 2" and len(versions(db)) == 1
    # A form without a version is out of date too.
    with pytest.raises(SavedElsewhere):
        save(db, sam, note, "Left at 14:10", opened="")


def test_a_kept_version_cannot_be_deleted(db, scene):
    note, nia, _sam = scene
    save(db, nia, note, "Settled", opened=None)
    with pytest.raises(DBAPIError, match="never deleted"), db.begin_nested():
        db.execute(delete(RecordVersion))
    assert db.scalar(select(func.count()).select_from(RecordVersion)) == 1


def test_the_typing_not_saved_is_what_differs_from_the_record_now():
    typed = [("Summary", "Quiet"), ("Notes", "Fire door sticks"), ("Stock · Naloxone", "4")]
    now = [("Summary", "Quiet"), ("Notes", "—"), ("Stock · Naloxone", "5")]
    assert typing_not_saved(typed, now) == [
        ("Notes", "Fire door sticks"),
        ("Stock · Naloxone", "4"),
    ]


def test_a_version_is_kept_in_the_source_language_whatever_the_saver_reads(app, db, scene):
    """The fields kept are English even when the page is read in another language (here the
    pseudo-locale), so a record reads the same to everyone and versions compare alike."""
    note, nia, _sam = scene

    def write():
        note.text = "Calm"
        return [(gettext("Note"), note.text)]

    with app.test_request_context("/?lang=en_XA"):
        assert gettext("Note") == "⟦Ñöté⟧"
        save_version(
            db, nia, note, NOTE, opened=None, now={"text": ""}, wanted={"text": "Calm"},
            write=write,
        )  # fmt: skip
        assert gettext("Note") == "⟦Ñöté⟧", "the reader's language is put back"
    assert [version.fields for version in versions(db)] == [[["Note", "Calm"]]]
